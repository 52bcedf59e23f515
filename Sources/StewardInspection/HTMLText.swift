import CStewardXML
import StewardCore

/// What a reader sees of an HTML body: text with tags dropped and entities decoded (libxml2's
/// HTML parser, which recovers from broken markup as browsers do), scripts and styles left out,
/// block elements ending lines so a banner stays on a line of its own.
///
/// Text a mail program does not show (`display:none`, `visibility:hidden`, a zero or tiny font
/// size, zero opacity, Outlook's `mso-hide:all`, the `hidden` attribute) is kept out of the
/// shown text, so `CONFI<span style="display:none">x</span>DENTIAL` reads as the reader sees
/// it; it is read too, as a segment of its own (a newsletter's hidden preview line). Text in
/// `<bdo dir="rtl">` or under a right-to-left `bidi-override` is shown reversed, so it is read
/// reversed.
enum HTMLText {
    private static let blocks: Set<String> = [
        "p", "div", "br", "tr", "li", "h1", "h2", "h3", "h4", "h5", "h6", "table", "blockquote", "pre",
        "hr", "td", "th", "header", "footer", "section", "article", "title", "center", "dt", "dd",
    ]
    private static let unread: Set<String> = ["script", "style", "head", "template"]

    private enum Step {
        case node(XMLTree.Node, hidden: Bool)
        /// A block's end: a line break in the text it was shown in.
        case leave(hidden: Bool)
        /// The end of text shown reversed, which began at this offset (in scalars) of the text it is in.
        case reverse(from: Int, hidden: Bool)
    }

    static func extract(_ bytes: [UInt8]) -> DocumentText? {
        guard let tree = XMLTree(html: bytes) else { return nil }
        // Scalars, not Strings: a reversed element is turned round in place (only its own text).
        var shown: [Unicode.Scalar] = []
        var hiddenText: [Unicode.Scalar] = []
        var stack: [Step] = tree.root.map { [.node($0, hidden: false)] } ?? []
        // Top-level siblings of the root (HTML_PARSE_NOIMPLIED keeps fragments as they are).
        if let root = tree.root {
            var sibling = root.pointer.pointee.next
            var rest: [Step] = []
            while let node = sibling { rest.append(.node(XMLTree.Node(tree: tree, pointer: node), hidden: false)); sibling = node.pointee.next }
            stack = rest.reversed() + stack
        }
        while let step = stack.popLast() {
            switch step {
            case .leave(let hidden):
                if hidden { hiddenText.append("\n") } else { shown.append("\n") }
            case .reverse(let start, let hidden):
                if hidden {
                    if start < hiddenText.count { hiddenText[start...].reverse() }
                } else if start < shown.count {
                    shown[start...].reverse()
                }
            case .node(let node, let inHidden):
                if node.isText {
                    if inHidden { hiddenText += node.content.unicodeScalars } else { shown += node.content.unicodeScalars }
                    continue
                }
                guard node.isElement else { continue }
                let name = node.name.lowercased()
                if unread.contains(name) && name != "title" { continue }
                let hidden = inHidden || isHidden(node)
                if blocks.contains(name) {
                    if hidden { hiddenText.append("\n") } else { shown.append("\n") }
                    stack.append(.leave(hidden: hidden))
                }
                if showsReversed(node, name: name) {
                    stack.append(.reverse(from: hidden ? hiddenText.count : shown.count, hidden: hidden))
                }
                for child in node.children.reversed() { stack.append(.node(child, hidden: hidden)) }
            }
        }
        var segments = [DocumentText.Segment(kind: .body, text: String(String.UnicodeScalarView(shown)))]
        if hiddenText.contains(where: { !$0.properties.isWhitespace }) {
            segments.append(DocumentText.Segment(kind: .body, text: String(String.UnicodeScalarView(hiddenText))))
        }
        return DocumentText(segments: segments)
    }

    /// Whether a mail program leaves the element's text unshown.
    static func isHidden(_ node: XMLTree.Node) -> Bool {
        if node.hasAttribute("hidden") { return true }
        guard let style = node.attribute("style") else { return false }
        return styleHides(style)
    }

    /// A style that hides text: `display:none`, `visibility:hidden` or `collapse`, `opacity:0`,
    /// `mso-hide:all`, or a font size too small to read (under 2px or 2pt, 0.15em, 15%).
    static func styleHides(_ style: String) -> Bool {
        for declaration in style.lowercased().split(separator: ";") {
            let pair = declaration.split(separator: ":", maxSplits: 1).map { $0.filter { !$0.isWhitespace } }
            guard pair.count == 2 else { continue }
            let (property, value) = (pair[0], pair[1].replacingImportant)
            switch property {
            case "display": if value == "none" { return true }
            case "visibility": if value == "hidden" || value == "collapse" { return true }
            case "mso-hide": if value == "all" { return true }
            case "opacity": if let number = Double(value), number < 0.05 { return true }
            case "font-size": if tooSmall(value) { return true }
            default: break
            }
        }
        return false
    }

    private static func tooSmall(_ value: String) -> Bool {
        let number = value.prefix { $0.isNumber || $0 == "." }
        guard let size = Double(number) else { return false }
        switch value.dropFirst(number.count) {
        case "", "px", "pt": return size < 2
        case "em", "rem": return size < 0.15
        case "%": return size < 15
        default: return size == 0
        }
    }

    /// `<bdo dir="rtl">`, or a style that overrides the text's direction to right-to-left.
    private static func showsReversed(_ node: XMLTree.Node, name: String) -> Bool {
        if name == "bdo", node.attribute("dir")?.lowercased() == "rtl" { return true }
        guard let style = node.attribute("style")?.lowercased().filter({ !$0.isWhitespace }) else { return false }
        return style.contains("unicode-bidi:bidi-override") && style.contains("direction:rtl")
    }
}

private extension String {
    /// The value without a trailing `!important`.
    var replacingImportant: String {
        hasSuffix("!important") ? String(dropLast("!important".count)) : self
    }
}
