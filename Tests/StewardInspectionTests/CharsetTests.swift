import StewardCore
import StewardInspection
import Testing

@Suite("Inspection: text converted to UTF-8 from the declared charset")
struct CharsetTests {
    let inspector = Inspector()

    private func textPart(charset: String, body: [UInt8], type: String = "text/plain") throws -> MessagePart {
        let head = Array("Subject: charset\r\nContent-Type: \(type); charset=\(charset)\r\nContent-Transfer-Encoding: 8bit\r\n\r\n".utf8)
        return try inspector.inspect(bytes: head + body).root
    }

    @Test func latin1() throws {
        // "Grüße, café" in ISO-8859-1
        let part = try textPart(charset: "ISO-8859-1", body: [0x47, 0x72, 0xFC, 0xDF, 0x65, 0x2C, 0x20, 0x63, 0x61, 0x66, 0xE9])
        #expect(part.charset == "ISO-8859-1")
        #expect(part.text == "Grüße, café")
        #expect(part.content.bytes(upTo: .max) == [0x47, 0x72, 0xFC, 0xDF, 0x65, 0x2C, 0x20, 0x63, 0x61, 0x66, 0xE9])
    }

    @Test func windows1252() throws {
        // €5 “quoted” – dash
        let body: [UInt8] = [0x80, 0x35, 0x20, 0x93, 0x71, 0x75, 0x6F, 0x74, 0x65, 0x64, 0x94, 0x20, 0x96, 0x20, 0x64, 0x61, 0x73, 0x68]
        let part = try textPart(charset: "windows-1252", body: body)
        #expect(part.text == "€5 “quoted” – dash")
    }

    @Test func htmlIsKeptAsText() throws {
        let part = try textPart(charset: "iso-8859-15", body: Array("<p>Price: ".utf8) + [0xA4] + Array("10</p>".utf8), type: "text/html")
        #expect(part.contentType == "text/html")
        #expect(part.text == "<p>Price: €10</p>")
    }

    @Test func bogusCharsetFallsBack() throws {
        let utf8 = try textPart(charset: "x-no-such-charset", body: Array("naïve".utf8))
        #expect(utf8.text == "naïve")
        let latin = try textPart(charset: "\"totally bogus\"", body: [0x6E, 0x61, 0xEF, 0x76, 0x65])
        #expect(latin.text == "naïve")
    }

    @Test func invalidUtf8DeclaredAsUtf8IsRepairedNotThrown() throws {
        let part = try textPart(charset: "utf-8", body: [0x6F, 0x6B, 0xFF, 0xFE, 0x21])
        let text = try #require(part.text)
        #expect(text.hasPrefix("ok"))
        #expect(text.hasSuffix("!"))
    }

    @Test func nonTextPartsHaveNoText() throws {
        let part = try textPart(charset: "utf-8", body: Array("a,b\n".utf8), type: "application/json")
        #expect(part.text == nil)
        // As the MTA hands a milter its mail: the bare LF ends its line with CRLF (ParserLineEnds).
        #expect(part.content.bytes(upTo: .max) == Array("a,b\r\n".utf8))
    }
}
