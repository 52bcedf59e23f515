import CStewardGMime
import Foundation

/// Text for searching: a text part's decoded bytes converted to UTF-8 from its declared charset.
/// Never fails: an unknown or lying charset falls back to UTF-8 when the bytes are valid UTF-8,
/// otherwise to windows-1252 (which gives every byte a character).
enum CharsetText {
    static func utf8Text(_ bytes: [UInt8], declaredCharset: String?) -> String {
        GMimeRuntime.ensureInitialised()
        if let text = byteOrderMarked(bytes) { return text }
        let charset = declaredCharset?.trimmingCharacters(in: .whitespaces).lowercased() ?? ""
        switch charset {
        case "", "utf-8", "utf8", "us-ascii", "ascii", "ansi_x3.4-1968":
            return bestEffort(bytes)
        case "iso-8859-1", "iso8859-1", "iso_8859-1", "latin1", "latin-1", "l1", "windows-1252", "cp1252", "x-cp1252":
            // As browsers do (WHATWG Encoding): ISO-8859-1 is read as its superset windows-1252,
            // since mailers routinely label cp1252 text (curly quotes, euro sign) as Latin-1.
            return Windows1252.decode(bytes)
        default:
            return convert(bytes, from: charset) ?? bestEffort(bytes)
        }
    }

    /// UTF-16 by its byte-order mark; valid UTF-8 as is; anything else read as windows-1252.
    static func bestEffort(_ bytes: [UInt8]) -> String {
        if let text = byteOrderMarked(bytes) { return text }
        if let text = String(validating: bytes, as: UTF8.self) { return text }
        return Windows1252.decode(bytes)
    }

    /// Text that starts with a UTF-16 byte-order mark (Excel's and Notepad's "Unicode text"),
    /// read as UTF-16 whatever charset is declared, as browsers and Notepad do.
    static func byteOrderMarked(_ bytes: [UInt8]) -> String? {
        guard bytes.count >= 2 else { return nil }
        switch (bytes[0], bytes[1]) {
        case (0xFF, 0xFE): return convert(Array(bytes[2...]), from: "UTF-16LE")
        case (0xFE, 0xFF): return convert(Array(bytes[2...]), from: "UTF-16BE")
        default: return nil
        }
    }

    /// Converts with GMime's charset filter (iconv underneath, with GMime's charset aliases).
    /// Nil when the charset is unknown to iconv.
    static func convert(_ bytes: [UInt8], from charset: String) -> String? {
        guard let filter = g_mime_filter_charset_new(charset, "UTF-8") else { return nil }
        defer { steward_unref(filter) }
        guard let output = g_mime_stream_mem_new() else { return nil }
        defer { steward_unref(output) }
        guard let filtered = g_mime_stream_filter_new(output) else { return nil }
        defer { steward_unref(filtered) }
        _ = g_mime_stream_filter_add(steward_as_stream_filter(filtered), filter)
        let written = bytes.withUnsafeBufferPointer { buffer -> Int in
            guard let base = buffer.baseAddress else { return 0 }
            return base.withMemoryRebound(to: CChar.self, capacity: buffer.count) {
                g_mime_stream_write(filtered, $0, buffer.count)
            }
        }
        guard written >= 0, g_mime_stream_flush(filtered) == 0 else { return nil }
        let converted = GMimeBytes.contents(ofMemoryStream: output)
        return String(decoding: converted, as: UTF8.self)
    }
}
