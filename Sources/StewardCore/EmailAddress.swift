/// Small helpers on e-mail addresses as they appear in envelopes and headers.
public enum EmailAddress {
    /// Lower-cased, angle brackets and surrounding space removed.
    public static func normalize(_ address: String) -> String {
        // Runs for every address of every message: plain slicing, no Foundation.
        var text = Substring(address)
        while let first = text.first, first == " " || first == "\t" { text.removeFirst() }
        while let last = text.last, last == " " || last == "\t" { text.removeLast() }
        if text.first == "<" { text.removeFirst() }
        if text.last == ">" { text.removeLast() }
        return text.lowercased()
    }

    /// The domain part, lower-cased; nil when there is no `@`.
    public static func domain(of address: String) -> String? {
        let normalized = normalize(address)
        guard let at = normalized.lastIndex(of: "@") else { return nil }
        let domain = normalized[normalized.index(after: at)...]
        return domain.isEmpty ? nil : String(domain)
    }
}
