import CStewardXML
import Glibc
import StewardCore

/// Reads the XML of a part (a document's sheet, shared strings, body, slide…) as a stream of
/// events with libxml2's streaming reader (`xmlTextReader`), so no tree of the document is ever
/// built: memory stays that of one node however large the part, and a spooled part is read
/// from its file piece by piece.
///
/// Parsing never touches the network (`XML_PARSE_NONET`), never substitutes entities nor loads
/// a DTD, and keeps libxml2's default bounds (no `XML_PARSE_HUGE`); broken input is recovered
/// rather than refused, because a filter must read what a viewer shows.
final class XMLStream {
    enum Event { case start, end, text }

    private let reader: xmlTextReaderPtr
    private let source: Source
    /// What the reader stands on now.
    private(set) var event = Event.start

    private init?(content: PartContent) {
        let source = Source(content)
        let options = Int32(XML_PARSE_RECOVER.rawValue | XML_PARSE_NONET.rawValue | XML_PARSE_NOERROR.rawValue
            | XML_PARSE_NOWARNING.rawValue)
        let made = xmlReaderForIO(
            { context, buffer, length in
                guard let context, let buffer, length > 0 else { return 0 }
                return Int32(Unmanaged<Source>.fromOpaque(context).takeUnretainedValue()
                    .read(into: UnsafeMutableRawBufferPointer(start: buffer, count: Int(length))))
            },
            nil, Unmanaged.passUnretained(source).toOpaque(), "part.xml", nil, options)
        guard let made else { return nil }
        reader = made
        self.source = source
    }

    deinit { xmlFreeTextReader(reader) }

    /// Calls `visit` for every element start, element end and piece of text of `content`, in
    /// document order (an empty element gives a start and an end). Throws when the inspection's
    /// deadline passes while reading.
    static func walk(
        _ content: PartContent, deadline: ContinuousClock.Instant, _ visit: (XMLStream) -> Void
    ) throws(InspectionError) {
        guard !content.isEmpty, let stream = XMLStream(content: content) else { return }
        var steps = 0
        while xmlTextReaderRead(stream.reader) == 1 {
            steps += 1
            if steps & 0x3FFF == 0, ContinuousClock.now > deadline {
                throw InspectionError(code: .timeout, detail: "inspection took longer than its deadline (timeoutSeconds) reading a document's text")
            }
            switch xmlTextReaderNodeType(stream.reader) {
            case Int32(XML_READER_TYPE_ELEMENT.rawValue):
                stream.event = .start
                visit(stream)
                if xmlTextReaderIsEmptyElement(stream.reader) == 1 {
                    stream.event = .end
                    visit(stream)
                }
            case Int32(XML_READER_TYPE_END_ELEMENT.rawValue):
                stream.event = .end
                visit(stream)
            case Int32(XML_READER_TYPE_TEXT.rawValue), Int32(XML_READER_TYPE_CDATA.rawValue),
                 Int32(XML_READER_TYPE_WHITESPACE.rawValue), Int32(XML_READER_TYPE_SIGNIFICANT_WHITESPACE.rawValue):
                stream.event = .text
                visit(stream)
            default:
                continue
            }
        }
    }

    /// Nesting depth of the current node (the root element is 0).
    var depth: Int { Int(xmlTextReaderDepth(reader)) }

    /// Whether the current element's local name (`t` for `<w:t>`) is `name`; compares C strings,
    /// allocating nothing, since large sheets have millions of nodes.
    func isNamed(_ name: StaticString) -> Bool {
        guard let own = xmlTextReaderConstLocalName(reader) else { return false }
        return strcmp(UnsafeRawPointer(own).assumingMemoryBound(to: CChar.self), UnsafeRawPointer(name.utf8Start).assumingMemoryBound(to: CChar.self)) == 0
    }

    /// The current element's local name.
    var name: String { xmlTextReaderConstLocalName(reader).map { String(cString: $0) } ?? "" }

    /// The current text's value.
    var text: String { xmlTextReaderConstValue(reader).map { String(cString: $0) } ?? "" }

    /// An attribute of the current element by local name (any namespace).
    func attribute(_ name: StaticString) -> String? {
        var value: String?
        while xmlTextReaderMoveToNextAttribute(reader) == 1 {
            // `xmlns:r` is a namespace declaration, not an attribute named `r`.
            if xmlTextReaderIsNamespaceDecl(reader) != 1, isNamed(name) {
                value = text
                break
            }
        }
        xmlTextReaderMoveToElement(reader)
        return value
    }

    /// Hands libxml2 the part's bytes, from memory or from its spool file.
    private final class Source {
        let content: PartContent
        var position = 0

        init(_ content: PartContent) { self.content = content }

        func read(into buffer: UnsafeMutableRawBufferPointer) -> Int {
            let want = min(buffer.count, content.count - position)
            guard want > 0 else { return 0 }
            let got: Int
            switch content.storage {
            case .memory(let bytes):
                got = bytes.withUnsafeBytes { source in
                    buffer.copyMemory(from: UnsafeRawBufferPointer(rebasing: source[position..<(position + want)]))
                    return want
                }
            case .file(let file, let start, _, _):
                got = file.read(into: UnsafeMutableRawBufferPointer(rebasing: buffer[0..<want]), at: start + position)
            }
            position += got
            return got
        }
    }
}

/// The text of paragraphs as the stream passes them: one line per outermost paragraph (a
/// paragraph inside another, as in a Word text box, is its own line within it), taking text
/// only inside run elements when a run name is given (`w:t`, `a:t`), or all text otherwise.
struct ParagraphText {
    /// OpenDocument marks spaces, tabs and line breaks with elements (`text:s`, `text:tab`).
    var spacingElements = false
    private(set) var lines: [String] = []
    private var line = ""
    private var paragraphDepth = 0
    private var runDepth = 0
    private let runs: Bool
    private let paragraph: (XMLStream) -> Bool

    /// Word and PowerPoint: `p` paragraphs of `t` runs.
    static func runs() -> ParagraphText { ParagraphText(runs: true) { $0.isNamed("p") } }

    /// OpenDocument: `p` and `h` paragraphs, all their text.
    static func openDocument() -> ParagraphText {
        var text = ParagraphText(runs: false) { $0.isNamed("p") || $0.isNamed("h") }
        text.spacingElements = true
        return text
    }

    private init(runs: Bool, paragraph: @escaping (XMLStream) -> Bool) {
        self.runs = runs
        self.paragraph = paragraph
    }

    var inParagraph: Bool { paragraphDepth > 0 }

    /// All lines, joined.
    var joined: String { lines.joined(separator: "\n") }

    mutating func take(_ stream: XMLStream) {
        switch stream.event {
        case .start:
            if paragraph(stream) {
                if paragraphDepth > 0 { line += "\n" }
                paragraphDepth += 1
            } else if paragraphDepth > 0 {
                if runs, stream.isNamed("t") { runDepth += 1 }
                if spacingElements, stream.isNamed("s") || stream.isNamed("tab") || stream.isNamed("line-break") { line += " " }
            }
        case .end:
            if paragraph(stream), paragraphDepth > 0 {
                paragraphDepth -= 1
                if paragraphDepth == 0 {
                    lines.append(line)
                    line = ""
                } else {
                    line += "\n"
                }
            } else if runs, runDepth > 0, stream.isNamed("t") {
                runDepth -= 1
            }
        case .text:
            if paragraphDepth > 0, !runs || runDepth > 0 { line += stream.text }
        }
    }
}

/// Elements picked out of a part with their text (all text below them) and some attributes:
/// document properties, a workbook's sheet list, relations.
struct XMLElements {
    struct Element {
        var name: String
        var attributes: [String: String]
        var text: String
    }

    static func read(
        _ content: PartContent?, deadline: ContinuousClock.Instant, attributes: [StaticString] = [],
        where matches: (XMLStream) -> Bool
    ) throws(InspectionError) -> [Element] {
        guard let content else { return [] }
        var found: [Element] = []
        var current: Element?
        var depth = 0
        try XMLStream.walk(content, deadline: deadline) { stream in
            switch stream.event {
            case .start:
                if current != nil {
                    depth += 1
                } else if matches(stream) {
                    var values: [String: String] = [:]
                    for name in attributes {
                        if let value = stream.attribute(name) { values[name.description] = value }
                    }
                    current = Element(name: stream.name, attributes: values, text: "")
                    depth = 0
                }
            case .end:
                guard current != nil else { return }
                if depth == 0 {
                    found.append(current!)
                    current = nil
                } else {
                    depth -= 1
                }
            case .text:
                current?.text += stream.text
            }
        }
        return found
    }
}
