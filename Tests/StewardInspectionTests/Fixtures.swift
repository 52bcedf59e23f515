import Foundation

/// Real minimal files and message builders for the inspection tests.
enum Fixture {
    /// A valid 1×1 RGBA PNG (67 bytes).
    static let png: [UInt8] = hex(
        "89504E470D0A1A0A0000000D49484452000000010000000108060000001F15C489"
            + "0000000A49444154789C63000100000500010D0A2DB40000000049454E44AE426082"
    )

    /// A minimal PDF document.
    static let pdf: [UInt8] = Array("""
        %PDF-1.4
        1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj
        2 0 obj << /Type /Pages /Kids [] /Count 0 >> endobj
        trailer << /Root 1 0 R >>
        %%EOF

        """.utf8)

    /// The standard 68-byte EICAR anti-virus test string.
    static let eicar: [UInt8] = Array(#"X5O!P%@AP[4\PZX54(P^)7CC)7}$EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*"#.utf8)

    /// The PNG above, uuencoded (Python's binascii.b2a_uu: spaces for zero values).
    static let pngUuencodedLines =
        "MB5!.1PT*&@H    -24A$4@    $    !\" 8    ?%<2)    \"DE$051XG&, \n6 0  !0 !#0HMM     !)14Y$KD)@@@  \n"

    static func hex(_ text: String) -> [UInt8] {
        var bytes: [UInt8] = []
        var index = text.startIndex
        while index < text.endIndex {
            let next = text.index(index, offsetBy: 2)
            bytes.append(UInt8(text[index..<next], radix: 16)!)
            index = next
        }
        return bytes
    }

    static func base64(_ bytes: [UInt8]) -> String {
        Data(bytes).base64EncodedString(options: [.lineLength76Characters, .endLineWithCarriageReturn, .endLineWithLineFeed])
    }

    /// Joins lines with CRLF, as SMTP delivers them.
    static func crlf(_ lines: [String]) -> [UInt8] {
        Array(lines.joined(separator: "\r\n").utf8)
    }

    /// A leaf part's lines (headers, blank line, body).
    static func attachment(type: String, filename: String, bytes: [UInt8]) -> [String] {
        [
            "Content-Type: \(type); name=\"\(filename)\"",
            "Content-Disposition: attachment; filename=\"\(filename)\"",
            "Content-Transfer-Encoding: base64",
            "",
            base64(bytes),
        ]
    }

    /// multipart/mixed with the given parts (each a list of lines).
    static func multipart(boundary: String, headers: [String] = [], parts: [[String]], close: Bool = true) -> [String] {
        var lines = headers + [
            "MIME-Version: 1.0",
            "Content-Type: multipart/mixed; boundary=\"\(boundary)\"",
            "",
            "This is a multi-part message in MIME format.",
        ]
        for part in parts {
            lines.append("--\(boundary)")
            lines.append(contentsOf: part)
        }
        if close { lines.append("--\(boundary)--") }
        lines.append("")
        return lines
    }

    static let envelopeHeaders = [
        "From: Ada Organiser <ada@branch.example>",
        "To: Officials <officials@union.example>",
        "Subject: Minutes",
        "Date: Sat, 21 Nov 2026 10:00:00 +0000",
        "Message-ID: <m1@branch.example>",
    ]
}
