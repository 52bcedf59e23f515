import CStewardXML
import StewardCore

/// What a reader sees of an HTML body: text with tags dropped and entities decoded (libxml2's
/// HTML parser, which recovers from broken markup as browsers do), scripts and styles left out,
/// block elements ending lines so a banner stays on a line of its own.
enum HTMLText {
    private static let blocks: Set<String> = [
        "p", "div", "br", "tr", "li", "h1", "h2", "h3", "h4", "h5", "h6", "table", "blockquote", "pre",
        "hr", "td", "th", "header", "footer", "section", "article", "title", "center", "dt", "dd",
    ]
    private static let hidden: Set<String> = ["script", "style", "head", "template"]

    static func extract(_ bytes: [UInt8]) -> DocumentText? {
        guard let tree = XMLTree(html: bytes) else { return nil }
        var text = ""
        var stack: [(node: XMLTree.Node, leaving: Bool)] = tree.root.map { [($0, false)] } ?? []
        // Top-level siblings of the root (HTML_PARSE_NOIMPLIED keeps fragments as they are).
        if let root = tree.root {
            var sibling = root.pointer.pointee.next
            var rest: [(node: XMLTree.Node, leaving: Bool)] = []
            while let node = sibling { rest.append((XMLTree.Node(tree: tree, pointer: node), false)); sibling = node.pointee.next }
            stack = rest.reversed() + stack
        }
        while let (node, leaving) = stack.popLast() {
            if leaving {
                text.append("\n")
                continue
            }
            if node.isText {
                text.append(node.content)
            } else if node.isElement {
                let name = node.name.lowercased()
                if hidden.contains(name) && name != "title" { continue }
                if blocks.contains(name) {
                    text.append("\n")
                    stack.append((node, true))
                }
                for child in node.children.reversed() { stack.append((child, false)) }
            }
        }
        return DocumentText(segments: [DocumentText.Segment(kind: .body, text: text)])
    }
}
