/// What the entries of a list option must look like, by option name (each name means the same
/// thing in every rule that takes it). Lint checks them so a typo in a network, a pattern or a
/// domain is named with its line instead of being silently ignored, which would quietly weaken a
/// rule (a bad regex matches nothing; a bad network trusts nobody, or the wrong host).
enum OptionEntryCheck {
    case network, pattern, domain, mimeType, fileExtension, senderAndSource, hostName, nameOrAddress

    static func forOption(_ name: String) -> OptionEntryCheck? {
        switch name {
        case "trusted_relays": .network
        case "patterns": .pattern
        case "allowed_domains", "partner_domains": .domain
        case "allowed-types": .mimeType
        case "blocked-extensions", "allowed-extensions": .fileExtension
        case "allowed_senders": .senderAndSource
        case "trusted_authserv_ids": .hostName
        case "protected_names": .nameOrAddress
        default: nil
        }
    }

    /// Why `entry` is not usable, in plain words; nil when it is fine.
    func problem(with entry: String) -> String? {
        let text = entry.trimmingSpaces
        if text.isEmpty { return "an entry is empty" }
        switch self {
        case .network:
            return NetworkRange(text) == nil ? "'\(text)' is not a network; write an address or a network like 192.0.2.0/24 or 2001:db8::/32" : nil
        case .pattern:
            do {
                _ = try Regex(text)
                return nil
            } catch {
                return "'\(text)' is not a valid pattern (regular expression): \(error)"
            }
        case .domain:
            return Self.isDomain(text) ? nil : "'\(text)' is not a domain; write it like partner.example, without @ or spaces"
        case .mimeType:
            let halves = text.split(separator: "/", omittingEmptySubsequences: false)
            return halves.count == 2 && halves.allSatisfy({ !$0.isEmpty && !$0.contains(where: \.isWhitespace) })
                ? nil : "'\(text)' is not a file type; write a MIME type like application/x-msi"
        case .fileExtension:
            let bare = text.hasPrefix(".") ? text.dropFirst() : Substring(text)
            return !bare.isEmpty && !bare.contains(where: { $0.isWhitespace || $0 == "/" || $0 == "*" })
                ? nil : "'\(text)' is not a file extension; write it like .hta or hta"
        case .senderAndSource:
            let words = text.split(whereSeparator: \.isWhitespace)
            guard words.count == 2 else {
                return "'\(text)' should be two words: a union address or @domain, then the address, network or host name that may send as it"
            }
            let sender = words[0]
            guard sender.contains("@"), sender.hasPrefix("@") ? Self.isDomain(String(sender.dropFirst())) : sender.split(separator: "@").count == 2 else {
                return "'\(sender)' is not an address or @domain"
            }
            let source = String(words[1])
            return NetworkRange(source) != nil || Self.isDomain(source) ? nil : "'\(source)' is not an address, a network or a host name"
        case .hostName:
            return text.contains(where: \.isWhitespace) ? "'\(text)' is not a server name (authserv-id): it has spaces" : nil
        case .nameOrAddress:
            // "Name" or "Name <address>".
            guard let open = text.firstIndex(of: "<") else { return nil }
            guard text.hasSuffix(">"), text[text.index(after: open)...].dropLast().contains("@") else {
                return "'\(text)' should be a name, or a name followed by <address>"
            }
            return nil
        }
    }

    /// Letters, digits, hyphens and dots, at least one dot, no empty label.
    static func isDomain(_ text: String) -> Bool {
        let labels = text.split(separator: ".", omittingEmptySubsequences: false)
        return labels.count >= 2 && labels.allSatisfy { label in
            !label.isEmpty && label.allSatisfy { $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" }
        }
    }
}
