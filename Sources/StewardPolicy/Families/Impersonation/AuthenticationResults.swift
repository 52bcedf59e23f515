/// One `Authentication-Results` header (RFC 8601): who checked (the authserv-id) and what each
/// method concluded, with its properties (`dkim=pass header.d=union.example`).
///
/// Hand-parsed: no maintained C or Swift library parses RFC 8601 on Debian (OpenDMARC keeps its
/// parser private). The grammar is small; comments, quoted strings and the optional version
/// number are handled, and anything unreadable yields no results, which never counts as a pass.
public struct AuthenticationResults: Sendable, Hashable {
    public struct Result: Sendable, Hashable {
        /// Method, lower-cased (`dkim`, `dmarc`, `spf`).
        public var method: String
        /// Result, lower-cased (`pass`, `fail`, `none`...).
        public var result: String
        /// `ptype.property` (lower-cased) → value (`header.d` → `union.example`).
        public var properties: [String: String]
    }

    /// The server that did the checks, lower-cased.
    public var authservID: String
    public var results: [Result]

    /// Parses a header value; nil when it has no authserv-id.
    public init?(_ value: String) {
        let statements = Self.split(Self.withoutComments(value), on: ";")
        guard let first = statements.first else { return nil }
        // authserv-id [ CFWS authres-version ]
        guard let id = Self.split(first, on: " ").first, !id.isEmpty else { return nil }
        authservID = id.lowercased()
        results = statements.dropFirst().compactMap(Self.result)
    }

    private static func result(_ statement: String) -> Result? {
        let words = split(statement, on: " ")
        guard let head = words.first, let equals = head.firstIndex(of: "=") else { return nil }
        var method = head[..<equals].lowercased()
        if let slash = method.firstIndex(of: "/") { method = String(method[..<slash]) }  // method/version
        let result = unquoted(head[head.index(after: equals)...]).lowercased()
        guard !method.isEmpty, !result.isEmpty else { return nil }
        var properties: [String: String] = [:]
        for word in words.dropFirst() {
            guard let equals = word.firstIndex(of: "="), word[..<equals].contains(".") else { continue }
            properties[word[..<equals].lowercased()] = unquoted(word[word.index(after: equals)...])
        }
        return Result(method: method, result: result, properties: properties)
    }

    /// The value with RFC 5322 comments (nested parentheses, outside quotes) replaced by a space.
    static func withoutComments(_ text: String) -> String {
        var output = ""
        var depth = 0, quoted = false, escaped = false
        for character in text {
            if escaped {
                escaped = false
                if depth == 0 { output.append(character) }
                continue
            }
            switch character {
            case "\\": escaped = true; if depth == 0 { output.append(character) }
            case "\"" where depth == 0: quoted.toggle(); output.append(character)
            case "(" where !quoted: depth += 1
            case ")" where !quoted && depth > 0: depth -= 1; if depth == 0 { output.append(" ") }
            default: if depth == 0 { output.append(character) }
            }
        }
        return output
    }

    /// Splits on a separator outside quoted strings; white space separators also split on tabs
    /// and runs of spaces. Parts are trimmed; empty parts dropped.
    static func split(_ text: String, on separator: Character) -> [String] {
        var parts: [String] = []
        var current = ""
        var quoted = false
        for character in text {
            let isSeparator = separator == " " ? character.isWhitespace : character == separator
            if character == "\"" { quoted.toggle() }
            if isSeparator && !quoted {
                parts.append(current)
                current = ""
            } else {
                current.append(character)
            }
        }
        parts.append(current)
        return parts.map(\.trimmedWhitespace).filter { !$0.isEmpty }
    }

    private static func unquoted(_ text: Substring) -> String {
        var text = text
        if text.count >= 2, text.first == "\"", text.last == "\"" { text = text.dropFirst().dropLast() }
        return String(text)
    }
}

extension String {
    /// Without leading and trailing white space (no Foundation in the policy engine's hot path).
    var trimmedWhitespace: String {
        var text = Substring(self)
        while let first = text.first, first.isWhitespace { text.removeFirst() }
        while let last = text.last, last.isWhitespace { text.removeLast() }
        return String(text)
    }
}
