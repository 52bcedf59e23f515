import Foundation
import StewardCore
import StewardInspection
import StewardTestSupport
import Testing

/// Hostile or broken input: every case returns a result (or an InspectionError) quickly and never crashes.
@Suite("Inspection: broken and hostile input")
struct BadInputTests {
    let inspector = Inspector()

    /// Runs an inspection, failing the test if it takes more than `seconds`.
    private func quickly(
        _ seconds: Double = 5, _ body: () throws(InspectionError) -> InspectedMessage
    ) -> Result<InspectedMessage, InspectionError> {
        let start = ContinuousClock.now
        let result = Result(catching: body)
        #expect(ContinuousClock.now - start < .seconds(seconds))
        return result
    }

    @Test func zeroBytes() {
        let result = quickly { () throws(InspectionError) in try inspector.inspect(bytes: []) }
        #expect(throws: InspectionError.self) { try result.get() }
        if case .failure(let error) = result { #expect(error.code == .parserFailure) }
    }

    @Test func headersWithoutBody() throws {
        let bytes = Array("From: a@branch.example\r\nSubject: no body\r\n".utf8)
        let message = try quickly { () throws(InspectionError) in try inspector.inspect(bytes: bytes) }.get()
        #expect(message.headerValues("Subject") == ["no body"])
        #expect(message.root.content.isEmpty)
    }

    @Test func randomGarbage() throws {
        var rng = SplitMix64(seed: 42)
        for _ in 0..<4 {
            // No header block at all: GMime finds no message, which is an error, not a crash.
            let garbage = (0..<(64 * 1024)).map { _ in UInt8.random(in: 0...255, using: &rng) }
            let result = quickly { () throws(InspectionError) in try inspector.inspect(bytes: garbage) }
            if case .failure(let error) = result {
                #expect(error.code == .parserFailure)
            } else {
                Issue.record("garbage without headers parsed as a message")
            }
        }
        // Garbage after a valid header block: a body of opaque bytes, kept byte for byte except
        // that each bare LF gets its CR, as the MTA would hand it to a milter (ParserLineEnds).
        let garbage = (0..<(64 * 1024)).map { _ in UInt8.random(in: 0...255, using: &rng) }
        let bytes = Array("Subject: noise\r\n\r\n".utf8) + garbage
        let message = try quickly { () throws(InspectionError) in try inspector.inspect(bytes: bytes) }.get()
        #expect(message.headerValues("subject") == ["noise"])
        #expect(message.root.contentType == "text/plain")
        var crlf = [UInt8]()
        for (index, byte) in garbage.enumerated() {
            if byte == 0x0A, index == 0 || garbage[index - 1] != 0x0D { crlf.append(0x0D) }
            crlf.append(byte)
        }
        #expect(message.root.content.bytes(upTo: .max) == crlf)
        #expect(message.root.trueType == "application/octet-stream")
        #expect(message.root.text?.isEmpty == false)
    }

    @Test func hundredThousandLineHeaderBlock() throws {
        var text = "From: a@branch.example\r\n"
        for line in 0..<100_000 { text += "X-Filler-\(line): value \(line)\r\n" }
        text += "Subject: after the flood\r\n\r\nbody\r\n"
        let message = try quickly(20) { () throws(InspectionError) in try inspector.inspect(bytes: Array(text.utf8)) }.get()
        #expect(message.headers.count == 100_002)
        #expect(message.headerValues("subject") == ["after the flood"])
        #expect(message.headers[50_001] == RawHeader(name: "X-Filler-50000", rawValue: Array(" value 50000".utf8)))
        #expect(message.root.text == "body\r\n")
    }

    @Test func eightBitHeaderBytesSurvive() throws {
        let utf8Subject: [UInt8] = Array(" Grüße aus Köln".utf8)
        let latinSubject: [UInt8] = [0x20, 0x47, 0x72, 0xFC, 0xDF, 0x65]  // " Grüße" in Latin-1
        let bytes = Array("From: a@branch.example\r\nSubject:".utf8) + utf8Subject + Array("\r\nX-Latin:".utf8)
            + latinSubject + Array("\r\nContent-Type: text/plain\r\n\r\nhi\r\n".utf8)
        let message = try inspector.inspect(bytes: bytes)
        #expect(message.headers[1] == RawHeader(name: "Subject", rawValue: utf8Subject))
        #expect(message.headers[2] == RawHeader(name: "X-Latin", rawValue: latinSubject))
        #expect(message.headerValues("subject") == ["Grüße aus Köln"])
        #expect(message.root.text == "hi\r\n")
    }

    @Test func eightBitFilenameIsDecodedNotLost() throws {
        let head = Array("Content-Type: multipart/mixed; boundary=x\r\n\r\n--x\r\nContent-Type: image/png\r\nContent-Disposition: attachment; filename=\"".utf8)
        let bytes = head + Array("Grüße.png".utf8) + Array("\"\r\nContent-Transfer-Encoding: base64\r\n\r\n".utf8)
            + Array(Fixture.base64(Fixture.png).utf8) + Array("\r\n--x--\r\n".utf8)
        let part = try #require(try inspector.inspect(bytes: bytes).root.children.first)
        #expect(part.filename == "Grüße.png")
        #expect(part.content.bytes(upTo: .max) == Fixture.png)
    }

    @Test func unterminatedMultipartBoundary() throws {
        let lines = Fixture.multipart(boundary: "never-closed", headers: Fixture.envelopeHeaders, parts: [
            ["Content-Type: text/plain", "", "first"],
            Fixture.attachment(type: "application/pdf", filename: "hidden.pdf", bytes: Fixture.pdf),
        ], close: false)
        let message = try quickly { () throws(InspectionError) in try inspector.inspect(bytes: Fixture.crlf(lines)) }.get()
        #expect(message.root.origin == .multipart)
        #expect(message.root.children.count == 2)
        let pdf = message.root.children[1]
        #expect(pdf.filename == "hidden.pdf")
        #expect(pdf.content.bytes(upTo: .max) == Fixture.pdf)
        #expect(pdf.trueType == "application/pdf")
    }

    @Test func multipartWithNoPartsAtAll() throws {
        let bytes = Array("Content-Type: multipart/mixed; boundary=q\r\n\r\nno boundary ever appears\r\n".utf8)
        let message = try inspector.inspect(bytes: bytes)
        #expect(message.root.origin == .multipart)
        #expect(message.root.children.isEmpty)
    }

    @Test func truncatedBase64() throws {
        let bytes = Array("Content-Type: application/pdf\r\nContent-Transfer-Encoding: base64\r\n\r\nJVBERi0xLjQK!!!$$$JVBE".utf8)
        let message = try inspector.inspect(bytes: bytes)
        #expect(message.root.content.head.starts(with: Array("%PDF-1.4\n".utf8)))
    }

    @Test func unknownTransferEncodingKeepsBytes() throws {
        let bytes = Array("Content-Type: application/octet-stream\r\nContent-Transfer-Encoding: x-weird\r\n\r\n%PDF-1.4\r\n".utf8)
        let message = try inspector.inspect(bytes: bytes)
        #expect(message.root.content.bytes(upTo: .max) == Array("%PDF-1.4\r\n".utf8))
        #expect(message.root.trueType == "application/pdf")
    }
}
