import Foundation
import StewardCore
@testable import StewardInspection
import Testing

/// Issue 12: a message inside a part of any declared type is inspected as an attached message,
/// and a part is judged under every name it carries. Each attack beside a benign twin.
@Suite struct HiddenMessageAndNameTests {
    let judge = Judge()

    /// A whole message carrying a Windows program, as a mail client saves it (.eml).
    func innerMessage() throws -> [UInt8] {
        Mail.message([Mail.Attachment(filename: "setup.exe", bytes: try Files.pe())])
    }

    // MARK: A message in a part of any type

    @Test("a message sent as octet-stream, text/plain, with no type, or named .eml is opened", arguments: [
        ["Content-Type: application/octet-stream; name=\"fwd.bin\"", "Content-Disposition: attachment; filename=\"fwd.bin\""],
        ["Content-Type: text/plain; name=\"notes.txt\"", "Content-Disposition: attachment; filename=\"notes.txt\""],
        ["Content-Disposition: attachment; filename=\"forwarded\""],
        ["Content-Type: application/octet-stream", "Content-Disposition: attachment; filename=\"Re: invoice.eml\""],
    ])
    func messageInAnyType(headers: [String]) throws {
        let bytes = Mail.message([Mail.Attachment(filename: "x", bytes: try innerMessage(), nameHeaders: headers)])
        let findings = try judge.findings(bytes)
        #expect(findings.contains { $0.hasPrefix("executable-attachment: ") && $0.contains("\"setup.exe\"") }, "\(findings)")
    }

    @Test("a message inside a zip inside a message in a text part is opened, at any depth")
    func messageInZip() throws {
        let zip = try Files.zip([("mail/forwarded.eml", try innerMessage())])
        let findings = try judge.findings(Mail.attached("archive.zip", zip))
        #expect(findings.contains { $0.hasPrefix("executable-attachment: ") && $0.contains("\"setup.exe\"") }, "\(findings)")
    }

    @Test("a forwarded newsletter as .eml passes")
    func newsletterPasses() throws {
        let newsletter = [
            "From: Branch News <news@london.union.example>", "To: members@london.union.example", "Subject: November newsletter",
            "Date: Fri, 20 Nov 2026 09:00:00 +0000", "Message-ID: <news-11@london.union.example>", "MIME-Version: 1.0",
            "Content-Type: multipart/alternative; boundary=\"n1\"", "",
            "--n1", "Content-Type: text/plain; charset=utf-8", "", "Our November newsletter: the AGM is on 3 December.",
            "--n1", "Content-Type: text/html; charset=utf-8", "",
            "<html><body><h1>November</h1><p>The AGM is on 3 December. <a href=\"https://union.example/agm\">Details</a></p></body></html>",
            "--n1--", "",
        ].joined(separator: "\r\n")
        let bytes = Mail.message([Mail.Attachment(
            filename: "newsletter.eml", bytes: Array(newsletter.utf8), contentType: "application/octet-stream")])
        #expect(try judge.findings(bytes).isEmpty)
        // And it was opened: its parts are below the attachment.
        let inspected = try Inspector().inspect(bytes: bytes)
        let attachment = try #require(inspected.allParts.first { $0.filename == "newsletter.eml" })
        #expect(attachment.allParts.contains { $0.contentType == "text/html" })
        #expect(attachment.messageHeaders.contains { $0.name == "Subject" })
    }

    @Test("a plain text attachment that merely starts with a header-like line is not a message")
    func notAMessage() throws {
        let text = "Subject to contract: the offer stands.\r\nRegards\r\n"
        let inspected = try Inspector().inspect(bytes: Mail.attached("offer.txt", Array(text.utf8), type: "text/plain"))
        let part = try #require(inspected.allParts.first { $0.filename == "offer.txt" })
        #expect(part.children.isEmpty && part.messageHeaders.isEmpty)
    }

    // MARK: Every name counts

    @Test("a part is judged under every name it carries", arguments: [
        // duplicated filename parameters
        ["Content-Type: application/octet-stream", "Content-Disposition: attachment; filename=\"notes.txt\"; filename=\"notes.js\""],
        // a name that disagrees with filename
        ["Content-Type: application/octet-stream; name=\"notes.js\"", "Content-Disposition: attachment; filename=\"notes.txt\""],
        // RFC 2231 form beside a plain one
        ["Content-Type: application/octet-stream; name*=utf-8''notes%2Ejs", "Content-Disposition: attachment; filename=\"notes.txt\""],
        // RFC 2231 continuations
        ["Content-Type: application/octet-stream; name*0=\"no\"; name*1=\"tes.js\"", "Content-Disposition: attachment; filename=\"notes.txt\""],
        // RFC 2047 encoded word in name
        ["Content-Type: application/octet-stream; name=\"=?utf-8?B?bm90ZXMuanM=?=\"", "Content-Disposition: attachment; filename=\"notes.txt\""],
    ])
    func everyName(headers: [String]) throws {
        let script = Array("WScript.Echo('hello');\n".utf8)
        let findings = try judge.findings(Mail.message([Mail.Attachment(filename: "x", bytes: script, nameHeaders: headers)]))
        #expect(findings.contains { $0.hasPrefix("risky-file-name: ") && $0.contains("named as .js") }, "\(findings)")
    }

    @Test("names that agree, and a picture named .exe.png, pass")
    func agreeingNamesPass() throws {
        let text = Array("Agenda: 1. Minutes 2. Pay\n".utf8)
        let agree = Mail.message([Mail.Attachment(filename: "x", bytes: text, nameHeaders: [
            "Content-Type: text/plain; name=\"agenda.txt\"", "Content-Disposition: attachment; filename=\"agenda.txt\"; filename*=utf-8''agenda.txt",
        ])])
        #expect(try judge.findings(agree).isEmpty)
        let png = try Files.python("""
            import struct, zlib
            def chunk(kind, data): return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
            raw = b"".join(b"\\0" + b"\\x80\\x80\\x80" * 4 for _ in range(4))
            open("out", "wb").write(b"\\x89PNG\\r\\n\\x1a\\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", 4, 4, 8, 2, 0, 0, 0)) + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b""))
            """)
        #expect(try judge.findings(Mail.attached("holiday.exe.png", png, type: "image/png")).isEmpty)
    }

    @Test("the raw parameter reader decodes each form")
    func parameterReader() {
        #expect(PartNames.names(inHeaderValue: "attachment; filename=\"a.txt\"; filename=b.js") == ["a.txt", "b.js"])
        #expect(PartNames.names(inHeaderValue: "application/x; name*=iso-8859-1'en'caf%E9.exe") == ["café.exe"])
        #expect(PartNames.names(inHeaderValue: "application/x; name*0*=utf-8''%E2%80%AE; name*1=\"fdp.exe\"") == ["\u{202E}fdp.exe"])
        #expect(PartNames.names(inHeaderValue: "attachment; size=10; creation-date=\"Mon; 1 Jan\"; filename=\"x;y.pdf\"") == ["x;y.pdf"])
    }
}
