import CStewardICU

/// ICU's answers about look-alike text: UTS #39 confusable skeletons (two strings that a reader
/// cannot tell apart have the same skeleton: Cyrillic `а` and Latin `a`, `rn` and `m`) and UTS #46
/// IDNA (`xn--` labels to Unicode). ICU keeps Unicode's confusables table current; a hand-made
/// table would not be.
public enum Confusables {
    /// One spoof checker and one IDNA handle for the process: both are thread-safe for these
    /// read-only calls once opened (ICU's documented contract).
    private final class Handles: @unchecked Sendable {
        let spoof: UnsafeMutableRawPointer?
        let idna: UnsafeMutableRawPointer?
        init() {
            spoof = steward_spoof_open()
            idna = steward_idna_open()
        }
    }
    private static let handles = Handles()

    /// The UTS #39 skeleton of `text` (NFD, confusables mapped, NFD again). The text itself when
    /// ICU cannot answer (it then only matches exactly).
    public static func skeleton(_ text: String) -> String {
        guard let spoof = handles.spoof, !text.isEmpty else { return text }
        return call(text) { input, length, output, capacity, status in
            steward_spoof_skeleton(spoof, input, length, output, capacity, &status)
        } ?? text
    }

    /// A domain name in Unicode, `xn--` labels decoded (UTS #46, nontransitional), lower-cased
    /// by IDNA mapping. Nil when the name is not a valid IDNA name.
    public static func unicodeDomain(_ domain: String) -> String? {
        guard let idna = handles.idna, !domain.isEmpty else { return nil }
        var errors: UInt32 = 0
        let decoded = call(domain) { input, length, output, capacity, status in
            steward_idna_to_unicode(idna, input, length, output, capacity, &errors, &status)
        }
        // Errors such as a leading hyphen or a bad xn-- label still give a usable reading; only
        // a failed call means there is nothing to compare.
        return decoded
    }

    /// Runs an ICU UTF-8 to UTF-8 call, growing the buffer once if ICU asks for more.
    private static func call(
        _ text: String,
        _ body: (UnsafePointer<CChar>, Int32, UnsafeMutablePointer<CChar>, Int32, inout Int32) -> Int32
    ) -> String? {
        var input = text
        return input.withUTF8 { utf8 -> String? in
            utf8.withMemoryRebound(to: CChar.self) { chars -> String? in
                guard let base = chars.baseAddress else { return nil }
                var capacity = Int32(chars.count * 3 + 16)
                for _ in 0..<2 {
                    var buffer = [CChar](repeating: 0, count: Int(capacity))
                    var status: Int32 = 0
                    let written = buffer.withUnsafeMutableBufferPointer {
                        body(base, Int32(chars.count), $0.baseAddress!, capacity, &status)
                    }
                    if steward_icu_buffer_overflow(status) != 0 {
                        capacity = written + 1
                        continue
                    }
                    guard status <= 0, written >= 0, written <= capacity else { return nil }
                    return String(decoding: buffer.prefix(Int(written)).map { UInt8(bitPattern: $0) }, as: UTF8.self)
                }
                return nil
            }
        }
    }
}
