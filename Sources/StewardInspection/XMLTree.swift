import CStewardXML
import Glibc

/// A small read-only view of an XML or HTML document parsed by libxml2: elements with their
/// local names, attributes and text, enough to read OOXML, OpenDocument and HTML bodies.
///
/// Parsing never touches the network (`XML_PARSE_NONET`) and never expands external entities;
/// broken input is recovered rather than refused, because a filter must read what a viewer shows.
final class XMLTree {
    private let doc: xmlDocPtr

    /// Parses XML; nil when libxml2 finds nothing to read.
    init?(xml bytes: [UInt8]) {
        let options = Int32(XML_PARSE_RECOVER.rawValue | XML_PARSE_NONET.rawValue | XML_PARSE_NOERROR.rawValue
            | XML_PARSE_NOWARNING.rawValue | XML_PARSE_NOBLANKS.rawValue | XML_PARSE_HUGE.rawValue)
        let parsed = bytes.withUnsafeBufferPointer { buffer in
            buffer.baseAddress.flatMap { base in
                base.withMemoryRebound(to: CChar.self, capacity: buffer.count) {
                    xmlReadMemory($0, Int32(clamping: buffer.count), "part.xml", nil, options)
                }
            }
        }
        guard let parsed else { return nil }
        doc = parsed
    }

    /// Parses HTML the way a browser would (recovering from broken markup), as UTF-8 unless
    /// the document declares otherwise; entities (`&#69;`, `&eacute;`) come back decoded.
    init?(html bytes: [UInt8]) {
        let options = Int32(HTML_PARSE_RECOVER.rawValue | HTML_PARSE_NONET.rawValue | HTML_PARSE_NOERROR.rawValue
            | HTML_PARSE_NOWARNING.rawValue | HTML_PARSE_NOIMPLIED.rawValue)
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
    /// that parsed the document (`XMLTree(xml: bytes)?.root`).
    struct Node {
        let tree: XMLTree
        let pointer: xmlNodePtr

        var isElement: Bool { pointer.pointee.type == XML_ELEMENT_NODE }
        var isText: Bool { pointer.pointee.type == XML_TEXT_NODE || pointer.pointee.type == XML_CDATA_SECTION_NODE }

        /// Local name without namespace prefix (`t` for `<w:t>`), lower-cased for HTML by libxml2.
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

        /// A text node's own text.
        var content: String { pointer.pointee.content.map { String(cString: $0) } ?? "" }

        /// All text below this node, concatenated.
        var allText: String {
            guard let raw = xmlNodeGetContent(pointer) else { return "" }
            defer { steward_xml_free(raw) }
            return String(cString: raw)
        }

        /// An attribute's value by local name (any namespace).
        func attribute(_ name: String) -> String? {
            var attr = pointer.pointee.properties
            while let current = attr {
                if let attrName = current.pointee.name, String(cString: attrName) == name {
                    guard let value = xmlNodeGetContent(UnsafeMutableRawPointer(current).assumingMemoryBound(to: xmlNode.self)) else { return nil }
                    defer { steward_xml_free(value) }
                    return String(cString: value)
                }
                attr = current.pointee.next
            }
            return nil
        }

        /// Every element below (and including) this node with a local name, in document order.
        /// Walks libxml2's first-child/next/parent links and compares C strings, allocating
        /// nothing per node: large spreadsheets have hundreds of thousands of cells.
        func descendants(named name: String) -> [Node] {
            var result: [Node] = []
            name.withCString { wanted in
                var node = pointer
                while true {
                    let isElement = node.pointee.type == XML_ELEMENT_NODE
                    if isElement, let own = node.pointee.name, strcmp(UnsafeRawPointer(own).assumingMemoryBound(to: CChar.self), wanted) == 0 {
                        result.append(Node(tree: tree, pointer: node))
                    }
                    if isElement, let child = node.pointee.children {
                        node = child
                        continue
                    }
                    while node != pointer, node.pointee.next == nil, let parent = node.pointee.parent { node = parent }
                    if node == pointer { break }
                    guard let next = node.pointee.next else { break }
                    node = next
                }
            }
            return result
        }
    }
}
