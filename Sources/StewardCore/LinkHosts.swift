/// Host names of the links in a message's text (`https://host/...`, `www.host`, `mailto:a@host`),
/// for rules about where a link really goes. Found once per message, at inspection.
///
/// A host is read as a browser reads it, not as written: HTML character references decoded
/// (`https://&#117;nion.example`), a backslash taken for a slash (`https:\\evil.example`),
/// user information before `@` dropped (`https://union.example:x@evil.example` goes to
/// evil.example), percent-encoding in the host decoded (`union%2Eexample`), the
/// ideographic and full-width dots kept as dots (`union。example`), which the look-alike rule
/// then judges, a web address with fewer slashes than two (`https:evil.example`,
/// `https:/evil.example`), and tabs and line breaks inside a quoted attribute removed
/// (`href="https://uni⏎on.example"`).
public enum LinkHosts {
    /// Cores of the link starts `hostStart` matches without regard to case: `www.` in any case,
    /// `mailto:` in lower, upper or capitalised case ("Mailto:"), so the quick check does not
    /// skip a text for its capitals. `:/` and `:\` cover `://` written with backslashes; the
    /// ends of `http:`, `https:`, `ftp:`, `ws:` and `wss:` in every case, a web address written
    /// without slashes.
    private static let markers: [[UInt8]] = {
        var words = [":/", ":\\", "ww.", "WW.", "Ww.", "wW.", "ailto:", "AILTO:"]
        for end in ["tp:", "ps:", "ws:", "ss:"] {
            let letters = Array(end.prefix(2))
            for first in [letters[0].lowercased(), letters[0].uppercased()] {
                for second in [letters[1].lowercased(), letters[1].uppercased()] { words.append(first + second + ":") }
            }
        }
        return words.map { Array($0.utf8) }
    }()


    /// Hosts linked from every text part of the tree, lower-cased, in order of first mention.
    public static func hosts(in root: MessagePart) -> [String] {
        var seen: Set<String> = []
        var result: [String] = []
        for part in root.allParts {
            guard let text = part.text else { continue }
            for host in hosts(in: text) where seen.insert(host).inserted { result.append(host) }
        }
        return result
    }

    /// Hosts linked from one text. Plain text without a link marker costs one memmem per marker.
    public static func hosts(in text: String) -> [String] {
        // Quoted attribute values (`href="…"`, `href = '…'`) may hold a link with line breaks.
        let attributes = text.utf8.contains(UInt8(ascii: "=")) && (text.utf8.contains(UInt8(ascii: "\"")) || text.utf8.contains(UInt8(ascii: "'")))
        guard attributes || markers.contains(where: { ByteSearch.contains($0, in: text) })
            || (ByteSearch.contains(Array("&#".utf8), in: text) || ByteSearch.contains(Array("&colon;".utf8), in: text))
        else { return [] }
        var hosts: [String] = []
        var seen: Set<String> = []
        let bytes = Array(text.utf8)
        scan(bytes, into: &hosts, seen: &seen)
        // In HTML a link may be written with character references, which browsers decode.
        var decoded: [UInt8]?
        if bytes.contains(UInt8(ascii: "&")), let text = CharacterReferences.decoded(bytes) {
            decoded = text
            scan(text, into: &hosts, seen: &seen)
        }
        // A browser takes tabs and line breaks out of a link (`https://uni⏎on.example`, also
        // written `&#10;`); in plain text a line break ends it.
        if attributes {
            for source in [bytes, decoded].compactMap({ $0 }) {
                for value in attributeValuesWithBreaks(source) { scan(value, into: &hosts, seen: &seen) }
            }
        }
        return hosts
    }

    /// Attributes that hold a link (`href`, `src`, `action`…): only their values are joined,
    /// so a quoted passage of a plain-text reply (`he said ="…"` over several lines) is not.
    private static let linkAttributes: [[UInt8]] = ["href", "src", "action", "formaction", "background", "poster", "data", "cite"]
        .map { Array($0.utf8) }

    /// The quoted link attribute values (`href="…"`) that hold a tab or a line break, without them.
    private static func attributeValuesWithBreaks(_ bytes: [UInt8]) -> [[UInt8]] {
        func isBreak(_ byte: UInt8) -> Bool { byte == 0x09 || byte == 0x0A || byte == 0x0D }
        func followsLinkAttribute(_ equals: Int) -> Bool {
            var end = equals
            while end > 0, bytes[end - 1] == 0x20 || isBreak(bytes[end - 1]) { end -= 1 }
            return linkAttributes.contains { name in
                guard end >= name.count + 1 else { return false }
                let start = end - name.count
                for (offset, byte) in name.enumerated() where bytes[start + offset] | 0x20 != byte { return false }
                let before = bytes[start - 1]
                return before == 0x20 || isBreak(before) || before == UInt8(ascii: ":") || before == UInt8(ascii: "\"") || before == UInt8(ascii: "'")
            }
        }
        var values: [[UInt8]] = []
        var index = 0
        while index < bytes.count {
            guard bytes[index] == UInt8(ascii: "="), followsLinkAttribute(index) else {
                index += 1
                continue
            }
            var start = index + 1
            while start < bytes.count, bytes[start] == 0x20 || isBreak(bytes[start]) { start += 1 }
            guard start < bytes.count, bytes[start] == UInt8(ascii: "\"") || bytes[start] == UInt8(ascii: "'") else {
                index = start
                continue
            }
            guard let end = bytes[(start + 1)...].firstIndex(of: bytes[start]) else { break }
            let value = bytes[(start + 1)..<end]
            if value.contains(where: isBreak) { values.append(value.filter { !isBreak($0) }) }
            index = end + 1
        }
        return values
    }

    private static func scan(_ bytes: [UInt8], into hosts: inout [String], seen: inout Set<String>) {
        var index = 0
        while index < bytes.count {
            guard let (start, authority) = hostStart(bytes, at: index) else {
                index += 1
                continue
            }
            var end = start
            if authority {
                // Up to the path, query or fragment: user information and a port come off below.
                while end < bytes.count, isAuthorityByte(bytes[end]) { end += 1 }
            } else {
                while end < bytes.count, isHostByte(bytes[end]) { end += 1 }
            }
            // A mailto: link may name several addresses ("mailto:a@x.example,b@y.example").
            let mailto = authority && start >= 7 && bytes[(start - 7)..<start].map({ $0 | 0x20 }) == Array("mailto:".utf8)
            let pieces = mailto ? bytes[start..<end].split(whereSeparator: { $0 == UInt8(ascii: ",") || $0 == UInt8(ascii: ";") }) : [bytes[start..<end]]
            for piece in pieces {
                if let host = host(from: piece), seen.insert(host).inserted { hosts.append(host) }
            }
            index = max(end, index + 1)
        }
    }

    /// The host in an authority (or `www.` name): after the last `@` (user information may hold
    /// `:` and other marks; without an `@` those end the host, as after a link in a sentence),
    /// its percent-encoding decoded, lower-cased, trailing dots and hyphens dropped; nil when
    /// it has no dot.
    private static func host(from authority: ArraySlice<UInt8>) -> String? {
        var part = authority
        if let at = part.lastIndex(of: UInt8(ascii: "@")) { part = part[(at + 1)...] }
        part = part.prefix(while: isHostByte)
        var bytes = Array(part)
        // Percent-encoding decoded, then the host cut where a decoded byte cannot be in one
        // (`union.example%20`, `www.union.example%3Futm_source` end at the space and the `?`).
        if bytes.contains(UInt8(ascii: "%")) { bytes = percentDecoded(bytes).prefix { isHostByte($0) && $0 != UInt8(ascii: "%") } }
        var host = String(decoding: bytes, as: UTF8.self).lowercased()
        if let at = host.lastIndex(of: "@") { host = String(host[host.index(after: at)...]) }  // %40 decoded
        // An ideographic full stop before CJK text ends a sentence, not a label ("union.example。次回").
        if let stop = host.unicodeScalars.firstIndex(where: { $0 == "\u{3002}" }),
           let next = host.unicodeScalars[host.unicodeScalars.index(after: stop)...].first, isCJK(next) {
            host = String(host.unicodeScalars[..<stop])
        }
        while host.hasSuffix(".") || host.hasSuffix("-") || host.hasSuffix("\u{3002}") { host.removeLast() }
        let hasDot = host.unicodeScalars.contains { $0 == "." || $0 == "\u{3002}" || $0 == "\u{FF0E}" || $0 == "\u{FF61}" }
        return hasDot ? host : nil
    }

    private static func isCJK(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0x3040...0x30FF, 0x3400...0x4DBF, 0x4E00...0x9FFF, 0xAC00...0xD7AF, 0xF900...0xFAFF: true
        default: false
        }
    }

    private static func percentDecoded(_ bytes: [UInt8]) -> [UInt8] {
        func hex(_ byte: UInt8) -> UInt8? {
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): byte - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): byte - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): byte - UInt8(ascii: "A") + 10
            default: nil
            }
        }
        var result: [UInt8] = []
        result.reserveCapacity(bytes.count)
        var i = 0
        while i < bytes.count {
            if bytes[i] == UInt8(ascii: "%"), i + 2 < bytes.count, let high = hex(bytes[i + 1]), let low = hex(bytes[i + 2]) {
                result.append(high << 4 | low)
                i += 3
            } else {
                result.append(bytes[i])
                i += 1
            }
        }
        return result
    }

    private static let mailto = Array("mailto:".utf8)
    private static let www = Array("www.".utf8)
    /// The schemes a browser reads an authority after however many slashes follow (none too):
    /// WHATWG URL's special schemes but `file`.
    public static let webSchemes: Set<String> = ["http", "https", "ftp", "ws", "wss"]
    private static let specialSchemes: Set<[UInt8]> = Set(webSchemes.map { Array($0.utf8) })

    /// Where a host name starts if a link starts at `index`, and whether what follows is a URL's
    /// authority (after `://`, also written `:\\` or `:/\`, or after `http:` and the other web
    /// schemes with any number of slashes) rather than a bare `www.` name.
    private static func hostStart(_ bytes: [UInt8], at index: Int) -> (Int, Bool)? {
        func matches(_ word: [UInt8]) -> Bool {
            guard index + word.count <= bytes.count else { return false }
            for (offset, byte) in word.enumerated() where bytes[index + offset] | 0x20 != byte | 0x20 { return false }
            return true
        }
        func isSlash(_ byte: UInt8) -> Bool { byte == UInt8(ascii: "/") || byte == UInt8(ascii: "\\") }
        if bytes[index] == UInt8(ascii: ":") {
            let twoSlashes = index + 2 < bytes.count && isSlash(bytes[index + 1]) && isSlash(bytes[index + 2])
            if twoSlashes || isSpecialScheme(before: index, in: bytes) {
                var start = index + 1
                while start < bytes.count, isSlash(bytes[start]) { start += 1 }  // https:///host, https:host, as browsers read them
                return (start, true)
            }
        }
        if matches(mailto) { return (index + 7, true) }
        if matches(www), index == 0 || !isHostByte(bytes[index - 1]) { return (index, false) }
        return nil
    }

    /// Whether the word ending at `colon` is `http`, `https`, `ftp`, `ws` or `wss` in any case.
    private static func isSpecialScheme(before colon: Int, in bytes: [UInt8]) -> Bool {
        var start = colon
        while start > 0, colon - start < 6, bytes[start - 1] | 0x20 >= UInt8(ascii: "a"), bytes[start - 1] | 0x20 <= UInt8(ascii: "z") {
            start -= 1
        }
        guard colon - start >= 2, colon - start <= 5 else { return false }
        if start > 0, isHostByte(bytes[start - 1]) || bytes[start - 1] == UInt8(ascii: "+") { return false }
        return specialSchemes.contains(bytes[start..<colon].map { $0 | 0x20 })
    }

    /// Bytes of a host name (and of `user@` before it): ASCII letters, digits, `.-_@%`, and any
    /// non-ASCII byte, so Unicode (IDN) hosts are kept whole for the lookalike checks.
    private static func isHostByte(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
             UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "."), UInt8(ascii: "-"), UInt8(ascii: "_"),
             UInt8(ascii: "@"), UInt8(ascii: "%"):
            true
        default:
            byte >= 0x80
        }
    }

    /// Bytes of a URL's authority: a host's, and the `:` of user information and a port, and
    /// the other characters user information may hold. Not `/ ? # \`, white space, quotes or
    /// angle brackets, which end it.
    private static func isAuthorityByte(_ byte: UInt8) -> Bool {
        if isHostByte(byte) { return true }
        switch byte {
        case UInt8(ascii: ":"), UInt8(ascii: "!"), UInt8(ascii: "$"), UInt8(ascii: "&"), UInt8(ascii: "+"), UInt8(ascii: ","),
             UInt8(ascii: ";"), UInt8(ascii: "="), UInt8(ascii: "~"), UInt8(ascii: "*"):
            return true
        default:
            return false
        }
    }
}
