/// Escaping for HTML and SVG text written by hand (sanitized mail, the figures chart).
/// Mustache escapes what templates print; these are for markup built in Swift.
enum HTMLEscape {
    /// Text between tags.
    static func text(_ text: String) -> String {
        escape(text, quotes: false)
    }

    /// A double- or single-quoted attribute value.
    static func attribute(_ text: String) -> String {
        escape(text, quotes: true)
    }

    private static func escape(_ text: String, quotes: Bool) -> String {
        var result = ""
        result.reserveCapacity(text.utf8.count)
        for scalar in text.unicodeScalars {
            switch scalar {
            case "&": result += "&amp;"
            case "<": result += "&lt;"
            case ">": result += "&gt;"
            case "\"" where quotes: result += "&quot;"
            case "'" where quotes: result += "&#39;"
            // NUL is not allowed in HTML text; browsers replace it, we drop it.
            case "\0": break
            default: result.unicodeScalars.append(scalar)
            }
        }
        return result
    }
}
