public import Foundation
import Crypto

/// What ties the audit trail to this host rather than to the database alone (clause 13):
///
/// - a key kept in a file beside the release secret (`audit.key`, 0600), never in the store.
///   Each entry's hash is an HMAC with it, so someone holding only the database cannot
///   recompute the chain after editing or removing entries;
/// - signed checkpoints of the chain's head, appended to a file beside the key
///   (`audit-checkpoints`) after every change, so removing the newest entries (which leaves a
///   chain that still links up) is found too. The same signed head goes to the log and in the
///   senior officials' digests, places the database's writer cannot reach.
public final class AuditAnchor: @unchecked Sendable {
    public static let keyFileName = "audit.key"
    public static let checkpointsFileName = "audit-checkpoints"

    /// Kept as bytes (SymmetricKey is not Sendable); the key is made per use.
    let key: [UInt8]
    public let keyPath: String
    public let checkpointsPath: String
    private let lock = NSLock()
    /// The last head this process wrote down, so an unchanged head is not written twice.
    private var lastRecorded: (Int64, String)?

    public init(key: [UInt8], keyPath: String, checkpointsPath: String) {
        self.key = key
        self.keyPath = keyPath
        self.checkpointsPath = checkpointsPath
    }

    /// The anchor whose files sit in `directory` (the release secret's), the key created on first use.
    public static func load(directory: URL) throws(QuarantineError) -> AuditAnchor {
        let keyPath = directory.appendingPathComponent(keyFileName).path
        return AuditAnchor(
            key: try SecretFile.loadOrCreate(path: keyPath, what: "audit key"), keyPath: keyPath,
            checkpointsPath: directory.appendingPathComponent(checkpointsFileName).path)
    }

    /// HMAC-SHA256 of `text`, lower-case hex.
    func mac(_ text: String) -> String {
        SHA256Hex.hex(HMAC<SHA256>.authenticationCode(for: Array(text.utf8), using: SymmetricKey(data: key)))
    }

    /// The signed checkpoint for a head.
    public func checkpoint(_ kind: AuditCheckpoint.Kind, sequence: Int64, hash: String, at: Date = Date()) -> AuditCheckpoint {
        let milliseconds = AuditChain.milliseconds(at)
        return AuditCheckpoint(
            kind: kind, sequence: sequence, hash: hash, atMilliseconds: milliseconds,
            mac: mac(AuditCheckpoint.signedText(kind: kind, sequence: sequence, hash: hash, atMilliseconds: milliseconds)))
    }

    /// Whether `checkpoint` was signed with this key.
    public func isGenuine(_ checkpoint: AuditCheckpoint) -> Bool {
        let expected = mac(AuditCheckpoint.signedText(
            kind: checkpoint.kind, sequence: checkpoint.sequence, hash: checkpoint.hash, atMilliseconds: checkpoint.atMilliseconds))
        return ConstantTime.equal(Array(expected.utf8), Array(checkpoint.mac.utf8))
    }

    /// Appends the head to the checkpoint file (one `write` to an O_APPEND file: lines from the
    /// milter and the command line never interleave). Returns the checkpoint written, nil when
    /// this head was already written by this process.
    @discardableResult
    public func record(sequence: Int64, hash: String, kind: AuditCheckpoint.Kind = .head) throws(QuarantineError) -> AuditCheckpoint? {
        lock.lock()
        defer { lock.unlock() }
        if kind == .head, let last = lastRecorded, last.0 == sequence, last.1 == hash { return nil }
        let made = checkpoint(kind, sequence: sequence, hash: hash)
        let line = Array((made.line + "\n").utf8)
        let descriptor = open(checkpointsPath, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else {
            throw QuarantineError(
                code: .writeFailed, detail: "cannot open the audit checkpoints \(checkpointsPath): \(String(cString: strerror(errno)))")
        }
        defer { close(descriptor) }
        StoreFile.giveToDirectoryOwner(descriptor, path: checkpointsPath)
        let written = line.withUnsafeBytes { write(descriptor, $0.baseAddress, $0.count) }
        guard written == line.count else {
            throw QuarantineError(
                code: .writeFailed, detail: "cannot write the audit checkpoints \(checkpointsPath): \(String(cString: strerror(errno)))")
        }
        if kind == .head { lastRecorded = (sequence, hash) }
        return made
    }

    /// Every line of the checkpoint file, in the order written (unreadable lines included, as
    /// `nil`, so `verify` can say a line was tampered with). Empty when the file does not exist.
    public func checkpoints() throws(QuarantineError) -> [AuditCheckpoint?] {
        guard FileManager.default.fileExists(atPath: checkpointsPath) else { return [] }
        guard let data = FileManager.default.contents(atPath: checkpointsPath) else {
            throw QuarantineError(code: .readFailed, detail: "cannot read the audit checkpoints \(checkpointsPath)")
        }
        return String(decoding: data, as: UTF8.self).split(separator: "\n").map { AuditCheckpoint(line: String($0)) }
    }

    /// On opening a store with no checkpoint yet on this host: a trail that predates the key
    /// (its newest entry plain SHA-256) is taken over as it stands, with an `adopted`
    /// checkpoint. A trail written with another key (a second host sharing a PostgreSQL store
    /// without a copy of this one's `audit.key`) is refused, before two keys mix in one chain.
    public func adopt(head: AuditEntry?) throws(QuarantineError) {
        guard let head, try checkpoints().isEmpty else { return }
        if AuditChain.hash(sequence: head.sequence, entry: head.entry, previousHash: head.previousHash, anchor: self) == head.hash {
            try record(sequence: head.sequence, hash: head.hash)
        } else if AuditChain.hash(sequence: head.sequence, entry: head.entry, previousHash: head.previousHash) == head.hash {
            try record(sequence: head.sequence, hash: head.hash, kind: .adopted)
        } else {
            throw QuarantineError(
                code: .cannotOpen,
                detail: "the audit trail's newest entry (\(head.sequence)) was not made with the audit key \(keyPath): "
                    + "copy audit.key from the host that writes this store, or run `steward audit verify` there")
        }
    }

    /// The newest head this host wrote down (for the log and the digests), read from the end
    /// of the file only: it grows by a line a change and is read every few seconds.
    public func latest() -> AuditCheckpoint? {
        guard let handle = FileHandle(forReadingAtPath: checkpointsPath) else { return nil }
        defer { try? handle.close() }
        guard let size = try? handle.seekToEnd() else { return nil }
        try? handle.seek(toOffset: size > 8192 ? size - 8192 : 0)
        let tail = String(decoding: (try? handle.readToEnd()) ?? Data(), as: UTF8.self)
        return tail.split(separator: "\n").compactMap { AuditCheckpoint(line: String($0)) }
            .filter { $0.kind == .head && isGenuine($0) }.max { $0.sequence < $1.sequence }
    }
}

/// One signed line of the checkpoint file: `head SEQUENCE HASH MILLISECONDS MAC`.
public struct AuditCheckpoint: Sendable, Hashable {
    public enum Kind: String, Sendable {
        /// The chain's newest entry at that moment.
        case head
        /// Entries up to here were written before the store had an audit key: their hashes are
        /// plain SHA-256, taken over as they stood when the key was made.
        case adopted
    }

    public var kind: Kind
    public var sequence: Int64
    public var hash: String
    public var atMilliseconds: Int64
    public var mac: String

    public var at: Date { AuditChain.date(milliseconds: atMilliseconds) }

    public var line: String { "\(kind.rawValue) \(sequence) \(hash) \(atMilliseconds) \(mac)" }

    static func signedText(kind: Kind, sequence: Int64, hash: String, atMilliseconds: Int64) -> String {
        "steward-audit-checkpoint:\(kind.rawValue):\(sequence):\(hash):\(atMilliseconds)"
    }

    public init(kind: Kind, sequence: Int64, hash: String, atMilliseconds: Int64, mac: String) {
        self.kind = kind
        self.sequence = sequence
        self.hash = hash
        self.atMilliseconds = atMilliseconds
        self.mac = mac
    }

    /// Parses a line as written (or as copied from a digest or the log); nil if malformed.
    public init?(line: String) {
        let fields = line.split(separator: " ", omittingEmptySubsequences: true)
        guard fields.count == 5, let kind = Kind(rawValue: String(fields[0])), let sequence = Int64(fields[1]),
            let at = Int64(fields[3])
        else { return nil }
        self.init(kind: kind, sequence: sequence, hash: String(fields[2]), atMilliseconds: at, mac: String(fields[4]))
    }
}

enum ConstantTime {
    /// How far a guess matched must not show in the timing.
    static func equal(_ a: [UInt8], _ b: [UInt8]) -> Bool {
        guard a.count == b.count else { return false }
        var difference: UInt8 = 0
        for (x, y) in zip(a, b) { difference |= x ^ y }
        return difference == 0
    }
}
