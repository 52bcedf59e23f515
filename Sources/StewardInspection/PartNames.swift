import Foundation
import CStewardGMime
import StewardCore

/// Every name a MIME part's headers give it: each `filename` and `name` parameter of its
/// Content-Disposition and Content-Type headers, in plain, RFC 2231 (`filename*=`, `name*0*=`)
/// and RFC 2047 (`=?utf-8?b?…?=`) forms.
///
/// GMime keeps one value per parameter and prefers `filename` to `name`, but mail clients differ
/// in which one they show and save, so a sender can give a part a harmless name for the filter
/// and a dangerous one for the reader. GMime's parameter list cannot show what it dropped, so
/// this reads the raw header values; the grammar is small (RFC 2045 parameters, RFC 2231
/// continuations) and every value is decoded with GMime's own RFC 2047 decoder and Steward's
/// charset conversion.
enum PartNames {
    /// The decoded names in the order they stand, duplicates removed.
    static func all(in headers: [RawHeader]) -> [String] {
        var found: [String] = []
        for header in headers {
            let lower = header.name.lowercased()
            guard lower == "content-type" || lower == "content-disposition" else { continue }
            for name in names(inHeaderValue: header.value) where !name.isEmpty && !found.contains(name) {
                found.append(name)
            }
        }
        return found
    }

    /// The `filename`/`name` values of one header value (`attachment; filename="a.pdf"`), or
    /// of the parameters named in `bases` only.
    static func names(inHeaderValue value: String, bases: Set<String> = ["filename", "name"]) -> [String] {
        var plain: [String] = []
        // RFC 2231 continuations, by base attribute: section number → (value, is encoded).
        var sections: [String: [Int: (String, Bool)]] = [:]
        var order: [String] = []
        for (attribute, raw) in parameters(of: value) {
            let attribute = attribute.lowercased()
            let base: String
            var index: Int?
            var encoded = false
            var rest = Substring(attribute)
            if let star = rest.firstIndex(of: "*") {
                base = String(rest[..<star])
                rest = rest[rest.index(after: star)...]
                if rest.isEmpty {
                    encoded = true
                } else {
                    let digits = rest.prefix { $0.isASCII && $0.isNumber }
                    index = Int(digits)
                    encoded = rest.dropFirst(digits.count) == "*"
                }
            } else {
                base = attribute
            }
            guard bases.contains(base) else { continue }
            if let index {
                if sections[base] == nil { order.append(base) }
                if sections[base, default: [:]][index] == nil { sections[base, default: [:]][index] = (raw, encoded) }
            } else if encoded {
                plain.append(decode2231(raw, charset: nil, first: true))
            } else {
                plain.append(decode2047(raw))
            }
        }
        for base in order {
            guard let parts = sections[base] else { continue }
            var joined = ""
            var charset: String?
            for key in parts.keys.sorted() {
                guard let (raw, encoded) = parts[key] else { continue }
                if encoded {
                    if key == parts.keys.min() { charset = Self.charset(of: raw) }
                    joined += decode2231(raw, charset: charset, first: key == parts.keys.min())
                } else {
                    joined += raw
                }
            }
            plain.append(joined)
        }
        return plain.map { $0.trimmingCharacters(in: .whitespaces) }
    }

    /// `attribute=value` pairs after the first `;`, values unquoted (backslash escapes removed).
    /// Loose like mail clients: white space around `=`, unquoted values with spaces, a missing
    /// closing quote, empty parameters.
    static func parameters(of value: String) -> [(String, String)] {
        var result: [(String, String)] = []
        let chars = Array(value)
        var i = 0
        // Skip the type or disposition itself.
        while i < chars.count, chars[i] != ";" {
            if chars[i] == "\"" { i = skipQuoted(chars, from: i).end } else { i += 1 }
        }
        while i < chars.count {
            i += 1  // the ';'
            while i < chars.count, chars[i] == " " || chars[i] == "\t" { i += 1 }
            var attribute = ""
            while i < chars.count, chars[i] != "=", chars[i] != ";" { attribute.append(chars[i]); i += 1 }
            attribute = attribute.trimmingCharacters(in: .whitespaces)
            guard i < chars.count, chars[i] == "=" else { continue }
            i += 1
            while i < chars.count, chars[i] == " " || chars[i] == "\t" { i += 1 }
            var text = ""
            if i < chars.count, chars[i] == "\"" {
                let quoted = skipQuoted(chars, from: i)
                text = quoted.text
                i = quoted.end
                while i < chars.count, chars[i] != ";" { i += 1 }
            } else {
                while i < chars.count, chars[i] != ";" { text.append(chars[i]); i += 1 }
                text = text.trimmingCharacters(in: .whitespaces)
            }
            if !attribute.isEmpty { result.append((attribute, text)) }
        }
        return result
    }

    private static func skipQuoted(_ chars: [Character], from start: Int) -> (text: String, end: Int) {
        var i = start + 1
        var text = ""
        while i < chars.count, chars[i] != "\"" {
            if chars[i] == "\\", i + 1 < chars.count { i += 1 }
            text.append(chars[i])
            i += 1
        }
        return (text, min(i + 1, chars.count))
    }

    private static func charset(of raw: String) -> String? {
        let pieces = raw.split(separator: "'", maxSplits: 2, omittingEmptySubsequences: false)
        return pieces.count == 3 && !pieces[0].isEmpty ? String(pieces[0]) : nil
    }

    /// `utf-8'en'%E2%80%AEfdp.exe` → the text; later sections have no charset prefix.
    static func decode2231(_ raw: String, charset: String?, first: Bool) -> String {
        var body = Substring(raw)
        var charset = charset
        if first {
            let pieces = raw.split(separator: "'", maxSplits: 2, omittingEmptySubsequences: false)
            if pieces.count == 3 {
                charset = pieces[0].isEmpty ? charset : String(pieces[0])
                body = pieces[2]
            }
        }
        var bytes: [UInt8] = []
        var utf8 = Array(body.utf8)[...]
        while let byte = utf8.popFirst() {
            if byte == UInt8(ascii: "%"), utf8.count >= 2,
               let value = UInt8(String(decoding: utf8.prefix(2), as: UTF8.self), radix: 16) {
                bytes.append(value)
                utf8 = utf8.dropFirst(2)
            } else {
                bytes.append(byte)
            }
        }
        return CharsetText.utf8Text(bytes, declaredCharset: charset)
    }

    /// RFC 2047 encoded words, decoded by GMime (loosely: they are common, wrongly, in names).
    static func decode2047(_ raw: String) -> String {
        guard raw.contains("=?") else { return raw }
        GMimeRuntime.ensureInitialised()
        guard let decoded = g_mime_utils_header_decode_text(nil, EncodedWords.normalised(raw)) else { return raw }
        defer { g_free(decoded) }
        return GMimeBytes.string(decoded) ?? raw
    }
}
