import Foundation

/// Messages for tests, as (headers, body) so a test can hand them to a milter client or write
/// them out whole. Line ends are CRLF, as on the wire.
public struct SampleMessage: Sendable {
    public var headers: [(String, String)]
    public var body: [UInt8]

    /// The whole message as a file would hold it: headers, blank line, body.
    public var bytes: [UInt8] {
        var out: [UInt8] = []
        for (name, value) in headers { out += Array("\(name): \(value)\r\n".utf8) }
        return out + [13, 10] + body
    }

    /// The standard 68-byte EICAR anti-virus test string (harmless by design).
    public static let eicar = #"X5O!P%@AP[4\PZX54(P^)7CC)7}$EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*"#

    public static func plain(from: String, to: String, subject: String, text: String) -> SampleMessage {
        SampleMessage(
            headers: [
                ("From", from), ("To", to), ("Subject", subject), ("Date", "Sat, 21 Nov 2026 10:00:00 +0000"),
                ("Message-ID", "<\(UUID().uuidString)@example.org>"), ("MIME-Version", "1.0"),
                ("Content-Type", "text/plain; charset=utf-8"),
            ],
            body: Array(text.replacingOccurrences(of: "\n", with: "\r\n").utf8))
    }

    /// A message with a text part and an attachment, base64-encoded as a mail client sends it.
    public static func withAttachment(
        from: String, to: String, subject: String, filename: String, contentType: String, content: [UInt8]
    ) -> SampleMessage {
        let boundary = "=_steward_\(UUID().uuidString.prefix(8))"
        let encoded = Data(content).base64EncodedString(options: [.lineLength76Characters, .endLineWithCarriageReturn, .endLineWithLineFeed])
        let body = """
            This is a multi-part message in MIME format.\r
            --\(boundary)\r
            Content-Type: text/plain; charset=utf-8\r
            \r
            Please find the file attached.\r
            --\(boundary)\r
            Content-Type: \(contentType); name="\(filename)"\r
            Content-Disposition: attachment; filename="\(filename)"\r
            Content-Transfer-Encoding: base64\r
            \r
            \(encoded)\r
            --\(boundary)--\r

            """
        return SampleMessage(
            headers: [
                ("From", from), ("To", to), ("Subject", subject), ("Date", "Sat, 21 Nov 2026 10:00:00 +0000"),
                ("Message-ID", "<\(UUID().uuidString)@example.org>"), ("MIME-Version", "1.0"),
                ("Content-Type", "multipart/mixed; boundary=\"\(boundary)\""),
            ],
            body: Array(body.utf8))
    }

    /// A message carrying the EICAR test file as `eicar.com`.
    public static func eicarAttachment(from: String, to: String) -> SampleMessage {
        withAttachment(
            from: from, to: to, subject: "Test file", filename: "eicar.com", contentType: "application/octet-stream",
            content: Array(eicar.utf8))
    }
}
