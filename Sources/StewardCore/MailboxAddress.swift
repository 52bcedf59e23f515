/// One mailbox of an address header (From, Sender, Reply-To), as a mail reader shows it:
/// the display name decoded (RFC 2047 words, quoting removed) and the address.
public struct MailboxAddress: Sendable, Hashable, Codable {
    /// Display name, decoded; nil or empty when the header gave none.
    public var name: String?
    /// The address, lower-cased, without angle brackets.
    public var address: String

    public init(name: String? = nil, address: String) {
        let trimmed = name?.trimmingSpaces
        self.name = (trimmed?.isEmpty ?? true) ? nil : trimmed
        self.address = EmailAddress.normalize(address)
    }

    /// The address's domain, lower-cased; nil when there is no `@`.
    public var domain: String? { EmailAddress.domain(of: address) }
}

extension String {
    fileprivate var trimmingSpaces: String {
        var text = Substring(self)
        while let first = text.first, first.isWhitespace { text.removeFirst() }
        while let last = text.last, last.isWhitespace { text.removeLast() }
        return String(text)
    }
}
