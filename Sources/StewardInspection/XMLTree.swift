import CStewardXML
import Glibc

/// A small read-only view of an HTML document parsed by libxml2: elements with their names and
/// text, enough to read HTML bodies (document XML is read as a stream: `XMLStream`).
///
/// Parsing never touches the network (`HTML_PARSE_NONET`); broken input is recovered rather
/// than refused, because a filter must read what a viewer shows.
final class XMLTree {
    private let doc: xmlDocPtr

    /// Parses HTML the way a browser would (recovering from broken markup), as UTF-8 unless
    /// the document declares otherwise; entities (`&#69;`, `&eacute;`) come back decoded.
    /// Without libxml2's depth limit (`XML_PARSE_HUGE`): at 256 nested elements it would stop
    /// reading, and a browser shows what follows (a marking after 260 nested spans). The size
    /// of what is parsed is bounded by the inspection limits; the tree is walked without
    /// recursion (`HTMLText`).
    init?(html bytes: [UInt8]) {
        let options = Int32(HTML_PARSE_RECOVER.rawValue | HTML_PARSE_NONET.rawValue | HTML_PARSE_NOERROR.rawValue
            | HTML_PARSE_NOWARNING.rawValue | HTML_PARSE_NOIMPLIED.rawValue | XML_PARSE_HUGE.rawValue)
        let parsed = bytes.withUnsafeBufferPointer { buffer in
            buffer.baseAddress.flatMap { base in
                base.withMemoryRebound(to: CChar.self, capacity: buffer.count) {
                    htmlReadMemory($0, Int32(clamping: buffer.count), "part.html", "UTF-8", options)
                }
            }
        }
        guard let parsed else { return nil }
        doc = parsed
    }

    deinit { xmlFreeDoc(doc) }

    var root: Node? { xmlDocGetRootElement(doc).map { Node(tree: self, pointer: $0) } }

    /// An element or text node; it keeps its tree alive, so a node outlives the expression
    /// that parsed the document (`XMLTree(html: bytes)?.root`).
    struct Node {
        let tree: XMLTree
        let pointer: xmlNodePtr

        var isElement: Bool { pointer.pointee.type == XML_ELEMENT_NODE }
        var isText: Bool { pointer.pointee.type == XML_TEXT_NODE || pointer.pointee.type == XML_CDATA_SECTION_NODE }
        var isComment: Bool { pointer.pointee.type == XML_COMMENT_NODE }

        /// The element name, lower-cased by libxml2.
        var name: String { pointer.pointee.name.map { String(cString: $0) } ?? "" }

        var children: [Node] {
            var result: [Node] = []
            var child = pointer.pointee.children
            while let node = child {
                result.append(Node(tree: tree, pointer: node))
                child = node.pointee.next
            }
            return result
        }

        /// A text or comment node's own text.
        var content: String { pointer.pointee.content.map { String(cString: $0) } ?? "" }

        /// Whether the element has the attribute, with a value or none (`<span hidden>`).
        func hasAttribute(_ name: String) -> Bool { xmlHasProp(pointer, name) != nil }

        /// An element's attribute value, if it has the attribute (libxml2 lower-cases HTML
        /// attribute names).
        func attribute(_ name: String) -> String? {
            guard let value = xmlGetProp(pointer, name) else { return nil }
            defer { steward_xml_free(value) }
            return String(cString: value)
        }
    }
}
