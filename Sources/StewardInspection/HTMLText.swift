import CStewardXML
import StewardCore

/// What a reader sees of an HTML body: text with tags dropped and entities decoded (libxml2's
/// HTML parser, which recovers from broken markup as browsers do), scripts and styles left out,
/// block elements ending lines so a banner stays on a line of its own.
///
/// Two readings, because mail programs differ in what they hide: all the text, and, when the
/// message hides some (`display:none`, `visibility:hidden`, a tiny font size, zero opacity, a
/// transparent colour, a zero height with its overflow hidden, Outlook's `mso-hide:all`, the
/// `hidden` attribute), the text shown without it. So `CONFI<span style="display:none">x</span>DENTIAL`
/// reads CONFIDENTIAL as most readers see it, and a marking split by a style only some
/// programs honour (`mso-hide`, a child shown again) is still read whole in the first
/// reading. Text under a right-to-left override (`<bdo dir="rtl">`, `unicode-bidi:
/// bidi-override; direction: rtl`) is shown reversed, so it is read reversed (once, however
/// deeply such overrides nest).
enum HTMLText {
    private static let blocks: Set<String> = [
        "p", "div", "br", "tr", "li", "h1", "h2", "h3", "h4", "h5", "h6", "table", "blockquote", "pre",
        "hr", "td", "th", "header", "footer", "section", "article", "title", "center", "dt", "dd",
    ]
    private static let unread: Set<String> = ["script", "style", "head", "template"]

    private enum Step {
        case node(XMLTree.Node, hidden: Bool, reversed: Bool)
        /// A block's end: a line break.
        case leave(hidden: Bool)
        /// The end of an outermost right-to-left override, which began at these offsets (in
        /// scalars) of the two readings.
        case reverse(all: Int, shown: Int)
    }

    static func extract(_ bytes: [UInt8]) -> DocumentText? {
        guard let tree = XMLTree(html: bytes) else { return nil }
        // Scalars, not Strings: a reversed element is turned round in place (only its own text).
        var all: [Unicode.Scalar] = []
        var shown: [Unicode.Scalar] = []
        var hidesText = false
        var stack: [Step] = tree.root.map { [.node($0, hidden: false, reversed: false)] } ?? []
        // Top-level siblings of the root (HTML_PARSE_NOIMPLIED keeps fragments as they are).
        if let root = tree.root {
            var sibling = root.pointer.pointee.next
            var rest: [Step] = []
            while let node = sibling {
                rest.append(.node(XMLTree.Node(tree: tree, pointer: node), hidden: false, reversed: false))
                sibling = node.pointee.next
            }
            stack = rest.reversed() + stack
        }
        while let step = stack.popLast() {
            switch step {
            case .leave(let hidden):
                all.append("\n")
                if !hidden { shown.append("\n") }
            case .reverse(let allStart, let shownStart):
                if allStart < all.count { all[allStart...].reverse() }
                if shownStart < shown.count { shown[shownStart...].reverse() }
            case .node(let node, let inHidden, let inReversed):
                if node.isText {
                    all += node.content.unicodeScalars
                    if !inHidden { shown += node.content.unicodeScalars }
                    continue
                }
                guard node.isElement else { continue }
                let name = node.name.lowercased()
                if unread.contains(name) && name != "title" { continue }
                let hidden = inHidden || isHidden(node)
                if hidden { hidesText = true }
                if blocks.contains(name) {
                    all.append("\n")
                    if !hidden { shown.append("\n") }
                    stack.append(.leave(hidden: hidden))
                }
                let reversed = inReversed || showsReversed(node, name: name)
                if reversed && !inReversed { stack.append(.reverse(all: all.count, shown: shown.count)) }
                for child in node.children.reversed() { stack.append(.node(child, hidden: hidden, reversed: reversed)) }
            }
        }
        var segments = [DocumentText.Segment(kind: .body, text: String(String.UnicodeScalarView(all)))]
        if hidesText { segments.append(DocumentText.Segment(kind: .body, text: String(String.UnicodeScalarView(shown)))) }
        return DocumentText(segments: segments)
    }

    /// Whether a mail program leaves the element's text unshown.
    static func isHidden(_ node: XMLTree.Node) -> Bool {
        if node.hasAttribute("hidden") { return true }
        guard let style = node.attribute("style") else { return false }
        return styleHides(style)
    }

    /// A style that hides text: `display:none`, `visibility:hidden` or `collapse`, zero opacity,
    /// `mso-hide:all`, a transparent colour, a zero height or width with its overflow hidden,
    /// or a font size too small to read (under 3px or 2pt, 0.15em, 15%).
    static func styleHides(_ style: String) -> Bool {
        var overflowHidden = false, zeroBox = false
        for declaration in style.lowercased().split(separator: ";") {
            let pair = declaration.split(separator: ":", maxSplits: 1).map { $0.filter { !$0.isWhitespace } }
            guard pair.count == 2 else { continue }
            let (property, value) = (pair[0], pair[1].replacingImportant)
            switch property {
            case "display": if value == "none" { return true }
            case "visibility": if value == "hidden" || value == "collapse" { return true }
            case "mso-hide": if value == "all" { return true }
            case "opacity":
                if let number = Double(value.hasSuffix("%") ? String(value.dropLast()) : value),
                   number < (value.hasSuffix("%") ? 5 : 0.05) { return true }
            case "font-size": if tooSmall(value) { return true }
            case "color": if value == "transparent" || (value.hasPrefix("rgba(") && value.hasSuffix(",0)")) { return true }
            case "overflow": if value == "hidden" { overflowHidden = true }
            case "height", "max-height", "width", "max-width": if Double(value.prefix { $0.isNumber || $0 == "." }) == 0 { zeroBox = true }
            default: break
            }
        }
        return overflowHidden && zeroBox
    }

    private static func tooSmall(_ value: String) -> Bool {
        let number = value.prefix { $0.isNumber || $0 == "." }
        guard let size = Double(number) else { return false }
        switch value.dropFirst(number.count) {
        case "", "px": return size < 3
        case "pt": return size < 2
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
