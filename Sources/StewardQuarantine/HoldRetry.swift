public import Foundation
import Crypto

/// What makes a message arriving now the MTA's (or its client's) retry of a message already
/// held: the same Message-ID and the same bytes apart from the topmost Received header, which
/// the MTA writes afresh (new queue id, new time) for every attempt.
///
/// Why it exists: the MTA can give up waiting for Steward's answer (its `milter_content_timeout`)
/// just as a hold commits; the client was told 451 and sends the message again. Holding the retry
/// would put the same message before an official twice, so it is recognised and answered as held.
public struct HoldRetryKey: Sendable, Hashable {
    /// The Message-ID header's value, unfolded and trimmed.
    public var messageID: String
    /// Hex SHA-256 of the message without its topmost Received header.
    public var digest: String

    public init(messageID: String, digest: String) {
        self.messageID = messageID
        self.digest = digest
    }

    /// The key of `raw` (headers, blank line, body); nil when it has no Message-ID, which
    /// leaves nothing to recognise a retry by (Postfix adds one with its own queue id to mail
    /// from local clients, so such a retry differs anyway).
    public init?(raw: [UInt8]) {
        let headers = HeaderLines(raw)
        guard let idLine = headers.first(named: "message-id") else { return nil }
        let value = HeaderLines.unfoldedValue(raw[idLine])
        guard !value.isEmpty else { return nil }
        var hash = SHA256()
        if let received = headers.first(named: "received") {
            hash.update(data: raw[..<received.lowerBound])
            hash.update(data: raw[received.upperBound...])
        } else {
            hash.update(data: raw)
        }
        self.init(messageID: value, digest: SHA256Hex.hex(hash.finalize()))
    }
}

/// A held message that a new one may be a retry of (what the store reads back by key).
public struct HoldRetryCandidate: Sendable, Hashable {
    public var id: Int64
    public var heldAt: Date
    public var sender: String
    public var recipients: [String]

    public init(id: Int64, heldAt: Date, sender: String, recipients: [String]) {
        self.id = id
        self.heldAt = heldAt
        self.sender = sender
        self.recipients = recipients
    }
}

/// The rule, pure: which earlier hold (if any) the message is a retry of.
public enum HoldRetry {
    /// The candidate `message` repeats: held within `window` before `now`, same envelope sender,
    /// and every recipient of the retry among the held copy's recipients — so releasing the held
    /// copy reaches everyone the retry was for, and nothing is lost by not storing it again.
    /// A retry to a recipient the held copy lacks (the client split or merged its recipients)
    /// is held on its own.
    public static func original(
        of sender: String, recipients: [String], at now: Date, window: TimeInterval, among candidates: [HoldRetryCandidate]
    ) -> HoldRetryCandidate? {
        let wanted = Set(recipients.map { $0.lowercased() })
        return candidates
            .filter { candidate in
                candidate.sender.lowercased() == sender.lowercased()
                    && now.timeIntervalSince(candidate.heldAt) <= window
                    && candidate.heldAt.timeIntervalSince(now) <= 60  // another host's clock a little ahead
                    && wanted.isSubset(of: Set(candidate.recipients.map { $0.lowercased() }))
            }
            .min { $0.id < $1.id }
    }
}

/// The header lines of a raw message, each as a byte range including its folded continuation
/// lines and its line end. Scans only up to the blank line that ends the headers.
struct HeaderLines {
    private let raw: [UInt8]
    private(set) var lines: [Range<Int>] = []

    init(_ raw: [UInt8]) {
        self.raw = raw
        var current: Int?  // where the header being read began
        var index = 0
        while index < raw.count {
            // The end of this physical line (after its LF, or the end of the bytes).
            var end = index
            while end < raw.count && raw[end] != 0x0A { end += 1 }
            end = min(end + 1, raw.count)
            let isBlank = raw[index] == 0x0A || (raw[index] == 0x0D && index + 1 < raw.count && raw[index + 1] == 0x0A)
            if isBlank { break }
            // A line starting with white space continues the header before it.
            if raw[index] != 0x20 && raw[index] != 0x09 {
                if let current { lines.append(current..<index) }
                current = index
            }
            index = end
        }
        if let current { lines.append(current..<index) }
    }

    /// The first header whose name is `name` (lower case), as a byte range.
    func first(named name: String) -> Range<Int>? {
        let wanted = Array(name.utf8)
        return lines.first { line in
            guard line.count > wanted.count, raw[line.lowerBound + wanted.count] == UInt8(ascii: ":") else { return false }
            for offset in 0..<wanted.count {
                var byte = raw[line.lowerBound + offset]
                if byte >= 0x41 && byte <= 0x5A { byte += 0x20 }
                if byte != wanted[offset] { return false }
            }
            return true
        }
    }

    /// The value after the colon, with line folds removed and outer white space trimmed.
    static func unfoldedValue(_ line: ArraySlice<UInt8>) -> String {
        guard let colon = line.firstIndex(of: UInt8(ascii: ":")) else { return "" }
        let value = line[(colon + 1)...].filter { $0 != 0x0D && $0 != 0x0A }
        return String(decoding: value, as: UTF8.self).trimmingCharacters(in: .whitespaces)
    }
}
