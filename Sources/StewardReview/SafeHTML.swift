import CStewardXML
import Foundation

/// Makes a held message's HTML body safe to show an official: parsed by libxml2's HTML parser
/// (which recovers from broken markup as browsers do, so what we check is what a browser would
/// build) and written back out from an allow-list of elements and attributes. Nothing outside
/// the list survives: no script, no event handler, no frame or form, no remote image, no
/// `<style>` sheet, no CSS `url()`, no clickable link.
///
/// The content page also serves the result in a sandboxed frame under a strict
/// Content-Security-Policy; this is the first of those two walls, and must hold on its own.
public enum SafeHTML {
    /// The link-target note's own style (see `Writer.linkTarget`): every property the mail could
    /// set on an element around it to hide it, in the forms `SafeCSS` keeps (sanitizing twice
    /// gives the same result).
    public static let linkTargetStyle: String = "font-size: 12px; line-height: normal; font-family: monospace; color: #222; "
        + "background-color: #ffd; display: inline; letter-spacing: normal; word-spacing: normal; text-transform: none; "
        + "text-indent: 0; direction: ltr; white-space: normal"

    /// A link's address as shown: without invisible format characters (bidi controls such as
    /// U+202E, zero-width ones), which could make it read as another address.
    static func visibleAddress(_ href: String) -> String {
        String(String.UnicodeScalarView(href.unicodeScalars.filter { $0.properties.generalCategory != .format }))
    }

    /// The sanitized body as an HTML fragment (UTF-8 text, every text and attribute escaped).
    public static func sanitize(_ html: String) -> String {
        let options = Int32(HTML_PARSE_RECOVER.rawValue | HTML_PARSE_NONET.rawValue | HTML_PARSE_NOERROR.rawValue
            | HTML_PARSE_NOWARNING.rawValue)
        // Parsed as the inside of a body: libxml2 then keeps leading text as it is instead of
        // wrapping it in a <p> (so sanitizing the output again changes nothing), and ignores a
        // mail's own <html>/<body> tags, attributes (onload) and all.
        let bytes = Array("<body>".utf8) + Array(html.utf8)
        // The String is already Unicode; telling libxml2 "UTF-8" keeps a `<meta charset>` in
        // the mail from making it decode the text a second time.
        let parsed = bytes.withUnsafeBufferPointer { buffer in
            buffer.baseAddress.flatMap { base in
                base.withMemoryRebound(to: CChar.self, capacity: buffer.count) {
                    htmlReadMemory($0, Int32(clamping: buffer.count), "body.html", "UTF-8", options)
                }
            }
        }
        guard let doc = parsed else { return "" }
        defer { xmlFreeDoc(doc) }
        var writer = Writer()
        var child = doc.pointee.children
        while let node = child {
            writer.write(node)
            child = node.pointee.next
        }
        return writer.output
    }

    /// Elements written as they are (with their allowed attributes): text structure, lists,
    /// tables, and the old presentational tags mail clients still send.
    static let keptElements: Set<String> = [
        "a", "abbr", "address", "article", "aside", "b", "bdi", "bdo", "big", "blockquote", "br", "caption",
        "center", "cite", "code", "col", "colgroup", "dd", "del", "details", "dfn", "div", "dl", "dt", "em",
        "figcaption", "figure", "font", "footer", "h1", "h2", "h3", "h4", "h5", "h6", "header", "hr", "i", "img",
        "ins", "kbd", "li", "main", "mark", "nav", "ol", "p", "pre", "q", "s", "samp", "section", "small", "span",
        "strike", "strong", "sub", "summary", "sup", "table", "tbody", "td", "tfoot", "th", "thead", "time", "tr",
        "tt", "u", "ul", "var", "wbr",
    ]

    /// Elements dropped together with everything inside them: active content, embedded
    /// documents, forms' controls, and the document head (title, meta refresh, base, links).
    static let droppedElements: Set<String> = [
        "script", "style", "head", "title", "template", "noscript", "iframe",
        "frameset", "noframes", "object", "applet", "svg", "math", "canvas", "audio", "video", "picture",
        "button", "select", "option", "optgroup", "textarea", "datalist", "output", "xmp", "plaintext", "noembed",
        "portal", "dialog", "slot", "marquee",
    ]

    /// Elements that never have children, written without a closing tag.
    static let voidElements: Set<String> = ["br", "col", "hr", "img", "wbr"]

    /// Void elements dropped without their "children": libxml2 (an HTML 4 parser) does not know
    /// that `<embed>`, `<source>` or `<track>` are empty and nests what follows them inside;
    /// that is the mail's own text, and it is written (under the same rules) after them.
    static let droppedVoidElements: Set<String> = [
        "embed", "source", "track", "keygen", "param", "input", "bgsound", "base", "link", "meta", "frame",
    ]

    /// Attributes kept (after their value is checked). No `id`, `name` or `class`: the page has
    /// no use for them and they let a mail aim at the page's own elements.
    static let keptAttributes: Set<String> = [
        "title", "lang", "dir", "align", "valign", "width", "height", "colspan", "rowspan", "span", "border",
        "cellpadding", "cellspacing", "bgcolor", "color", "face", "size", "alt", "style", "start", "type",
        "reversed", "nowrap", "datetime", "cite", "abbr", "scope", "open",
    ]

    /// Attributes whose value is free text (shown, never interpreted).
    static let textAttributes: Set<String> = ["title", "alt", "abbr", "datetime", "lang", "face"]

    /// Image sources a browser can show without fetching anything: inline raster data.
    /// (`data:image/svg+xml` is left out: an SVG document can carry scripts and links.)
    static let inlineImageTypes = ["data:image/png;", "data:image/gif;", "data:image/jpeg;", "data:image/webp;"]

    /// Presentational values: lengths, colours, keywords. Anything else (quotes, colons,
    /// brackets, `javascript:`) is dropped rather than interpreted.
    static func isPlainValue(_ value: String) -> Bool {
        value.unicodeScalars.allSatisfy { scalar in
            switch scalar {
            case "a"..."z", "A"..."Z", "0"..."9", " ", "#", "%", ".", ",", "-", "+", "*": true
            default: false
            }
        }
    }

    /// Serializes kept nodes. Iterative, not recursive: a mail may nest thousands of elements
    /// (libxml2 caps the depth, but the page must not depend on that).
    struct Writer {
        var output = ""

        private enum Step {
            case node(xmlNodePtr)
            case close(String)
            /// Already escaped HTML.
            case text(String)
        }

        mutating func write(_ start: xmlNodePtr) {
            var steps: [Step] = [.node(start)]
            while let step = steps.popLast() {
                switch step {
                case .close(let name):
                    output += "</\(name)>"
                case .text(let text):
                    output += text
                case .node(let node):
                    let pending = visit(node)
                    // A link's destination is written beside it as plain text, after its closing tag.
                    if let after = pending.after { steps.append(.text(after)) }
                    if let closing = pending.close { steps.append(.close(closing)) }
                    for child in pending.children.reversed() { steps.append(.node(child)) }
                }
            }
        }

        /// Writes a node's own opening (or text) and returns the children still to write and
        /// the closing tag to write after them.
        private mutating func visit(_ node: xmlNodePtr) -> (children: [xmlNodePtr], close: String?, after: String?) {
            switch node.pointee.type {
            case XML_TEXT_NODE, XML_CDATA_SECTION_NODE:
                output += HTMLEscape.text(node.pointee.content.map { String(cString: $0) } ?? "")
                return ([], nil, nil)
            case XML_ELEMENT_NODE:
                break
            default:
                // Comments (including IE conditional comments), processing instructions, DTDs.
                return ([], nil, nil)
            }
            let name = (node.pointee.name.map { String(cString: $0) } ?? "").lowercased()
            let children = Self.children(of: node)
            if droppedVoidElements.contains(name) { return (children, nil, nil) }
            if droppedElements.contains(name) { return ([], nil, nil) }
            guard keptElements.contains(name) else {
                // Unknown elements and html/body/form: their text still reads, without the tag.
                return (children, nil, nil)
            }
            // A void element's children, if the parser gave it any, are what followed it.
            if name == "img" {
                writeImage(node)
                return (children, nil, nil)
            }
            output += "<\(name)\(attributes(of: node, element: name))>"
            return (children, voidElements.contains(name) ? nil : name, name == "a" ? Self.linkTarget(of: node) : nil)
        }

        /// ` [https://…]` after a link, so the official sees where it really goes (a phishing
        /// link's text often names another place); a non-web destination is only said to be one.
        /// The note sets its own size and colours, so the mail's styles on the elements around it
        /// (`font-size: 0`, a colour on its own background) cannot hide it, and stands in a
        /// left-to-right `bdi`, so a `bdo dir="rtl"` around it cannot turn it around.
        private static func linkTarget(of node: xmlNodePtr) -> String? {
            guard let href = attribute("href", of: node)?.trimmingCharacters(in: .whitespacesAndNewlines), !href.isEmpty else { return nil }
            let visible = SafeHTML.visibleAddress(href)
            let lowered = visible.lowercased()
            let shown = ["http://", "https://", "mailto:"].contains(where: { lowered.hasPrefix($0) }) ? visible : "a non-web address, not shown"
            return "<bdi dir=\"ltr\"><small style=\"\(SafeHTML.linkTargetStyle)\"> [\(HTMLEscape.text(shown))]</small></bdi>"
        }

        /// An inline image as it is; a remote or `cid:` one as a visible note, so the official
        /// knows an image was there and that it was not fetched.
        private mutating func writeImage(_ node: xmlNodePtr) {
            let source = Self.attribute("src", of: node)?.trimmingCharacters(in: .whitespacesAndNewlines) ?? ""
            let lowered = source.lowercased()
            if inlineImageTypes.contains(where: { lowered.hasPrefix($0) }) && lowered.contains(";base64,")
                && source.unicodeScalars.allSatisfy({ $0.isASCII && $0 != "\"" && $0 != "'" && $0 != "<" && $0 != ">" }) {
                output += "<img src=\"\(HTMLEscape.attribute(source))\"\(attributes(of: node, element: "img"))>"
            } else {
                let alt = Self.attribute("alt", of: node).map { ": \($0)" } ?? ""
                output += HTMLEscape.text("[image not loaded\(alt)]")
            }
        }

        private func attributes(of node: xmlNodePtr, element: String) -> String {
            var result = ""
            let href = element == "a" ? Self.attribute("href", of: node)?.trimmingCharacters(in: .whitespacesAndNewlines) : nil
            if let href, !href.isEmpty {
                // Links are not followed from the review app (a held mail may be phishing): a
                // web or mail destination is shown on hover instead of being clickable.
                let lowered = href.lowercased()
                let shown = ["http://", "https://", "mailto:"].contains(where: { lowered.hasPrefix($0) })
                    ? "Link to: " + SafeHTML.visibleAddress(href) : "Link to a non-web address (not shown)"
                result += " title=\"\(HTMLEscape.attribute(shown))\""
            }
            var attribute = node.pointee.properties
            while let current = attribute {
                attribute = current.pointee.next
                let name = (current.pointee.name.map { String(cString: $0) } ?? "").lowercased()
                guard keptAttributes.contains(name), let value = Self.value(of: current) else { continue }
                if name == "title", let href, !href.isEmpty { continue }
                if name == "style" {
                    let style = SafeCSS.declarations(value)
                    if !style.isEmpty { result += " style=\"\(HTMLEscape.attribute(style))\"" }
                } else if textAttributes.contains(name) || isPlainValue(value) {
                    result += " \(name)=\"\(HTMLEscape.attribute(value))\""
                }
            }
            return result
        }

        private static func children(of node: xmlNodePtr) -> [xmlNodePtr] {
            var result: [xmlNodePtr] = []
            var child = node.pointee.children
            while let current = child {
                result.append(current)
                child = current.pointee.next
            }
            return result
        }

        private static func attribute(_ wanted: String, of node: xmlNodePtr) -> String? {
            var attribute = node.pointee.properties
            while let current = attribute {
                if let name = current.pointee.name, String(cString: name).lowercased() == wanted { return value(of: current) }
                attribute = current.pointee.next
            }
            return nil
        }

        /// An attribute's value with entities decoded (`&#106;avascript:` reads `javascript:`).
        private static func value(of attribute: xmlAttrPtr) -> String? {
            let node = UnsafeMutableRawPointer(attribute).assumingMemoryBound(to: xmlNode.self)
            guard let raw = xmlNodeGetContent(node) else { return nil }
            defer { steward_xml_free(raw) }
            return String(cString: raw)
        }
    }
}
