import CStewardMagic
import Foundation
import StewardCore

/// What libmagic says about some bytes.
struct TrueType: Sendable, Hashable {
    /// MIME type, e.g. `application/pdf`.
    var mimeType: String?
    /// Description, e.g. `PDF document, version 1.4`.
    var description: String?
}

/// libmagic handles are not thread-safe, and loading the database costs a few milliseconds,
/// so handles are kept in a pool: a caller takes a pair (MIME type and description), uses it
/// alone, and gives it back. Pairs are created on demand, at most `maxPairs` in all; a caller
/// that finds none free waits for one (a call takes a few milliseconds of CPU, so more pairs
/// than cores would not go faster). The bound is what keeps memory flat: each handle keeps
/// the regular expressions of the magic rules it has compiled (several MB once it has seen
/// varied files), so one pair per concurrent milter thread grew Steward's heap with the peak
/// number of sessions and never gave it back (issue 13's soak, traced with heaptrack).
final class MagicPool: @unchecked Sendable {
    /// The process-wide pool (the magic database is the same for every inspector).
    static let shared = MagicPool()

    /// One handle set up for MIME types, one for descriptions.
    final class Handles {
        let mimeType: OpaquePointer
        let description: OpaquePointer

        init?() {
            guard let mime = magic_open(MAGIC_MIME_TYPE) else { return nil }
            guard Self.load(mime), let desc = magic_open(MAGIC_NONE) else {
                magic_close(mime)
                return nil
            }
            guard Self.load(desc) else {
                magic_close(mime)
                magic_close(desc)
                return nil
            }
            self.mimeType = mime
            self.description = desc
        }

        /// How many first bytes libmagic looks at (`MAGIC_PARAM_BYTES_MAX`).
        var bytesMax: Int {
            var value = 0
            guard magic_getparam(mimeType, MAGIC_PARAM_BYTES_MAX, &value) == 0, value > 0 else { return 7 * 1024 * 1024 }
            return value
        }

        deinit {
            magic_close(mimeType)
            magic_close(description)
        }

        /// Loads the database into `handle`: the shared copy when there is one, else libmagic's
        /// own loading (which maps the file once more for every handle).
        private static func load(_ handle: OpaquePointer) -> Bool {
            guard let database = MagicDatabase.shared else { return magic_load(handle, nil) == 0 }
            var buffers: [UnsafeMutableRawPointer?] = [database.baseAddress]
            var sizes: [Int] = [database.count]
            return magic_load_buffers(handle, &buffers, &sizes, 1) == 0
        }

        func identify(_ bytes: UnsafeRawBufferPointer) -> TrueType {
            TrueType(
                mimeType: Self.ask(mimeType, bytes),
                description: Self.ask(description, bytes)
            )
        }

        private static func ask(_ handle: OpaquePointer, _ bytes: UnsafeRawBufferPointer) -> String? {
            // magic_buffer wants a non-null pointer even for zero bytes.
            let result: UnsafePointer<CChar>?
            if let base = bytes.baseAddress {
                result = magic_buffer(handle, base, bytes.count)
            } else {
                var empty: UInt8 = 0
                result = magic_buffer(handle, &empty, 0)
            }
            guard let result else { return nil }
            return String(cString: result)
        }
    }

    private let condition = NSCondition()
    private var idle: [Handles] = []
    private var created = 0
    private let maxPairs: Int

    init(maxPairs: Int = max(2, ProcessInfo.processInfo.activeProcessorCount)) {
        self.maxPairs = max(1, maxPairs)
    }

    /// Runs `body` with a pair of handles no other thread is using; nil when libmagic
    /// cannot open its database (the caller then reports no true type).
    func withHandles<R>(_ body: (Handles) throws -> R) rethrows -> R? {
        guard let handles = take() else { return nil }
        defer {
            condition.lock()
            idle.append(handles)
            condition.signal()
            condition.unlock()
        }
        return try body(handles)
    }

    /// A free pair, a new one while fewer than `maxPairs` exist, else the next one given back.
    private func take() -> Handles? {
        condition.lock()
        while idle.isEmpty, created >= maxPairs { condition.wait() }
        if let reused = idle.popLast() {
            condition.unlock()
            return reused
        }
        created += 1
        condition.unlock()
        if let fresh = Handles() { return fresh }
        // The database cannot be opened: give the slot back, so a waiting thread tries too.
        condition.lock()
        created -= 1
        condition.signal()
        condition.unlock()
        return nil
    }

    /// True type of some bytes (nil fields when libmagic is unavailable).
    func identify(_ bytes: [UInt8]) -> TrueType {
        withHandles { handles in
            bytes.withUnsafeBytes { handles.identify($0) }
        } ?? TrueType()
    }

    /// True type of a part's content. libmagic never looks past its `bytes_max` (7 MB in
    /// file 5.44), so a spooled part is identified from that many first bytes, read for the
    /// call and dropped: the same answer as from the whole part in memory.
    func identify(_ content: PartContent) -> TrueType {
        switch content.storage {
        case .memory(let bytes):
            return identify(bytes)
        case .file(let file, let start, let count, _):
            return withHandles { handles in
                let length = min(count, handles.bytesMax)
                // Mapped from the spool file rather than copied out of it: a copy of 7 MB cost
                // as much as libmagic's own look at it.
                if let spool = file as? SpoolFile,
                   let type = spool.withMappedBytes(at: start, count: length, { handles.identify($0) }) {
                    return type
                }
                return content.prefix(length).withUnsafeBytes { handles.identify($0) }
            } ?? TrueType()
        }
    }

    /// Number of handle pairs created so far (never more than `maxPairs`).
    var pairCount: Int { condition.withLock { created } }
}

/// libmagic's compiled database, read into memory once for every handle (issue 13's soak).
/// `magic_load` maps `magic.mgc` (8 MB in file 5.44) again for each handle, and a pool of one
/// pair per busy thread made those mappings most of Steward's resident memory; with
/// `magic_load_buffers` every handle reads the one copy (libmagic only reads it, in the host's
/// byte order, so threads can share it). Local rules in `/etc/magic` are text, which buffers
/// cannot carry: when there are any, handles load the usual way so that the rules still apply.
enum MagicDatabase {
    // nonisolated(unsafe): written once, at first use (a lazy static), then only read.
    nonisolated(unsafe) static let shared: UnsafeMutableRawBufferPointer? = {
        guard !hasLocalRules(), let path = compiledPath(),
            let data = FileManager.default.contents(atPath: path), !data.isEmpty
        else { return nil }
        // Never freed: handles point into it for the life of the process.
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: data.count, alignment: 16)
        buffer.copyBytes(from: data)
        return buffer
    }()

    /// The first `.mgc` on libmagic's search path (`magic_getpath`: MAGIC, else its default).
    private static func compiledPath() -> String? {
        guard let list = magic_getpath(nil, 0) else { return nil }
        for entry in String(cString: list).split(separator: ":").map(String.init) {
            let candidate = entry.hasSuffix(".mgc") ? entry : entry + ".mgc"
            if FileManager.default.fileExists(atPath: candidate) { return candidate }
        }
        return nil
    }

    private static func hasLocalRules() -> Bool {
        guard let text = try? String(contentsOfFile: "/etc/magic", encoding: .utf8) else { return false }
        return text.split(separator: "\n").contains { line in
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            return !trimmed.isEmpty && !trimmed.hasPrefix("#")
        }
    }
}
