import StewardCore

/// Script and off-site forms in HTML and SVG files sent as files (phishing pages and script
/// droppers arrive this way). The HTML body of a message is not a file and is not scanned.
enum MarkupScan {
    private static let markupTypes: Set<String> = ["text/html", "application/xhtml+xml", "image/svg+xml"]
    private static let markupExtensions: Set<String> = ["htm", "html", "xhtml", "shtml", "svg", "svgz", "mht", "mhtml", "xht"]

    /// An HTML/SVG file by true type, declared type or name, sent as a file.
    static func isMarkupFile(_ part: MessagePart) -> Bool {
        let isFile = part.filename != nil || part.disposition == "attachment" || part.origin == .archiveMember
        guard isFile else { return false }
        if let type = part.trueType, markupTypes.contains(type) { return true }
        if markupTypes.contains(part.contentType) { return true }
        guard let name = part.filename, let dot = name.lastIndex(of: ".") else { return false }
        return markupExtensions.contains(name[name.index(after: dot)...].lowercased())
    }

    private static let scriptSigns = ["<script", "javascript:", "vbscript:"].map { Array($0.utf8) }

    /// How far past its start a tag may be read: an `on…=` handler or a `<form … action=…>`
    /// longer than this in a spooled (over-threshold) file is not followed past a window.
    static let lookahead = 64 * 1024

    /// The searches as one of a part's `WindowedScan` searches.
    final class Search: WindowScanner {
        private var scanner = Scanner()
        var lookahead: Int { MarkupScan.lookahead }

        func consume(_ window: UnsafeBufferPointer<UInt8>, safeEnd: Int, isLast: Bool) -> Int? {
            scanner.consume(window, safeEnd: safeEnd)
        }

        var markers: [ContentMarker] {
            var markers: [ContentMarker] = []
            if let sign = scriptSigns.first(where: { scanner.signs.contains($0) }) {
                markers.append(ContentMarker(kind: .markupScript, detail: "script (\(String(decoding: sign, as: UTF8.self)))"))
            } else if let handler = scanner.handler {
                markers.append(ContentMarker(kind: .markupScript, detail: "script (\(handler) handler)"))
            }
            if let target = scanner.formTarget ?? scanner.baseFormTarget {
                markers.append(ContentMarker(kind: .markupExternalForm, detail: "a form that sends what is typed into it to \(target)"))
            }
            return markers
        }
    }

    /// The searches, fed a window at a time; state that spans windows is kept here.
    struct Scanner {
        var signs: Set<[UInt8]> = []
        var handler: String?
        var formTarget: String?
        private var inTag = false
        private var previous: UInt8?

        mutating func consume(_ window: UnsafeBufferPointer<UInt8>, safeEnd: Int) -> Int {
            // ASCII lower-case copy: tags and attribute names are case-insensitive.
            let lower = window.map { ($0 >= 0x41 && $0 <= 0x5A) ? $0 | 0x20 : $0 }
            for sign in scriptSigns where !signs.contains(sign) && ByteSearch.contains(sign, in: lower) { signs.insert(sign) }
            if handler == nil { handler = eventHandler(in: lower, end: safeEnd) }
            if formTarget == nil { formTarget = externalFormTarget(in: lower, original: window, end: safeEnd) }
            if safeEnd > 0 { previous = lower[safeEnd - 1] }
            return safeEnd
        }

        /// An `on…=` attribute inside a tag (`onload=`, `onerror =`) starting before `end`.
        private mutating func eventHandler(in lower: [UInt8], end: Int) -> String? {
            var index = 0
            while index < end {
                let byte = lower[index]
                if byte == UInt8(ascii: "<") { inTag = true } else if byte == UInt8(ascii: ">") { inTag = false }
                let before = index > 0 ? lower[index - 1] : previous
                if inTag, byte == UInt8(ascii: "o"), index + 1 < lower.count, lower[index + 1] == UInt8(ascii: "n"), let before,
                   [0x20, 0x09, 0x0A, 0x0D, UInt8(ascii: "/"), UInt8(ascii: "\""), UInt8(ascii: "'")].contains(before) {
                    var cursor = index + 2
                    while cursor < lower.count, lower[cursor] >= UInt8(ascii: "a"), lower[cursor] <= UInt8(ascii: "z") { cursor += 1 }
                    let letters = cursor - index - 2
                    while cursor < lower.count, lower[cursor] == 0x20 || lower[cursor] == 0x09 { cursor += 1 }
                    if letters >= 3, cursor < lower.count, lower[cursor] == UInt8(ascii: "=") {
                        return String(decoding: lower[index..<(index + 2 + letters)], as: UTF8.self)
                    }
                }
                index += 1
            }
            return nil
        }

        /// Where the first form (a tag starting before `end`) sends what is typed into it, when
        /// that is a web address: a `<form>`'s `action`, a button's or input's `formaction`, or,
        /// for a form without a web address of its own, the page's `<base href>`. Each tag is
        /// read once, attribute by attribute as a browser splits them (a quoted `>` or a
        /// `data-action` is no end and no action), its values as a browser reads them.
        private mutating func externalFormTarget(in lower: [UInt8], original: UnsafeBufferPointer<UInt8>, end: Int) -> String? {
            var index = 0
            while index < end, let open = lower[index..<end].firstIndex(of: UInt8(ascii: "<")) {
                var nameEnd = open + 1
                while nameEnd < lower.count, nameEnd - open <= 7, lower[nameEnd] >= 0x61, lower[nameEnd] <= 0x7A { nameEnd += 1 }
                let name = String(decoding: lower[(open + 1)..<nameEnd], as: UTF8.self)
                guard ["form", "base", "button", "input"].contains(name) else {
                    index = open + 1
                    continue
                }
                let (attributes, close) = Self.attributes(in: lower, original: original, from: nameEnd)
                index = max(close, open + 1)
                switch name {
                case "form":
                    if let target = attributes.first(where: { $0.name == "action" && Self.isWebAddress($0.value) }) { return target.value }
                    relativeForm = true
                case "base":
                    if baseTarget == nil { baseTarget = attributes.first { $0.name == "href" && Self.isWebAddress($0.value) }?.value }
                default:
                    if let target = attributes.first(where: { $0.name == "formaction" && Self.isWebAddress($0.value) }) { return target.value }
                }
            }
            return nil
        }

        /// A `<form>` without a web address of its own, sent where the page's `<base href>` points.
        var baseFormTarget: String? { relativeForm ? baseTarget : nil }
        private var baseTarget: String?
        private var relativeForm = false

        /// The attributes of a tag whose name ends at `start`, up to its `>` (or `lookahead`
        /// bytes), and where the tag ends: names lower-cased, values with character references
        /// decoded and the tabs and line breaks a browser drops taken out (at most 120
        /// characters kept).
        static func attributes(in lower: [UInt8], original: UnsafeBufferPointer<UInt8>, from start: Int) -> ([(name: String, value: String)], Int) {
            let limit = min(lower.count, start + MarkupScan.lookahead)
            func isSpace(_ byte: UInt8) -> Bool { byte == 0x20 || byte == 0x09 || byte == 0x0A || byte == 0x0D || byte == 0x0C }
            var attributes: [(name: String, value: String)] = []
            var i = start
            while i < limit {
                while i < limit, isSpace(lower[i]) || lower[i] == UInt8(ascii: "/") { i += 1 }
                guard i < limit, lower[i] != UInt8(ascii: ">") else { return (attributes, i) }
                let nameStart = i
                while i < limit, !isSpace(lower[i]), lower[i] != UInt8(ascii: "="), lower[i] != UInt8(ascii: ">"), lower[i] != UInt8(ascii: "/") || i == nameStart {
                    i += 1
                }
                let name = String(decoding: lower[nameStart..<i], as: UTF8.self)
                while i < limit, isSpace(lower[i]) { i += 1 }
                guard i < limit, lower[i] == UInt8(ascii: "=") else {
                    attributes.append((name, ""))
                    continue
                }
                i += 1
                while i < limit, isSpace(lower[i]) { i += 1 }
                var valueStart = i, valueEnd = i
                if i < limit, lower[i] == UInt8(ascii: "\"") || lower[i] == UInt8(ascii: "'") {
                    let quote = lower[i]
                    valueStart = i + 1
                    valueEnd = lower[valueStart..<limit].firstIndex(of: quote) ?? limit
                    i = min(limit, valueEnd + 1)
                } else {
                    while i < limit, !isSpace(lower[i]), lower[i] != UInt8(ascii: ">") { i += 1 }
                    valueEnd = i
                }
                var value = Array(original[valueStart..<min(valueEnd, valueStart + 4096)])
                if value.contains(UInt8(ascii: "&")), let decoded = CharacterReferences.decoded(value) { value = decoded }
                value.removeAll { $0 == 0x09 || $0 == 0x0A || $0 == 0x0D }
                let text = String(decoding: value, as: UTF8.self)
                attributes.append((name, String(text.drop { $0 == " " || $0 == "\u{0C}" }.prefix(120))))
            }
            return (attributes, limit)
        }

        /// A web address a browser sends the form to: `//host` or `\\host` (the page's own
        /// scheme), or `http:`, `https:`, `ftp:`, `ws:`, `wss:` with any number of slashes.
        static func isWebAddress(_ value: String) -> Bool {
            let lower = value.lowercased()
            if lower.hasPrefix("//") || lower.hasPrefix("\\\\") || lower.hasPrefix("/\\") || lower.hasPrefix("\\/") { return true }
            guard let colon = lower.firstIndex(of: ":") else { return false }
            return LinkHosts.webSchemes.contains(String(lower[..<colon]))
        }
    }
}
