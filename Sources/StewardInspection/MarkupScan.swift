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
            if let target = scanner.formTarget {
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
        private var formsSeen = 0

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

        /// The action of the first `<form>` (starting before `end`) that posts to a web address.
        private mutating func externalFormTarget(in lower: [UInt8], original: UnsafeBufferPointer<UInt8>, end: Int) -> String? {
            for start in ByteSearch.offsets(of: Array("<form".utf8), in: lower, limit: 50 - formsSeen) where start < end {
                formsSeen += 1
                guard let end = lower[start...].firstIndex(of: UInt8(ascii: ">")) else { continue }
                let tag = lower[start..<end]
                guard let action = ByteSearch.offsets(of: Array("action".utf8), in: Array(tag), limit: 1).first else { continue }
                var cursor = start + action + 6
                while cursor < end, [0x20, 0x09, 0x0A, 0x0D, UInt8(ascii: "=")].contains(lower[cursor]) { cursor += 1 }
                if cursor < end, lower[cursor] == UInt8(ascii: "\"") || lower[cursor] == UInt8(ascii: "'") { cursor += 1 }
                let rest = lower[cursor..<end]
                if rest.starts(with: Array("http://".utf8)) || rest.starts(with: Array("https://".utf8)) || rest.starts(with: Array("//".utf8)) {
                    let valueEnd = rest.firstIndex(where: { [0x20, 0x09, 0x0A, 0x0D, UInt8(ascii: "\""), UInt8(ascii: "'")].contains($0) }) ?? end
                    return String(decoding: original[cursor..<min(valueEnd, cursor + 120)], as: UTF8.self)
                }
            }
            return nil
        }
    }
}
