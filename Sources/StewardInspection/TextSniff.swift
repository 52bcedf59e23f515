import StewardCore

/// Decides when libmagic need not be asked about a part.
///
/// libmagic answers in about 0.1 ms for binary formats but takes 0.5–3 ms for a text part of a
/// few kilobytes (its text rules are regular expressions over the whole part), which on a busy
/// mail server is more than the rest of the inspection together. A part that is declared as
/// text, holds no byte that text never holds (NUL and other C0 controls), and does not begin
/// with a signature libmagic knows for something more specific (a script's `#!`, PostScript,
/// PDF, RTF, XML, a Windows executable, an archive) can only come back from libmagic as some
/// kind of text: it keeps its declared text type, and libmagic is spared. Everything else —
/// every non-text declaration, every part with a binary byte — goes to libmagic as before.
enum TextSniff {
    /// Signatures at the start of a text-looking part that send it to libmagic after all.
    private static let signatures: [[UInt8]] = [
        "#!", "%!", "%PDF", "{\\rtf", "<?xml", "MZ", "PK", "Rar!", "7z", "\u{1F}",
    ].map { Array($0.utf8) }

    /// The declared text type to use as the true type, or nil when libmagic must look.
    static func textType(declared contentType: String, content: PartContent) -> String? {
        guard contentType.hasPrefix("text/"), !content.isEmpty else { return nil }
        let start = content.head.drop(while: { $0 == 0x20 || $0 == 0x09 || $0 == 0x0D || $0 == 0x0A })
        for signature in signatures where start.starts(with: signature) { return nil }
        var text = true
        content.scan(lookahead: 0) { window, _ in
            text = looksLikeText(window)
            return text ? window.count : nil
        }
        return text ? contentType : nil
    }

    /// No NUL and no C0 control other than tab, line feed, form feed, carriage return and
    /// escape (ISO-2022 text uses it). Bytes 0x80 and up are allowed: 8-bit charsets are text.
    static func looksLikeText(_ buffer: UnsafeBufferPointer<UInt8>) -> Bool {
        for byte in buffer where byte < 0x20 {
            switch byte {
            case 0x09, 0x0A, 0x0C, 0x0D, 0x1B: continue
            default: return false
            }
        }
        return true
    }
}
