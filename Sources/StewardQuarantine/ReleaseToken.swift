import Foundation
import Crypto
import StewardCore

/// The mark a released message carries on its way back through Steward, so it is not held
/// again: `X-Steward-Release: <id> <hmac>`, where the HMAC (SHA-256, a secret only this host
/// has) covers the quarantine id, the whole stored message (headers and body) and its original
/// envelope sender and recipients. A sender cannot forge it, and a captured mark fits no other
/// message: not with a header changed or added, not from another sender, not to one more
/// recipient. The mark goes first, above the stored bytes; only the MTA's own `Received:`
/// lines may come above it. The milter removes it before delivery.
public struct ReleaseToken: Sendable {
    public static let headerName = "X-Steward-Release"

    /// Kept as bytes (SymmetricKey is not Sendable); the key is made per use.
    private let secret: [UInt8]

    public init(secret: [UInt8]) {
        self.secret = secret
    }

    /// Reads the secret from `path`, creating it (32 random bytes, mode 0600) if it is missing.
    public static func load(path: String) throws(QuarantineError) -> ReleaseToken {
        ReleaseToken(secret: try SecretFile.loadOrCreate(path: path, what: "release secret"))
    }

    /// The header value for releasing message `id` with these stored bytes and this envelope.
    public func value(id: Int64, message: [UInt8], sender: String, recipients: [String]) -> String {
        "\(id) \(mac(id: id, digest: Self.canonicalDigest(message[...]), sender: sender, recipients: recipients))"
    }

    /// The whole header line to put above the stored bytes.
    public func markLine(id: Int64, message: [UInt8], sender: String, recipients: [String]) -> [UInt8] {
        Array("\(Self.headerName): \(value(id: id, message: message, sender: sender, recipients: recipients))\r\n".utf8)
    }

    /// The quarantine id if `message` (as the milter collected it) carries a genuine mark for
    /// exactly these bytes below the mark, this sender and these recipients.
    public func verify(_ message: [UInt8], sender: String, recipients: [String]) -> Int64? {
        guard let marked = Self.marked(message), marked.onlyTraceAbove else { return nil }
        let parts = marked.value.split(separator: " ", omittingEmptySubsequences: true)
        guard parts.count == 2, let id = Int64(parts[0]) else { return nil }
        let expected = mac(id: id, digest: Self.canonicalDigest(marked.rest), sender: sender, recipients: recipients)
        return ConstantTime.equal(Array(expected.utf8), Array(parts[1].utf8)) ? id : nil
    }

    private func mac(id: Int64, digest: String, sender: String, recipients: [String]) -> String {
        // Addresses as the milter normalises them, recipients as a set: order is not content.
        let to = Set(recipients.map(EmailAddress.normalize)).sorted().joined(separator: ",")
        let text = "steward-release-2:\(id):\(digest):\(EmailAddress.normalize(sender)):\(to)"
        return SHA256Hex.hex(HMAC<SHA256>.authenticationCode(for: Array(text.utf8), using: SymmetricKey(data: secret)))
    }

    /// Where the mark is: its value, whether only `Received:` lines are above it, and the bytes
    /// below it (the stored message, when the mark is genuine).
    struct Marked {
        var value: String
        var onlyTraceAbove: Bool
        var rest: ArraySlice<UInt8>
    }

    /// The first release mark in the header section, nil if there is none.
    static func marked(_ message: [UInt8]) -> Marked? {
        var onlyTrace = true
        for field in HeaderFields(message) {
            if field.name.caseInsensitiveCompare(headerName) == .orderedSame {
                let value = String(decoding: field.value, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
                return Marked(value: value, onlyTraceAbove: onlyTrace, rest: message[field.end...])
            }
            if field.name.caseInsensitiveCompare("Received") != .orderedSame { onlyTrace = false }
        }
        return nil
    }

    /// SHA-256 of the message in a relaxed form, so an MTA that refolds a header or changes
    /// the line ends on the way back does not spoil a genuine release, while any change of a
    /// header's name or words, or of the body's text, does: each header as lower-case name,
    /// colon, value unfolded with runs of blanks made one space; a blank line; the body with
    /// CRLF line ends and no trailing empty lines.
    static func canonicalDigest(_ message: ArraySlice<UInt8>) -> String {
        var canonical: [UInt8] = []
        var bodyStart = message.startIndex
        for field in HeaderFields(message) {
            canonical += Array(field.name.lowercased().utf8) + [UInt8(ascii: ":")]
            var blank = false
            var started = false
            for byte in field.value {
                if byte == 0x20 || byte == 0x09 || byte == 0x0D || byte == 0x0A {
                    blank = started
                } else {
                    if blank { canonical.append(0x20) }
                    canonical.append(byte)
                    blank = false
                    started = true
                }
            }
            canonical += [0x0D, 0x0A]
            bodyStart = field.end
        }
        canonical += [0x0D, 0x0A]
        // The body: after the blank line that ends the headers.
        var index = bodyStart
        if index < message.endIndex, message[index] == 0x0D { index += 1 }
        if index < message.endIndex, message[index] == 0x0A { index += 1 }
        var body: [UInt8] = []
        var previous: UInt8 = 0
        for byte in message[index...] {
            if byte == 0x0A && previous != 0x0D { body.append(0x0D) }
            body.append(byte)
            previous = byte
        }
        while body.count >= 4, body.suffix(4).elementsEqual([0x0D, 0x0A, 0x0D, 0x0A]) { body.removeLast(2) }
        if body == [0x0D, 0x0A] { body = [] }
        return SHA256Hex.digest(canonical + body)
    }
}

/// The header fields of a message, in order: name, raw value (continuation lines included) and
/// where the field ends (after its line end). Stops at the blank line or at a line that is no
/// header.
struct HeaderFields: Sequence, IteratorProtocol {
    struct Field {
        var name: String
        var value: ArraySlice<UInt8>
        var end: Int
    }

    private let bytes: ArraySlice<UInt8>
    private var index: Int

    init(_ bytes: [UInt8]) { self.init(bytes[...]) }

    init(_ bytes: ArraySlice<UInt8>) {
        self.bytes = bytes
        index = bytes.startIndex
    }

    mutating func next() -> Field? {
        guard index < bytes.endIndex, bytes[index] != 0x0D, bytes[index] != 0x0A else { return nil }
        guard let colon = bytes[index...].firstIndex(where: { $0 == UInt8(ascii: ":") || $0 == 0x0A }),
            bytes[colon] == UInt8(ascii: ":")
        else { return nil }
        let name = String(decoding: bytes[index..<colon], as: UTF8.self).trimmingCharacters(in: .whitespaces)
        var end = colon + 1
        // A field runs to the line end that is not followed by a blank (folding).
        while end < bytes.endIndex {
            guard let newline = bytes[end...].firstIndex(of: 0x0A) else {
                end = bytes.endIndex
                break
            }
            end = newline + 1
            if end < bytes.endIndex, bytes[end] == 0x20 || bytes[end] == 0x09 { continue }
            break
        }
        let field = Field(name: name, value: bytes[(colon + 1)..<end], end: end)
        index = end
        return field
    }
}
