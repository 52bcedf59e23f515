import Foundation
import StewardCore
import StewardInspection
import StewardTestSupport
import Testing

@Suite("Inspection: tree, decoding, names, true types")
struct StructureTests {
    let inspector = Inspector()

    @Test func simpleTextPlain() throws {
        let bytes = Fixture.crlf(Fixture.envelopeHeaders + [
            "MIME-Version: 1.0",
            "Content-Type: text/plain; charset=utf-8",
            "",
            "Hello branch,",
            "the meeting is on Tuesday.",
            "",
        ])
        let message = try inspector.inspect(bytes: bytes)
        #expect(message.size == bytes.count)
        #expect(message.root.path == [])
        #expect(message.root.origin == .leaf)
        #expect(message.root.contentType == "text/plain")
        #expect(message.root.charset == "utf-8")
        #expect(message.root.children.isEmpty)
        #expect(message.root.text == "Hello branch,\r\nthe meeting is on Tuesday.\r\n")
        #expect(message.root.trueType == "text/plain")
        #expect(message.limitsReached.isEmpty)
        #expect(message.headerValues("subject") == ["Minutes"])
        #expect(message.headers.map(\.name) == [
            "From", "To", "Subject", "Date", "Message-ID", "MIME-Version", "Content-Type",
        ])
    }

    @Test func headersKeepRawFoldedValues() throws {
        let bytes = Array((
            "From: a@branch.example\r\n"
                + "Subject: a long\r\n\tfolded  subject\r\n"
                + "X-Empty:\r\n"
                + "X-Encoded: =?UTF-8?Q?caf=C3=A9?=\r\n"
                + "\r\nbody\r\n"
        ).utf8)
        let message = try inspector.inspect(bytes: bytes)
        #expect(message.headers == [
            RawHeader(name: "From", rawValue: Array(" a@branch.example".utf8)),
            RawHeader(name: "Subject", rawValue: Array(" a long\r\n\tfolded  subject".utf8)),
            RawHeader(name: "X-Empty", rawValue: []),
            RawHeader(name: "X-Encoded", rawValue: Array(" =?UTF-8?Q?caf=C3=A9?=".utf8), decoded: "café"),
        ])
        #expect(message.headers[1].value == "a long folded  subject")
    }

    @Test func multipartWithPdfAndPngAttachments() throws {
        let bytes = Fixture.crlf(Fixture.multipart(boundary: "b-1", headers: Fixture.envelopeHeaders, parts: [
            ["Content-Type: text/plain; charset=us-ascii", "", "See attached."],
            Fixture.attachment(type: "application/pdf", filename: "minutes.pdf", bytes: Fixture.pdf),
            Fixture.attachment(type: "image/png", filename: "logo.png", bytes: Fixture.png),
        ]))
        let message = try inspector.inspect(bytes: bytes)
        let root = message.root
        #expect(root.origin == .multipart)
        #expect(root.contentType == "multipart/mixed")
        #expect(root.content.isEmpty)
        #expect(root.children.map(\.path) == [[1], [2], [3]])

        let text = root.children[0]
        #expect(text.text == "See attached.")
        #expect(text.disposition == nil)

        let pdf = root.children[1]
        #expect(pdf.origin == .leaf)
        #expect(pdf.contentType == "application/pdf")
        #expect(pdf.filename == "minutes.pdf")
        #expect(pdf.disposition == "attachment")
        #expect(pdf.content.bytes(upTo: .max) == Fixture.pdf)
        #expect(pdf.trueType == "application/pdf")
        #expect(pdf.trueTypeDescription?.hasPrefix("PDF document, version 1.4") == true)
        #expect(pdf.text == nil)

        let png = root.children[2]
        #expect(png.filename == "logo.png")
        #expect(png.content.bytes(upTo: .max) == Fixture.png)
        #expect(png.trueType == "image/png")
        #expect(png.trueTypeDescription?.contains("PNG image data, 1 x 1") == true)
        #expect(message.allParts.count == 4)
    }

    @Test func quotedPrintableIsDecodedByteExact() throws {
        let bytes = Fixture.crlf([
            "Subject: qp",
            "Content-Type: text/plain; charset=utf-8",
            "Content-Transfer-Encoding: quoted-printable",
            "",
            "caf=C3=A9 =3D soft=",
            "break=09tab=00nul",
            "",
        ])
        let message = try inspector.inspect(bytes: bytes)
        #expect(message.root.content.bytes(upTo: .max) == Array("café = softbreak\ttab".utf8) + [0] + Array("nul\r\n".utf8))
        #expect(message.root.text == "café = softbreak\ttab\u{0}nul\r\n")
    }

    @Test func base64BinaryIsDecodedByteExact() throws {
        var rng = SplitMix64(seed: 7)
        let blob = (0..<5000).map { _ in UInt8.random(in: 0...255, using: &rng) }
        let bytes = Fixture.crlf(Fixture.multipart(boundary: "zz", parts: [
            Fixture.attachment(type: "application/octet-stream", filename: "blob.bin", bytes: blob),
        ]))
        let message = try inspector.inspect(bytes: bytes)
        #expect(message.root.children.first?.content.bytes(upTo: .max) == blob)
        #expect(message.root.children.first?.trueType == "application/octet-stream")
    }

    @Test func rfc2231ContinuationFilename() throws {
        let bytes = Fixture.crlf(Fixture.multipart(boundary: "b", parts: [[
            "Content-Type: application/pdf",
            "Content-Disposition: attachment; filename*0*=UTF-8''r%C3%A9sum; filename*1=\".pdf\"",
            "Content-Transfer-Encoding: base64",
            "",
            Fixture.base64(Fixture.pdf),
        ]]))
        let part = try #require(try inspector.inspect(bytes: bytes).root.children.first)
        #expect(part.filename == "résum.pdf")
        #expect(part.trueType == "application/pdf")
    }

    @Test func rfc2047Filename() throws {
        let encoded = "=?UTF-8?B?" + Data("Protokoll Übersicht.pdf".utf8).base64EncodedString() + "?="
        let bytes = Fixture.crlf(Fixture.multipart(boundary: "b", parts: [[
            "Content-Type: application/pdf; name=\"\(encoded)\"",
            "Content-Disposition: attachment; filename=\"\(encoded)\"",
            "Content-Transfer-Encoding: base64",
            "",
            Fixture.base64(Fixture.pdf),
        ]]))
        let part = try #require(try inspector.inspect(bytes: bytes).root.children.first)
        #expect(part.filename == "Protokoll Übersicht.pdf")
    }

    @Test func nameParameterIsUsedWhenThereIsNoDisposition() throws {
        let bytes = Fixture.crlf(Fixture.multipart(boundary: "b", parts: [[
            "Content-Type: image/png; name=\"=?ISO-8859-1?Q?gr=FC=DFe.png?=\"",
            "Content-Transfer-Encoding: base64",
            "",
            Fixture.base64(Fixture.png),
        ]]))
        let part = try #require(try inspector.inspect(bytes: bytes).root.children.first)
        #expect(part.filename == "grüße.png")
        #expect(part.disposition == nil)
        #expect(part.trueType == "image/png")
    }

    @Test func dispositionIsLowerCased() throws {
        let bytes = Fixture.crlf(Fixture.multipart(boundary: "b", parts: [[
            "Content-Type: IMAGE/PNG",
            "Content-Disposition: INLINE; filename=logo.png",
            "Content-Transfer-Encoding: base64",
            "",
            Fixture.base64(Fixture.png),
        ]]))
        let part = try #require(try inspector.inspect(bytes: bytes).root.children.first)
        #expect(part.contentType == "image/png")
        #expect(part.disposition == "inline")
        #expect(part.filename == "logo.png")
    }

    @Test func attachedMessageBecomesChildren() throws {
        let inner = Fixture.multipart(
            boundary: "inner",
            headers: ["From: Bob <bob@other.example>", "Subject: Forwarded plans"],
            parts: [
                ["Content-Type: text/plain", "", "internal plans attached"],
                Fixture.attachment(type: "application/pdf", filename: "plans.pdf", bytes: Fixture.pdf),
            ]
        )
        let bytes = Fixture.crlf(Fixture.multipart(boundary: "outer", headers: Fixture.envelopeHeaders, parts: [
            ["Content-Type: text/plain", "", "FYI"],
            ["Content-Type: message/rfc822", "Content-Disposition: attachment; filename=\"fwd.eml\"", ""] + inner,
        ]))
        let message = try inspector.inspect(bytes: bytes)
        #expect(message.allParts.map(\.path) == [[], [1], [2], [2, 1], [2, 1, 1], [2, 1, 2]])
        let attached = message.root.children[1]
        #expect(attached.origin == .message)
        #expect(attached.contentType == "message/rfc822")
        #expect(attached.filename == "fwd.eml")
        #expect(attached.content.isEmpty)
        let body = try #require(attached.children.first)
        #expect(body.origin == .multipart)
        #expect(body.children[0].text == "internal plans attached")
        #expect(body.children[1].filename == "plans.pdf")
        #expect(body.children[1].content.bytes(upTo: .max) == Fixture.pdf)
        #expect(body.children[1].trueType == "application/pdf")
        // Only the outer message's headers are the message's headers.
        #expect(message.headerValues("Subject") == ["Minutes"])
    }

    @Test func uuencodedBlockBecomesChild() throws {
        let bytes = Array((
            "Subject: old mailer\n"
                + "Content-Type: text/plain\n\n"
                + "Here is the logo:\n\n"
                + "begin 644 logo.png\n" + Fixture.pngUuencodedLines + " \nend\n"
                + "and a note:\n"
                + "begin 600 cat.txt\n#0V%T\n`\nend\n"
                + "bye\n"
        ).utf8)
        let message = try inspector.inspect(bytes: bytes)
        let text = message.root
        #expect(text.origin == .leaf)
        #expect(text.children.count == 2)
        let logo = text.children[0]
        #expect(logo.origin == .uuencoded)
        #expect(logo.path == [1])
        #expect(logo.filename == "logo.png")
        #expect(logo.content.bytes(upTo: .max) == Fixture.png)
        #expect(logo.trueType == "image/png")
        let cat = text.children[1]
        #expect(cat.path == [2])
        #expect(cat.filename == "cat.txt")
        #expect(cat.content.bytes(upTo: .max) == Array("Cat".utf8))
    }

    @Test func eicarStringSurvivesDecoding() throws {
        #expect(Fixture.eicar.count == 68)
        let bytes = Fixture.crlf(Fixture.multipart(boundary: "e", headers: Fixture.envelopeHeaders, parts: [
            ["Content-Type: text/plain", "", "test file attached"],
            Fixture.attachment(type: "application/octet-stream", filename: "eicar.com", bytes: Fixture.eicar),
        ]))
        let part = try inspector.inspect(bytes: bytes).root.children[1]
        #expect(part.filename == "eicar.com")
        #expect(part.content.bytes(upTo: .max) == Fixture.eicar)
    }

    @Test func fileGivesSameResultAsBytes() throws {
        let bytes = Fixture.crlf(Fixture.multipart(boundary: "f", headers: Fixture.envelopeHeaders, parts: [
            ["Content-Type: text/plain; charset=iso-8859-1", "Content-Transfer-Encoding: quoted-printable", "", "caf=E9"],
            Fixture.attachment(type: "image/png", filename: "logo.png", bytes: Fixture.png),
            Fixture.attachment(type: "application/pdf", filename: "a.pdf", bytes: Fixture.pdf),
        ]))
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("steward-inspection-\(UUID()).eml")
        try Data(bytes).write(to: url)
        defer { try? FileManager.default.removeItem(at: url) }

        let fromFile = try inspector.inspect(fileAt: url)
        let fromBytes = try inspector.inspect(bytes: bytes)
        #expect(fromFile.headers == fromBytes.headers)
        #expect(fromFile.root == fromBytes.root)
        #expect(fromFile.size == bytes.count)
        #expect(fromFile.root.children[0].text == "café")
        #expect(fromFile.root.children[1].content.bytes(upTo: .max) == Fixture.png)
    }

    @Test func missingFileIsUnreadable() {
        let url = URL(fileURLWithPath: "/nonexistent/steward/\(UUID()).eml")
        #expect {
            try inspector.inspect(fileAt: url)
        } throws: { error in
            (error as? InspectionError)?.code == .unreadable
        }
    }
}
