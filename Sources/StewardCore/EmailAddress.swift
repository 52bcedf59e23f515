import Foundation

/// Small helpers on e-mail addresses as they appear in envelopes and headers.
public enum EmailAddress {
    /// Lower-cased, angle brackets and surrounding space removed.
    public static func normalize(_ address: String) -> String {
        var text = address.trimmingCharacters(in: .whitespaces)
        if text.hasPrefix("<") { text.removeFirst() }
        if text.hasSuffix(">") { text.removeLast() }
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
