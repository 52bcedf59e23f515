import Foundation
import StewardCore
import Testing

/// Ordinary union mail passes with no finding.
@Suite struct BenignMailTests {
    let judge = Judge()

    static let png: [UInt8] = [
        0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0x00, 0x00, 0x00, 0x0D, 0x49, 0x48, 0x44, 0x52, 0x00, 0x00, 0x00, 0x01,
        0x00, 0x00, 0x00, 0x01, 0x08, 0x06, 0x00, 0x00, 0x00, 0x1F, 0x15, 0xC4, 0x89, 0x00, 0x00, 0x00, 0x0A, 0x49, 0x44, 0x41,
        0x54, 0x78, 0x9C, 0x63, 0x00, 0x01, 0x00, 0x00, 0x05, 0x00, 0x01, 0x0D, 0x0A, 0x2D, 0xB4, 0x00, 0x00, 0x00, 0x00, 0x49,
        0x45, 0x4E, 0x44, 0xAE, 0x42, 0x60, 0x82,
    ]

    @Test func everydayAttachments() throws {
        let ics = Array("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nBEGIN:VEVENT\r\nSUMMARY:Branch meeting\r\nDTSTART:20261201T180000Z\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n".utf8)
        let vcf = Array("BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Chris Lee\r\nEMAIL:chris.lee@london.union.example\r\nEND:VCARD\r\n".utf8)
        let csv = Array("name,branch\r\nChris Lee,London\r\n".utf8)
        let message = Mail.message([
            Mail.Attachment(filename: "Agenda.PDF", bytes: Files.pdf("/OpenAction [2 0 R /Fit]"), contentType: "application/pdf"),
            Mail.Attachment(filename: "photo.png", bytes: Self.png, contentType: "image/png"),
            Mail.Attachment(filename: "minutes.docx", bytes: try Files.ooxml(kind: "word", macro: false)),
            Mail.Attachment(filename: "budget.xlsx", bytes: try Files.ooxml(kind: "xl", macro: false)),
            Mail.Attachment(filename: "slides.pptx", bytes: try Files.ooxml(kind: "ppt", macro: false)),
            Mail.Attachment(filename: "invite.ics", bytes: ics, contentType: "text/calendar"),
            Mail.Attachment(filename: "chris.vcf", bytes: vcf, contentType: "text/vcard"),
            Mail.Attachment(filename: "members.csv", bytes: csv, contentType: "text/csv"),
            Mail.Attachment(filename: "SCAN0001.JPG", bytes: Self.png, contentType: "image/jpeg"),
        ])
        #expect(try judge.findings(message) == [])
    }

    @Test func signedMail() throws {
        let signature = try Files.run(
            ["sh", "-c", "openssl req -x509 -newkey rsa:2048 -nodes -keyout k.pem -out c.pem -subj /CN=t -days 1 2>/dev/null && printf 'hello' > m && openssl smime -sign -binary -in m -signer c.pem -inkey k.pem -outform DER -out out"],
            output: "out")
        let text = [
            "From: carol@partner.example", "To: bob@london.union.example", "Subject: signed", "MIME-Version: 1.0",
            "Content-Type: multipart/signed; protocol=\"application/pkcs7-signature\"; micalg=sha-256; boundary=\"s\"",
            "", "--s", "Content-Type: text/plain", "", "hello", "--s",
            "Content-Type: application/pkcs7-signature; name=\"smime.p7s\"", "Content-Disposition: attachment; filename=\"smime.p7s\"",
            "Content-Transfer-Encoding: base64", "", Mail.base64(signature), "--s--", "",
        ].joined(separator: "\r\n")
        #expect(try judge.findings(Array(text.utf8)) == [])
    }

    @Test func forwardedMessageAndNewsletter() throws {
        let inner = String(decoding: Mail.attached("minutes.pdf", Files.pdf("")), as: UTF8.self)
        let html = "<html><body><img src=\"cid:logo\"><p>News from the branch</p><script>track()</script><form action=\"https://union.example/s\"></form></body></html>"
        let text = [
            "From: news@partner.example", "To: bob@london.union.example", "Subject: Fwd", "MIME-Version: 1.0",
            "Content-Type: multipart/mixed; boundary=\"o\"", "",
            "--o", "Content-Type: multipart/related; boundary=\"r\"", "",
            "--r", "Content-Type: text/html; charset=utf-8", "", html,
            "--r", "Content-Type: image/png", "Content-ID: <logo>", "Content-Disposition: inline", "Content-Transfer-Encoding: base64", "", Mail.base64(Self.png),
            "--r--",
            "--o", "Content-Type: message/rfc822", "", inner,
            "--o--", "",
        ].joined(separator: "\r\n")
        #expect(try judge.findings(Array(text.utf8)) == [], "the newsletter's own HTML body is not a file")
    }

    @Test func forwardedMessageIsOpenedAndJudged() throws {
        let inner = String(decoding: Mail.attached("update.pdf.exe", try Files.pe()), as: UTF8.self)
        let text = [
            "From: carol@partner.example", "To: bob@london.union.example", "Subject: Fwd", "MIME-Version: 1.0",
            "Content-Type: multipart/mixed; boundary=\"o\"", "", "--o", "Content-Type: text/plain", "", "fyi",
            "--o", "Content-Type: message/rfc822", "", inner, "--o--", "",
        ].joined(separator: "\r\n")
        #expect(try judge.findings(Array(text.utf8)).contains(#"executable-attachment: part 2.1.2 "update.pdf.exe": Windows executable (PE32) named as .exe behind .pdf"#))
    }
}
