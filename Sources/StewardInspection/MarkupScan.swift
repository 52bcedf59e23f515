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

    static func markers(_ content: [UInt8]) -> [ContentMarker] {
        // ASCII lower-case copy: tags and attribute names are case-insensitive.
        let lower = content.map { ($0 >= 0x41 && $0 <= 0x5A) ? $0 | 0x20 : $0 }
        var markers: [ContentMarker] = []
        if let sign = scriptSigns.first(where: { ByteSearch.contains($0, in: lower) }) {
            markers.append(ContentMarker(kind: .markupScript, detail: "script (\(String(decoding: sign, as: UTF8.self)))"))
        } else if let handler = eventHandler(in: lower) {
            markers.append(ContentMarker(kind: .markupScript, detail: "script (\(handler) handler)"))
        }
        if let target = externalFormTarget(in: lower, original: content) {
            markers.append(ContentMarker(kind: .markupExternalForm, detail: "a form that sends what is typed into it to \(target)"))
        }
        return markers
    }

    /// An `on…=` attribute inside a tag (`onload=`, `onerror =`).
    private static func eventHandler(in lower: [UInt8]) -> String? {
        var inTag = false
        var index = 0
        while index < lower.count {
            let byte = lower[index]
            if byte == UInt8(ascii: "<") { inTag = true } else if byte == UInt8(ascii: ">") { inTag = false }
            if inTag, byte == UInt8(ascii: "o"), index + 1 < lower.count, lower[index + 1] == UInt8(ascii: "n"), index > 0,
               [0x20, 0x09, 0x0A, 0x0D, UInt8(ascii: "/"), UInt8(ascii: "\""), UInt8(ascii: "'")].contains(lower[index - 1]) {
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

    /// The action of the first `<form>` that posts to a web address.
    private static func externalFormTarget(in lower: [UInt8], original: [UInt8]) -> String? {
        for start in ByteSearch.offsets(of: Array("<form".utf8), in: lower, limit: 50) {
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
