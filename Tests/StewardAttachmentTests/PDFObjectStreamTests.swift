import Foundation
import StewardCore
import Testing

/// PDF 1.5 object streams (`/Type /ObjStm`, zlib-compressed): writers pack most objects into
/// them, and so can someone hiding a JavaScript or Launch action from a scanner that reads
/// only the file's plain bytes.
@Suite struct PDFObjectStreamTests {
    let judge = Judge()

    /// A PDF whose catalog points at object 5, and objects 5… packed into a FlateDecode object
    /// stream (header of object numbers and offsets, `/N`, `/First`, as PDF 1.5 writers make
    /// it); `compress` false stores the stream unfiltered. `extraStream` adds a plain
    /// FlateDecode stream (an image's kind) holding the given bytes.
    static func pdf(objects: [String], compress: Bool = true, extraStream: String? = nil) throws -> [UInt8] {
        let list = objects.map { "\"\"\"" + $0 + "\"\"\"" }.joined(separator: ", ")
        return try Files.python("""
            import zlib
            objects = [\(list)]
            header, body = [], b""
            for number, text in enumerate(objects, start=5):
                header.append(b"%d %d" % (number, len(body)))
                body += text.encode() + b"\\n"
            first = b" ".join(header) + b"\\n"
            data = first + body
            compress = \(compress ? "True" : "False")
            packed = zlib.compress(data) if compress else data
            filt = b" /Filter /FlateDecode" if compress else b""
            out = b"%PDF-1.5\\n%\\xe2\\xe3\\xcf\\xd3\\n"
            out += b"1 0 obj << /Type /Catalog /Pages 2 0 R /OpenAction 5 0 R >> endobj\\n"
            out += b"2 0 obj << /Type /Pages /Kids [] /Count 0 >> endobj\\n"
            out += b"3 0 obj << /Type /ObjStm /N %d /First %d /Length %d%s >>\\nstream\\r\\n" % (len(objects), len(first), len(packed), filt)
            out += packed + b"\\r\\nendstream\\nendobj\\n"
            extra = \(extraStream.map { "\"\"\"" + $0 + "\"\"\"" } ?? "None")
            if extra is not None:
                image = zlib.compress(extra.encode())
                out += b"4 0 obj << /Type /XObject /Subtype /Image /Filter /FlateDecode /Length %d >>\\nstream\\n" % len(image)
                out += image + b"\\nendstream\\nendobj\\n"
            out += b"trailer << /Root 1 0 R >>\\n%%EOF\\n"
            open("out", "wb").write(out)
            """)
    }

    @Test(arguments: [
        ("<< /Type /Action /S /JavaScript /JS (app.alert\\\\(1\\\\)) >>", "PDF with JavaScript"),
        ("<< /Type /Action /S /J#61vaScript /J#53 6 0 R >>", "PDF with JavaScript"),
        ("<< /Type /Action /S /Launch /F (calc.exe) >>", "PDF with a Launch action that starts a program (calc.exe)"),
    ])
    func activeContentInsideACompressedObjectStreamIsFound(_ object: String, _ detail: String) throws {
        let bytes = try Self.pdf(objects: [object, "<< /Length 0 >>"])
        #expect(!ByteSearch.contains(Array("/S /".utf8), in: bytes), "the action must be hidden by the compression")
        #expect(try judge.findings(Mail.attached("notice.pdf", bytes, type: "application/pdf")) == ["pdf-active-content: part 2 \"notice.pdf\": \(detail)"])
    }

    @Test func anEmbeddedProgramInsideAnObjectStreamIsFound() throws {
        let bytes = try Self.pdf(objects: [
            "<< /Names << /EmbeddedFiles << /Names [(agenda) 6 0 R] >> >> >>",
            "<< /Type /Filespec /F (agenda.pdf.exe) /EF << /F 7 0 R >> >>",
        ])
        #expect(try judge.findings(Mail.attached("agenda.pdf", bytes, type: "application/pdf"))
            == [#"pdf-active-content: part 2 "agenda.pdf": PDF carrying the embedded program "agenda.pdf.exe""#])
    }

    @Test func anUncompressedObjectStreamIsScannedToo() throws {
        let bytes = try Self.pdf(objects: ["<< /S /JavaScript /JS (x) >>"], compress: false)
        #expect(try judge.rules(Mail.attached("notice.pdf", bytes, type: "application/pdf")) == ["pdf-active-content"])
    }

    @Test func ordinaryObjectStreamsAndCompressedImagesPass() throws {
        // Fonts and pages packed as every modern writer does; and a compressed image stream
        // whose inflated bytes happen to read "/JavaScript": image data is not objects.
        let bytes = try Self.pdf(
            objects: ["<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>", "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] >>"],
            extraStream: "q 1 0 0 1 0 0 cm /JavaScript /Launch Q")
        #expect(try judge.findings(Mail.attached("minutes.pdf", bytes, type: "application/pdf")) == [])
    }

    @Test func aDamagedObjectStreamGivesAVerdictNotACrash() throws {
        var bytes = try Self.pdf(objects: ["<< /S /JavaScript /JS (x) >>"])
        // Cut the compressed data short: inflate fails part way.
        let start = try #require(ByteSearch.offsets(of: Array("stream\r\n".utf8), in: bytes, limit: 1).first) + 8
        bytes.removeSubrange((start + 6)..<(start + 12))
        let verdict = try judge.verdict(Mail.attached("broken.pdf", bytes, type: "application/pdf"))
        #expect([.accept, .quarantine].contains(verdict.action))
    }
}
