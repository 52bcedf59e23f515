import CStewardXML
import Foundation
import Glibc
import StewardCore

/// Reads the XML of a part (a document's sheet, shared strings, body, slide…) as a stream of
/// events with libxml2's SAX2 push parser, so no tree of the document is ever built: memory
/// stays that of one chunk of input however large the part, and a spooled part is read from
/// its file piece by piece. (The streaming reader, `xmlTextReader`, builds and frees a node
/// for every element; SAX hands over names and text in place, which halves the cost of a
/// sheet of half a million cells.)
///
/// Parsing never touches the network (`XML_PARSE_NONET`), never substitutes entities nor loads
/// a DTD (the handler has no entity callbacks, so a declared entity is never expanded), and
/// keeps libxml2's default bounds (no `XML_PARSE_HUGE`); broken input is recovered rather than
/// refused, because a filter must read what a viewer shows.
final class XMLStream {
    enum Event { case start, end, text }

    /// What the parser stands on now, valid during a call of the visitor only.
    private(set) var event = Event.start
    /// Nesting depth of the current node (the root element is 0; text is one deeper than its element).
    private(set) var depth = 0
    private var level = 0
    private var localName: UnsafePointer<xmlChar>?
    private var attributes: UnsafeMutablePointer<UnsafePointer<xmlChar>?>?
    private var attributeCount = 0
    private var characters = UnsafeBufferPointer<UInt8>(start: nil, count: 0)
    private let visit: (XMLStream) -> Void

    private init(visit: @escaping (XMLStream) -> Void) { self.visit = visit }

    /// Bytes handed to the parser at a time; the deadline is checked between them.
    static let chunkSize = 64 * 1024

    /// Calls `visit` for every element start, element end and piece of text of `content`, in
    /// document order (an empty element gives a start and an end; a long text may come in
    /// several pieces, so visitors append). Throws when the inspection's deadline passes while
    /// reading.
    static func walk(
        _ content: PartContent, deadline: ContinuousClock.Instant, _ visit: (XMLStream) -> Void
    ) throws(InspectionError) {
        guard !content.isEmpty else { return }
        try withoutActuallyEscaping(visit) { (visit) throws(InspectionError) in
            let stream = XMLStream(visit: visit)
            try stream.parse(content, deadline: deadline)
        }
    }

    /// `walk` over a member still being inflated, as its bytes arrive. False when the member
    /// was abandoned (it will never be complete, so what was read means nothing).
    static func walk(
        growing content: GrowingContent, deadline: ContinuousClock.Instant, _ visit: (XMLStream) -> Void
    ) throws(InspectionError) -> Bool {
        try withoutActuallyEscaping(visit) { (visit) throws(InspectionError) -> Bool in
            let stream = XMLStream(visit: visit)
            var parser = Parser(stream: stream, deadline: deadline)
            defer { parser.close() }
            // A parser that stops early (past the root element) leaves the rest unread, as `walk` does.
            switch content.read(deadline: deadline, { parser.feed($0) }) {
            case .abandoned: return false
            case .timedOut: throw Self.timedOut
            case .complete, .stopped:
                if parser.tooManyAttributes { throw Self.tooManyAttributes }
                if parser.timedOut { throw Self.timedOut }
                parser.finish()
                return true
            }
        }
    }

    private static let timedOut = InspectionError(
        code: .timeout, detail: "inspection took longer than its deadline (timeoutSeconds) reading a document's text")

    /// libxml2 (2.9) checks a start tag's attributes against each other, in time that grows
    /// with the square of their number, in one call that the deadline cannot interrupt: a tag
    /// of 80,000 attributes takes seconds, of a million hours. No document has tags of more
    /// than a few dozen, so a part with more `=` signs than this between two `<` (attribute
    /// values hold no `<`) is not parsed but reported as unreadable, and held.
    static let maxEqualsBetweenTags = 10_000

    private static let tooManyAttributes = InspectionError(
        code: .unreadable,
        detail: "a document's XML holds a tag of more than \(maxEqualsBetweenTags) attributes, which cannot be read in time")

    private func parse(_ content: PartContent, deadline: ContinuousClock.Instant) throws(InspectionError) {
        var parser = Parser(stream: self, deadline: deadline)
        defer { parser.close() }
        switch content.storage {
        case .memory(let bytes):
            bytes.withUnsafeBufferPointer { _ = parser.feed($0) }
        case .file:
            // A spooled part is read a window at a time; only that window is in memory.
            content.scan(lookahead: 0) { window, _ in parser.feed(window) ? window.count : nil }
        }
        if parser.tooManyAttributes { throw Self.tooManyAttributes }
        if parser.timedOut { throw Self.timedOut }
        parser.finish()
    }

    /// One push-parser context, fed bytes in chunks with the deadline checked between them.
    private struct Parser {
        let stream: XMLStream
        let deadline: ContinuousClock.Instant
        private var context: xmlParserCtxtPtr?
        private(set) var timedOut = false
        private(set) var tooManyAttributes = false
        private var stopped = false
        /// `=` signs since the last `<` (the guard against tags of very many attributes).
        private var equalsSinceTag = 0

        init(stream: XMLStream, deadline: ContinuousClock.Instant) {
            self.stream = stream
            self.deadline = deadline
        }

        /// Parses `bytes`; false once parsing has stopped (the deadline passed, or the parser
        /// gave up: past the root element, or broken beyond recovery).
        mutating func feed(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
            var offset = 0
            while offset < bytes.count, !stopped {
                if ContinuousClock.now > deadline {
                    timedOut = true
                    stopped = true
                    break
                }
                let length = min(XMLStream.chunkSize, bytes.count - offset)
                let chunk = UnsafeRawPointer(bytes.baseAddress! + offset).assumingMemoryBound(to: CChar.self)
                if !countEquals(UnsafeBufferPointer(start: bytes.baseAddress! + offset, count: length)) {
                    tooManyAttributes = true
                    stopped = true
                    break
                }
                offset += length
                guard let context else {
                    // The first bytes go to the new context, which guesses the encoding from them.
                    var handler = XMLStream.makeHandler()
                    context = xmlCreatePushParserCtxt(&handler, Unmanaged.passUnretained(stream).toOpaque(), chunk, Int32(length), "part.xml")
                    guard let context else { stopped = true; break }
                    xmlCtxtUseOptions(context, Int32(XML_PARSE_RECOVER.rawValue | XML_PARSE_NONET.rawValue
                        | XML_PARSE_NOERROR.rawValue | XML_PARSE_NOWARNING.rawValue))
                    continue
                }
                xmlParseChunk(context, chunk, Int32(length), 0)
                if context.pointee.instate == XML_PARSER_EOF { stopped = true }
            }
            return !stopped
        }

        /// Follows the `=` signs since the last `<` across chunks; false once there are too many.
        /// Only the bytes before a chunk's first `<` and after its last are counted: a stretch
        /// between two `<` inside one chunk is at most a chunk long, too short for a tag libxml2
        /// would be slow on.
        private mutating func countEquals(_ chunk: UnsafeBufferPointer<UInt8>) -> Bool {
            guard let base = chunk.baseAddress, !chunk.isEmpty else { return true }
            func equals(_ from: Int, _ to: Int) -> Int {
                var count = 0
                for index in from..<to where base[index] == UInt8(ascii: "=") { count += 1 }
                return count
            }
            guard let first = memchr(base, Int32(UInt8(ascii: "<")), chunk.count) else {
                equalsSinceTag += equals(0, chunk.count)
                return equalsSinceTag <= XMLStream.maxEqualsBetweenTags
            }
            equalsSinceTag += equals(0, UnsafeRawPointer(first) - UnsafeRawPointer(base))
            if equalsSinceTag > XMLStream.maxEqualsBetweenTags { return false }
            // The last `<`, looked for from the end (XML has one every few bytes; memrchr is
            // not in Glibc's Swift module).
            var last = chunk.count - 1
            while base[last] != UInt8(ascii: "<") { last -= 1 }
            equalsSinceTag = equals(last, chunk.count)
            return true
        }

        /// Tells the parser the input has ended (it reports what it held back).
        mutating func finish() {
            guard let context, !stopped else { return }
            xmlParseChunk(context, nil, 0, 1)
            stopped = true
        }

        mutating func close() {
            if let context { xmlFreeParserCtxt(context) }
            context = nil
        }
    }

    /// Whether the current element's local name (`t` for `<w:t>`) is `name`; compares C strings,
    /// allocating nothing, since large sheets have millions of nodes.
    func isNamed(_ name: StaticString) -> Bool {
        guard let own = localName else { return false }
        return strcmp(UnsafeRawPointer(own).assumingMemoryBound(to: CChar.self), UnsafeRawPointer(name.utf8Start).assumingMemoryBound(to: CChar.self)) == 0
    }

    /// The current element's local name.
    var name: String { localName.map { String(cString: $0) } ?? "" }

    /// The current text's value.
    var text: String { String(decoding: characters, as: UTF8.self) }

    /// The current text's bytes, valid during the visit only.
    var textBytes: UnsafeBufferPointer<UInt8> { characters }

    /// Whether the current element has attribute `name` (by local name) with exactly `value`,
    /// compared byte for byte, making no string.
    func attribute(_ name: StaticString, is value: StaticString) -> Bool {
        guard let bytes = attributeBytes(name), let base = bytes.baseAddress else { return false }
        return bytes.count == value.utf8CodeUnitCount && memcmp(base, value.utf8Start, value.utf8CodeUnitCount) == 0
    }

    /// An attribute of the current element by local name (any namespace; namespace
    /// declarations are not attributes in SAX2).
    func attribute(_ name: StaticString) -> String? {
        guard let bytes = attributeBytes(name) else { return nil }
        let value = String(decoding: bytes, as: UTF8.self)
        // Without entity substitution libxml2 hands an escaped `&` on as `&#38;` (so that a
        // tree could be written back); every other reference arrives decoded. (A byte test
        // first: Foundation's string search costs more than the whole parse.)
        return bytes.contains(UInt8(ascii: "&")) ? value.replacingOccurrences(of: "&#38;", with: "&") : value
    }

    /// The raw value of an attribute of the current element, valid during the visit only.
    private func attributeBytes(_ name: StaticString) -> UnsafeBufferPointer<UInt8>? {
        guard event == .start, let attributes else { return nil }
        for index in 0..<attributeCount {
            // Five pointers an attribute: local name, prefix, URI, value start, value end.
            let base = index * 5
            guard let own = attributes[base], strcmp(UnsafeRawPointer(own).assumingMemoryBound(to: CChar.self),
                                                     UnsafeRawPointer(name.utf8Start).assumingMemoryBound(to: CChar.self)) == 0,
                  let start = attributes[base + 3], let end = attributes[base + 4] else { continue }
            return UnsafeBufferPointer(start: start, count: end - start)
        }
        return nil
    }

    // MARK: The SAX handler

    /// Runs `body` with the stream the parser was given, without retaining and releasing it
    /// for every event (the walk holds it for the whole parse; a sheet has millions of events).
    private static func withStream(_ context: UnsafeMutableRawPointer?, _ body: (XMLStream) -> Void) {
        Unmanaged<XMLStream>.fromOpaque(context!)._withUnsafeGuaranteedRef(body)
    }

    /// The callbacks (a plain C struct, made for each parse: it is not Sendable).
    static func makeHandler() -> xmlSAXHandler {
        var handler = xmlSAXHandler()
        handler.initialized = XML_SAX2_MAGIC
        handler.startElementNs = { context, localName, _, _, _, _, count, _, attributes in
            XMLStream.withStream(context) { stream in
            stream.event = .start
            stream.depth = stream.level
            stream.level += 1
            stream.localName = localName
            stream.attributes = attributes
            stream.attributeCount = Int(count)
            stream.visit(stream)
            stream.attributes = nil
            stream.attributeCount = 0
            }
        }
        handler.endElementNs = { context, localName, _, _ in
            XMLStream.withStream(context) { stream in
            stream.event = .end
            stream.level -= 1
            stream.depth = stream.level
            stream.localName = localName
            stream.visit(stream)
            }
        }
        let characters: charactersSAXFunc = { context, bytes, length in
            guard let bytes, length > 0 else { return }
            XMLStream.withStream(context) { stream in
            stream.event = .text
            stream.depth = stream.level
            stream.localName = nil
            stream.characters = UnsafeBufferPointer(start: bytes, count: Int(length))
            stream.visit(stream)
            stream.characters = UnsafeBufferPointer(start: nil, count: 0)
            }
        }
        handler.characters = characters
        handler.ignorableWhitespace = characters
        handler.cdataBlock = characters
        // Errors are recovered from and never printed.
        handler.serror = { _, _ in }
        return handler
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

    /// Excel's notes (`xl/comments*.xml`): each `comment` a line of `t` runs.
    static func excelComments() -> ParagraphText { ParagraphText(runs: true) { $0.isNamed("comment") } }

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
