/// Text that came from a message or a client (a subject, a display name, a file name, an
/// address, a header value, a login typed into a form), on its way to a notice, a log line, the
/// terminal or the audit trail. The one place that decides what of it may pass: control
/// characters (C0 and C1, CR/LF, DEL), line and paragraph separators and format characters
/// (bidi overrides and isolates, zero-width characters) could forge a line in a notice, a
/// terminal escape, or a file name that reads backwards ("invoice\u{202E}fdp.exe").
public enum UntrustedText {
    /// For a notice or the audit trail: each control or separator becomes one space and each
    /// format character is dropped, so the text stays on one line and reads in its real order.
    public static func cleaned(_ text: String) -> String {
        guard text.unicodeScalars.contains(where: isUnsafe) else { return text }
        var result = String.UnicodeScalarView()
        for scalar in text.unicodeScalars {
            switch kind(of: scalar) {
            case .safe: result.append(scalar)
            case .breaking: result.append(" ")
            case .invisible: break
            }
        }
        return String(result)
    }

    /// For the terminal and the log: every unsafe character is shown as a visible escape
    /// (`\r`, `\n`, `\t`, `\x1B`, `\u{202E}`), so nothing is hidden and nothing is obeyed.
    /// A backslash is doubled so an escape cannot be faked either.
    public static func escaped(_ text: String) -> String {
        guard text.unicodeScalars.contains(where: { isUnsafe($0) || $0 == "\\" }) else { return text }
        var result = ""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\\": result += "\\\\"
            case "\r": result += "\\r"
            case "\n": result += "\\n"
            case "\t": result += "\\t"
            default:
                if !isUnsafe(scalar) {
                    result.unicodeScalars.append(scalar)
                } else if scalar.value < 0x100 {
                    result += "\\x" + hex(scalar.value, width: 2)
                } else {
                    result += "\\u{" + hex(scalar.value, width: 4) + "}"
                }
            }
        }
        return result
    }

    /// True when `text` holds nothing `cleaned` would change.
    public static func isClean(_ text: String) -> Bool {
        !text.unicodeScalars.contains(where: isUnsafe)
    }

    private enum Kind { case safe, breaking, invisible }

    private static func kind(of scalar: Unicode.Scalar) -> Kind {
        switch scalar.properties.generalCategory {
        // Cc is C0, DEL and C1; Zl/Zp are U+2028/U+2029, which some readers take as a new line.
        case .control, .lineSeparator, .paragraphSeparator: .breaking
        // Cf: bidi embeddings, overrides and isolates, LRM/RLM/ALM, zero-width space and joiners, BOM,
        // soft hyphen, and the tag characters.
        case .format: .invisible
        default: .safe
        }
    }

    private static func isUnsafe(_ scalar: Unicode.Scalar) -> Bool {
        kind(of: scalar) != .safe
    }

    private static func hex(_ value: UInt32, width: Int) -> String {
        let digits = String(value, radix: 16, uppercase: true)
        return String(repeating: "0", count: max(0, width - digits.count)) + digits
    }
}
