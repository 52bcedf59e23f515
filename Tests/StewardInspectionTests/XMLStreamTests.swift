import Foundation
import StewardCore
@testable import StewardInspection
import Testing

/// The SAX reader under every document's text: what a visitor sees must not depend on how the
/// parser cuts its input (chunks, windows of a spool file) or on how text was escaped.
@Suite("Reading document XML as a stream")
struct XMLStreamTests {
    static let far = ContinuousClock.now + .seconds(60)

    /// Every event as a line: `+name@depth`, `-name@depth`, `"text"` (adjacent text joined).
    static func events(_ content: PartContent, attributes: [StaticString] = []) throws -> [String] {
        var lines: [String] = []
        try XMLStream.walk(content, deadline: far) { stream in
            switch stream.event {
            case .start:
                let values = attributes.compactMap { name in stream.attribute(name).map { "\(name)=\($0)" } }
                lines.append("+\(stream.name)@\(stream.depth)" + (values.isEmpty ? "" : " " + values.joined(separator: " ")))
            case .end:
                lines.append("-\(stream.name)@\(stream.depth)")
            case .text:
                if let last = lines.last, last.hasPrefix("\"") {
                    lines[lines.count - 1] = String(last.dropLast()) + stream.text + "\""
                } else {
                    lines.append("\"\(stream.text)\"")
                }
            }
        }
        return lines
    }

    @Test("names without prefixes, depths, empty elements, escaped text and attributes, CDATA")
    func events() throws {
        let xml = #"<?xml version="1.0"?><w:doc xmlns:w="urn:w" xmlns:r="urn:r"><w:p r:id="R&amp;D &#x41;" t="s">one &amp; two<w:br/><![CDATA[<three>]]></w:p></w:doc>"#
        let seen = try Self.events(PartContent(Array(xml.utf8)), attributes: ["id", "t", "w"])
        #expect(seen == [
            "+doc@0", "+p@1 id=R&D A t=s", "\"one & two\"", "+br@2", "-br@2", "\"<three>\"", "-p@1", "-doc@0",
        ], "\(seen)")
    }

    @Test("a declared entity is never expanded, and no DTD or network is read")
    func entities() throws {
        let xml = #"<?xml version="1.0"?><!DOCTYPE a [<!ENTITY big "CONFIDENTIAL"><!ENTITY ext SYSTEM "http://127.0.0.1:9/x">]><a>x&big;&ext;y</a>"#
        #expect(try Self.events(PartContent(Array(xml.utf8))) == ["+a@0", "\"xy\"", "-a@0"])
    }

    @Test("the same events from memory and from a spool file, whatever the chunk and window size")
    func spooledAndLong() throws {
        // Text longer than a parser chunk and a spool window, and many elements after it.
        let long = String(repeating: "pay offer ", count: 150_000)
        var xml = "<sheet><c r=\"A1\">\(long)</c>"
        for index in 0..<30_000 { xml += "<c r=\"B\(index)\">\(index)</c>" }
        xml += "</sheet>"
        let bytes = Array(xml.utf8)
        let directory = FileManager.default.temporaryDirectory
        let file = try SpoolFile.create(in: directory)
        try bytes.withUnsafeBytes { try file.append($0) }
        let spooled = PartContent(file: file, offset: 0, count: bytes.count, head: Array(bytes.prefix(PartContent.headLength)))
        let fromMemory = try Self.events(PartContent(bytes), attributes: ["r"])
        #expect(fromMemory.count == 4 + 30_000 * 3 + 1)
        #expect(fromMemory[2] == "\"\(long)\"")
        #expect(fromMemory[fromMemory.count - 3] == "\"29999\"")
        #expect(try Self.events(spooled, attributes: ["r"]) == fromMemory)
    }

    @Test("broken XML is read as far as it can be, as a viewer would")
    func recovers() throws {
        let xml = "<a><p>CONFIDENTIAL<b></p><p>second & third</p><p>RESTRICTED</p>"
        let texts = try Self.events(PartContent(Array(xml.utf8))).filter { $0.hasPrefix("\"") }.joined()
        // Past a mismatched tag and a bare ampersand, the text after them is still read.
        #expect(texts.contains("CONFIDENTIAL") && texts.contains("second") && texts.contains("RESTRICTED"), "\(texts)")
    }

    @Test("a workbook's shared-string numbers are read as LibreOffice reads them, so no cell's text is skipped")
    func sharedStringNumbers() throws {
        // Read piece by piece, as a sheet's parser hands a value over, the number is the same
        // as read from the whole text, wherever the text is cut.
        var generator = SystemRandomNumberGenerator()
        let alphabet = Array(" \t\n+-0123456789.5x".utf8)
        for _ in 0..<20_000 {
            let text = (0..<Int.random(in: 0...12, using: &generator)).map { _ in alphabet.randomElement(using: &generator)! }
            var number = OOXMLText.SharedStringNumber()
            var rest = text[...]
            while !rest.isEmpty {
                let piece = rest.prefix(Int.random(in: 1...4, using: &generator))
                rest = rest.dropFirst(piece.count)
                Array(piece).withUnsafeBufferPointer { number.take($0) }
            }
            let whole = String(decoding: text, as: UTF8.self)
            #expect(number.value == OOXMLText.sharedStringIndex(whole), "\(whole.debugDescription)")
        }
        var huge = OOXMLText.SharedStringNumber()
        Array("12345678901234567890".utf8).withUnsafeBufferPointer { huge.take($0) }
        #expect(huge.value == nil)
        #expect(["5", "+5", " 5", "5.0", "\n5 ", "-0"].map(OOXMLText.sharedStringIndex) == [5, 5, 5, 5, 5, 0])
        #expect(["", "abc"].map(OOXMLText.sharedStringIndex) == [0, 0])
        #expect(["-1", "999999999999"].map(OOXMLText.sharedStringIndex) == [nil, nil])
        func part(_ text: String) -> PartContent { PartContent(Array(text.utf8)) }
        let cells = [("A1", "+5"), ("A2", " 1"), ("A3", "2.0"), ("A4", "-3"), ("A5", "99")]
            .map { #"<c r="\#($0.0)" t="s"><v>\#($0.1)</v></c>"# }.joined()
        let members: OOXMLText.Members = [
            "[Content_Types].xml": part("<Types/>"),
            "xl/workbook.xml": part(#"<workbook xmlns:r="r"><sheets><sheet name="Pay" r:id="rId1"/></sheets></workbook>"#),
            "xl/_rels/workbook.xml.rels": part(#"<Relationships><Relationship Id="rId1" Target="worksheets/sheet1.xml"/></Relationships>"#),
            "xl/sharedStrings.xml": part("<sst>" + ["zero", "one", "two", "three", "four", "CONFIDENTIAL"].map { "<si><t>\($0)</t></si>" }.joined() + "</sst>"),
            "xl/worksheets/sheet1.xml": part(#"<worksheet><sheetData><row>\#(cells)<c r="B1"><v>42</v></c><c r="B2" t="inlineStr"><is><t>inline</t></is></c></row></sheetData></worksheet>"#),
        ]
        let text = try #require(try OOXMLText.extract(members, deadline: Self.far))
        let seen = text.segments.filter { $0.kind == .cell }.map { "\($0.location)=\($0.text)" }
        #expect(seen == [
            #"sheet "Pay", cell A1=CONFIDENTIAL"#, #"sheet "Pay", cell A2=one"#, #"sheet "Pay", cell A3=two"#,
            #"sheet "Pay", cell B1=42"#, #"sheet "Pay", cell B2=inline"#,
        ], "\(seen)")
    }

    @Test("a deadline that has passed stops the reading")
    func deadline() {
        let xml = Array("<a>\(String(repeating: "<b>x</b>", count: 20_000))</a>".utf8)
        #expect(throws: InspectionError.self) { try XMLStream.walk(PartContent(xml), deadline: .now - .seconds(1)) { _ in } }
    }
}
