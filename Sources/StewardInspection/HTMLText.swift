import CStewardXML
import StewardCore

/// What a reader sees of an HTML body: text with tags dropped and entities decoded (libxml2's
/// HTML parser, which recovers from broken markup as browsers do), scripts and styles left out,
/// block elements ending lines so a banner stays on a line of its own.
///
/// Up to three readings, because mail programs differ in what they hide: all the text, and, when the
/// message hides some (`display:none`, `visibility:hidden`, a tiny font size, zero opacity, a
/// transparent colour, a zero height with its overflow hidden, Outlook's `mso-hide:all`, the
/// `hidden` attribute), the text shown without it. So `CONFI<span style="display:none">x</span>DENTIAL`
/// reads CONFIDENTIAL as most readers see it, and a marking split by a style only some
/// programs honour (`mso-hide`, a child shown again) is still read whole in the first
/// reading. A third reading is Outlook's, when the message has text Outlook alone leaves out
/// (`<!--[if !mso]><!-->…<!--<![endif]-->`, `mso-hide:all`); what a conditional comment for
/// Outlook holds (`<!--[if mso]>…`) is in the first and in Outlook's. A style may come from
/// the body's own style sheets too (`<style>.h{display:none}`, `HTMLStyleSheet`), and text
/// moved off the screen, clipped away or scaled to nothing is hidden as well. Text under a right-to-left override (`<bdo dir="rtl">`, `unicode-bidi:
/// bidi-override; direction: rtl`) is shown reversed, so it is read reversed (once, however
/// deeply such overrides nest).
enum HTMLText {
    private static let blocks: Set<String> = [
        "p", "div", "br", "tr", "li", "h1", "h2", "h3", "h4", "h5", "h6", "table", "blockquote", "pre",
        "hr", "td", "th", "header", "footer", "section", "article", "title", "center", "dt", "dd",
    ]
    private static let unread: Set<String> = ["script", "style", "head", "template"]

    /// In which readings an element's text appears: as most programs show it (`shown`), and as
    /// Outlook shows it (`outlook`); the first reading has all of it.
    private struct Seen {
        var shown = true
        var outlook = true
    }

    private enum Step {
        case node(XMLTree.Node, seen: Seen, reversed: Bool)
        /// A block's end: a line break.
        case leave(seen: Seen)
        /// The end of an outermost right-to-left override, which began at these offsets (in
        /// scalars) of the three readings.
        case reverse(all: Int, shown: Int, outlook: Int)
    }

    static func extract(_ bytes: [UInt8]) -> DocumentText? {
        guard let tree = XMLTree(html: bytes) else { return nil }
        // Scalars, not Strings: a reversed element is turned round in place (only its own text).
        var all: [Unicode.Scalar] = []
        var shown: [Unicode.Scalar] = []
        var outlook: [Unicode.Scalar] = []
        var hidesText = false, outlookHidesText = false
        let topLevel = Self.topLevel(tree)
        let sheet = Self.mayHaveStyleElement(bytes) ? Self.styleSheet(topLevel) : nil
        var stack: [Step] = []
        // Children in reverse, so the first is read first. A downlevel-revealed section
        // (`<!--[if !mso]><!-->…<!--<![endif]-->`) is shown by every program but Outlook.
        func push(_ children: [XMLTree.Node], seen: Seen, reversed: Bool) {
            var steps: [Step] = []
            var notInOutlook = false
            for child in children {
                if child.isComment {
                    let comment = child.content
                    if comment.hasPrefix("[if"), Self.excludesOutlook(comment), comment.hasSuffix("<!") { notInOutlook = true }
                    if comment.hasPrefix("<![endif]") { notInOutlook = false }
                }
                var childSeen = seen
                if notInOutlook && !child.isComment {
                    childSeen.outlook = false
                    outlookHidesText = true
                }
                steps.append(.node(child, seen: childSeen, reversed: reversed))
            }
            stack += steps.reversed()
        }
        push(topLevel, seen: Seen(), reversed: false)
        func append(_ text: some Sequence<Unicode.Scalar>, _ seen: Seen) {
            all += text
            if seen.shown { shown += text }
            if seen.outlook { outlook += text }
        }
        while let step = stack.popLast() {
            switch step {
            case .leave(let seen):
                append(CollectionOfOne("\n"), seen)
            case .reverse(let allStart, let shownStart, let outlookStart):
                if allStart < all.count { all[allStart...].reverse() }
                if shownStart < shown.count { shown[shownStart...].reverse() }
                if outlookStart < outlook.count { outlook[outlookStart...].reverse() }
            case .node(let node, let inSeen, let inReversed):
                if node.isText {
                    append(node.content.unicodeScalars, inSeen)
                    continue
                }
                // What a conditional comment holds (`<!--[if mso]>…<![endif]-->`) is shown by
                // Outlook only (by nothing, for `[if !mso]>`): hidden text in the other readings.
                if node.isComment, node.tree === tree, let inner = Self.conditionalContent(node.content) {
                    let children = Self.topLevel(inner)
                    guard !children.isEmpty else { continue }
                    hidesText = true
                    let seen = Seen(shown: false, outlook: inSeen.outlook && !Self.excludesOutlook(node.content))
                    if !seen.outlook { outlookHidesText = true }
                    push(children, seen: seen, reversed: inReversed)
                    continue
                }
                guard node.isElement else { continue }
                let name = node.name.lowercased()
                if unread.contains(name) && name != "title" { continue }
                var seen = inSeen
                if seen.shown && isHidden(node, sheet: sheet) {
                    seen.shown = false
                    hidesText = true
                }
                if seen.outlook, let style = node.attribute("style"), style.lowercased().filter({ !$0.isWhitespace }).contains("mso-hide:all") {
                    seen.outlook = false
                    outlookHidesText = true
                }
                if blocks.contains(name) {
                    append(CollectionOfOne("\n"), seen)
                    stack.append(.leave(seen: seen))
                }
                let reversed = inReversed || showsReversed(node, name: name)
                if reversed && !inReversed { stack.append(.reverse(all: all.count, shown: shown.count, outlook: outlook.count)) }
                push(node.children, seen: seen, reversed: reversed)
            }
        }
        var segments = [DocumentText.Segment(kind: .body, text: String(String.UnicodeScalarView(all)))]
        if hidesText { segments.append(DocumentText.Segment(kind: .body, text: String(String.UnicodeScalarView(shown)))) }
        if outlookHidesText { segments.append(DocumentText.Segment(kind: .body, text: String(String.UnicodeScalarView(outlook)))) }
        return DocumentText(segments: segments)
    }

    /// Whether a conditional comment's condition leaves Outlook out (`[if !mso]`, `[if !(mso)]`).
    private static func excludesOutlook(_ comment: String) -> Bool {
        let condition = comment.prefix { $0 != "]" }.lowercased().filter { !$0.isWhitespace }
        return condition.contains("!mso") || condition.contains("!(mso")
    }

    /// The HTML inside a conditional comment for Outlook (`[if mso]>…<![endif]`, `[if gte mso
    /// 9]>…`), parsed; nil for any other comment.
    private static func conditionalContent(_ comment: String) -> XMLTree? {
        guard comment.hasPrefix("[if"), let open = comment.firstIndex(of: ">") else { return nil }
        var inner = comment[comment.index(after: open)...]
        if let end = inner.firstRange(of: "<![endif]") { inner = inner[..<end.lowerBound] }
        guard !inner.isEmpty else { return nil }
        return XMLTree(html: Array(inner.utf8))
    }

    /// The root and its top-level siblings (HTML_PARSE_NOIMPLIED keeps fragments as they are).
    private static func topLevel(_ tree: XMLTree) -> [XMLTree.Node] {
        guard let root = tree.root else { return [] }
        var nodes = [root]
        var sibling = root.pointer.pointee.next
        while let node = sibling {
            nodes.append(XMLTree.Node(tree: tree, pointer: node))
            sibling = node.pointee.next
        }
        return nodes
    }

    /// Whether `<style` appears at all (in any case): most bodies have no style sheet, and are
    /// not walked twice.
    private static func mayHaveStyleElement(_ bytes: [UInt8]) -> Bool {
        let tag = Array("<style".utf8)
        guard bytes.count >= tag.count else { return false }
        for start in 0...(bytes.count - tag.count) where bytes[start] == 0x3C {
            if (1..<tag.count).allSatisfy({ bytes[start + $0] | 0x20 == tag[$0] }) { return true }
        }
        return false
    }

    /// The body's own style sheets: the text of every `<style>` element, wherever it is.
    private static func styleSheet(_ topLevel: [XMLTree.Node]) -> HTMLStyleSheet? {
        var css = ""
        var stack = topLevel
        while let node = stack.popLast(), css.utf8.count < HTMLStyleSheet.maximumCSS {
            guard node.isElement else { continue }
            if node.name.lowercased() == "style" {
                for child in node.children where child.isText { css += child.content + "\n" }
                continue
            }
            stack += node.children
        }
        guard !css.isEmpty else { return nil }
        let sheet = HTMLStyleSheet(css: css)
        return sheet.isEmpty ? nil : sheet
    }

    /// Whether a mail program leaves the element's text unshown: by its `hidden` attribute, its
    /// own style, or a rule of the body's style sheets (what the rules that apply to it do,
    /// and its own style, together: `.h{overflow:hidden}` with `style="height:0"`).
    static func isHidden(_ node: XMLTree.Node, sheet: HTMLStyleSheet? = nil) -> Bool {
        if node.hasAttribute("hidden") { return true }
        var effect = sheet?.effect(for: node) ?? StyleEffect()
        if let style = node.attribute("style") { effect.add(styleEffect(style)) }
        return effect.hidesText
    }

    /// What a style does to its element's text: hides it outright, or hides its overflow or
    /// gives it no room (which together hide it).
    struct StyleEffect {
        var hides = false
        var overflowHidden = false
        var zeroBox = false

        var hidesText: Bool { hides || (overflowHidden && zeroBox) }
        var mayHide: Bool { hides || overflowHidden || zeroBox }

        mutating func add(_ other: StyleEffect) {
            hides = hides || other.hides
            overflowHidden = overflowHidden || other.overflowHidden
            zeroBox = zeroBox || other.zeroBox
        }
    }

    /// A style that hides text: `display:none`, `visibility:hidden` or `collapse`, zero opacity,
    /// `mso-hide:all`, a transparent colour, a zero height or width with its overflow hidden,
    /// a font size too small to read (under 3px or 2pt, 0.15em, 15%), a box moved far off the
    /// screen (`left:-9999px`, `margin:0 0 0 -9999px`, `text-indent:-9999px`,
    /// `transform:translateX(-9999px)`), clipped to nothing (`clip:rect(0 0 0 0)`,
    /// `clip-path:inset(50%)`) or scaled to almost nothing (`transform:scale(0.01)`).
    static func styleHides(_ style: String) -> Bool { styleEffect(style).hidesText }

    static func styleEffect(_ style: String) -> StyleEffect {
        var effect = StyleEffect()
        for declaration in style.lowercased().split(separator: ";") {
            let parts = declaration.split(separator: ":", maxSplits: 1)
            guard parts.count == 2 else { continue }
            let pair = parts.map { $0.filter { !$0.isWhitespace } }
            let (property, value) = (pair[0], pair[1].replacingImportant)
            // With its spaces, where they separate numbers: `rect(0 0 0 0)`, `rgb(0 0 0 / 0)`.
            let spaced = String(parts[1])
            var hides = false
            switch property {
            case "display": hides = value == "none"
            case "visibility": hides = value == "hidden" || value == "collapse"
            case "mso-hide": hides = value == "all"
            case "opacity":
                if let number = Double(value.hasSuffix("%") ? String(value.dropLast()) : value) {
                    hides = number < (value.hasSuffix("%") ? 5 : 0.05)
                }
            case "font-size": hides = tooSmall(value)
            case "color", "-webkit-text-fill-color": hides = isTransparent(value, spaced: spaced)
            case "overflow", "overflow-x", "overflow-y": if value == "hidden" || value == "clip" { effect.overflowHidden = true }
            case "height", "max-height", "width", "max-width", "line-height":
                if Double(value.prefix { $0.isNumber || $0 == "." }) == 0 { effect.zeroBox = true }
            case "left", "top", "right", "bottom", "margin-left", "margin-top", "text-indent": hides = farOffScreen(value)
            case "margin", "inset":
                hides = spaced.split { $0.isWhitespace || $0 == "!" }.contains { farOffScreen(String($0)) }
            case "clip":
                let sides = numbers(in: spaced)
                hides = value.hasPrefix("rect(") && sides.count == 4 && sides.allSatisfy { $0 <= 1 }
            case "clip-path":
                if value.hasPrefix("inset("), let inset = numbers(in: spaced).first, inset >= 50, value.contains("%") { hides = true }
                if value.hasPrefix("circle(") || value.hasPrefix("ellipse("), numbers(in: spaced).first == 0 { hides = true }
            case "transform", "translate", "scale":
                hides = transformHides(property == "transform" ? spaced : "\(property)(\(spaced))")
            default: break
            }
            if hides { effect.hides = true }
        }
        return effect
    }

    /// A transform that scales text to almost nothing (`scale(0.01)`, `scaleX(0)`) or moves it
    /// far off the screen (`translateX(-9999px)`, `translate(-2000px, 0)`).
    private static func transformHides(_ value: String) -> Bool {
        var rest = Substring(value)
        while let open = rest.firstIndex(of: "(") {
            let name = rest[..<open].reversed().prefix { $0.isLetter || $0 == "3" }.reversed()
            guard let close = rest[open...].firstIndex(of: ")") else { return false }
            let arguments = rest[rest.index(after: open)..<close]
            let function = String(name)
            if function.hasPrefix("scale"), numbers(in: arguments).contains(where: { abs($0) < 0.05 }) { return true }
            if function.hasPrefix("translate"),
               arguments.split(whereSeparator: { $0 == "," || $0.isWhitespace }).contains(where: { farOffScreen(String($0)) }) {
                return true
            }
            rest = rest[rest.index(after: close)...]
        }
        return false
    }

    /// A colour no one sees: `transparent`, or an alpha of zero (`rgba(0,0,0,0)`, `#fff0`,
    /// `#ffffff00`, `hsl(0 0% 0% / 0)`).
    private static func isTransparent(_ value: String, spaced: String) -> Bool {
        if value == "transparent" { return true }
        if value.hasPrefix("#") {
            let digits = value.dropFirst()
            return (digits.count == 4 && digits.hasSuffix("0")) || (digits.count == 8 && digits.hasSuffix("00"))
        }
        guard ["rgb", "rgba", "hsl", "hsla"].contains(where: { value.hasPrefix($0 + "(") }) else { return false }
        let parts = numbers(in: spaced)
        return parts.count == 4 && parts[3] == 0
    }

    /// A length that puts a box far off the screen: 1000px or more to the left or top (or
    /// 60em, 750pt, 1000%).
    private static func farOffScreen(_ value: String) -> Bool {
        guard value.hasPrefix("-") else { return false }
        let number = value.dropFirst().prefix { $0.isNumber || $0 == "." }
        guard let size = Double(number) else { return false }
        switch value.dropFirst(1 + number.count) {
        case "", "px": return size >= 1000
        case "em", "rem": return size >= 60
        case "pt": return size >= 750
        case "%", "vw", "vh": return size >= 100
        default: return false
        }
    }

    /// The numbers in a function's arguments (`rect(0,0,0,0)`, `scale(0)`, `rgba(0 0 0 / 0)`),
    /// their units dropped (`1px`, `50%`).
    private static func numbers<S: StringProtocol>(in value: S) -> [Double] {
        value.split { $0.isWhitespace || $0 == "," || $0 == "/" || $0 == "(" || $0 == ")" }
            .compactMap { Double($0.prefix { $0.isNumber || $0 == "." || $0 == "-" }) }
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
