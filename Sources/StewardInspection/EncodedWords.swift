import CStewardGMime
import Foundation
import StewardCore

/// RFC 2047 encoded words decoded as mail programs decode them: each word on its own. GMime
/// carries its base64 decoder's state from one word into the next of the same charset, so a
/// padded word (`=?utf-8?B?Q09ORkk=?= =?utf-8?B?REVOVElBTA==?=`, which Outlook and Thunderbird
/// show as CONFIDENTIAL) stops it after the first (GMime reads CONFI), and an unpadded one
/// shifts the next into nonsense. So each base64 word is decoded here and written again as a
/// Q word, whose decoding carries nothing over; GMime then joins the words and converts their
/// charsets as before. Values without a base64 word are left to GMime as they are.
enum EncodedWords {
    /// Whether `raw` holds a base64 encoded word (`?B?` or `?b?`).
    static func hasBase64Word<C: Collection<UInt8>>(_ raw: C) -> Bool {
        let bytes = Array(raw)
        return ByteSearch.contains(Array("?B?".utf8), in: bytes) || ByteSearch.contains(Array("?b?".utf8), in: bytes)
    }

    /// The value decoded (folding taken out), as a mail program shows it; nil when GMime
    /// cannot read it.
    static func decoded(_ raw: [UInt8]) -> String? {
        let unfolded = String(decoding: raw.filter { $0 != 0x0D && $0 != 0x0A }, as: UTF8.self)
        let text = normalised(String(unfolded.drop { $0 == " " || $0 == "\t" }))
        GMimeRuntime.ensureInitialised()
        guard let value = g_mime_utils_header_decode_text(Options.shared.pointer, text) else { return nil }
        defer { g_free(value) }
        return GMimeBytes.string(value)
    }

    /// `raw` with each base64 encoded word written as the same bytes in a Q word.
    static func normalised(_ raw: String) -> String {
        guard hasBase64Word(raw.utf8) else { return raw }
        var result = ""
        var rest = Substring(raw)
        while let start = rest.firstRange(of: "=?") {
            result += rest[..<start.lowerBound]
            let word = rest[start.lowerBound...]
            guard let (charset, encoding, payload, end) = parts(of: word), encoding == "B" || encoding == "b" else {
                result += "=?"
                rest = rest[start.upperBound...]
                continue
            }
            result += "=?\(charset)?Q?" + qEncoded(base64Decoded(payload)) + "?="
            rest = rest[end...]
        }
        return result + rest
    }

    /// `=?charset?X?payload?=` at the start of `word`: its charset, encoding letter, payload
    /// and where it ends.
    private static func parts(of word: Substring) -> (Substring, Character, Substring, Substring.Index)? {
        // Read at most 1,024 characters for one word (RFC 2047 allows 75): a value full of `=?`
        // without an end costs its length, not its square.
        let inner = word.prefix(1024).dropFirst(2)
        guard let first = inner.firstIndex(of: "?") else { return nil }
        let charset = inner[..<first]
        guard !charset.isEmpty, charset.count <= 64, !charset.contains(where: { $0.isWhitespace || $0 == "=" }) else { return nil }
        let afterCharset = inner[inner.index(after: first)...]
        guard let encoding = afterCharset.first, afterCharset.dropFirst().first == "?" else { return nil }
        let payloadStart = afterCharset.index(afterCharset.startIndex, offsetBy: 2)
        guard let close = afterCharset[payloadStart...].firstRange(of: "?=") else { return nil }
        let payload = afterCharset[payloadStart..<close.lowerBound]
        guard !payload.contains(where: { $0.isWhitespace }) else { return nil }
        return (charset, encoding, payload, close.upperBound)
    }

    /// Base64 as a mail program reads one word: padding optional, other characters skipped.
    private static func base64Decoded(_ payload: Substring) -> [UInt8] {
        var letters = payload.filter { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "+" || $0 == "/") }
        if letters.count % 4 == 1 { letters.removeLast() }
        letters += String(repeating: "=", count: (4 - letters.count % 4) % 4)
        return Data(base64Encoded: letters).map { Array($0) } ?? []
    }

    private static func qEncoded(_ bytes: [UInt8]) -> String {
        var text = ""
        for byte in bytes {
            if (0x30...0x39).contains(byte) || (0x41...0x5A).contains(byte) || (0x61...0x7A).contains(byte) {
                text.unicodeScalars.append(Unicode.Scalar(byte))
            } else {
                text += "=" + String(byte >> 4, radix: 16, uppercase: true) + String(byte & 0x0F, radix: 16, uppercase: true)
            }
        }
        return text
    }

    /// The parser options inspection uses (loose RFC 2047, fallback charsets), made once and
    /// only read after.
    private final class Options: @unchecked Sendable {
        static let shared = Options()
        let pointer: OpaquePointer?
        private init() {
            GMimeRuntime.ensureInitialised()
            pointer = Inspector.makeParserOptions()
        }
    }
}
