public import StewardCore

/// A mailing list the union runs itself (`mailing_lists:` in directory.yaml): its list software
/// sends to many people on purpose, so clause 12's limits on members' mail (mass mailing, rate,
/// chain letters) do not apply to what it sends. It is known by the envelope sender it uses
/// (an address, or `@domain` for a whole list host) or the login it submits with.
public struct MailingList: Sendable, Hashable {
    public var name: String
    /// Lower-cased address or `@domain`; nil when the list is known by its login only.
    public var address: String?
    public var login: String?

    public init(name: String, address: String? = nil, login: String? = nil) {
        self.name = name
        self.address = address.map(EmailAddress.normalize)
        self.login = login
    }

    /// Whether this list sent the message: its login submitted it, or the envelope sender is its
    /// address, its `-bounces` address (Mailman) or, for `@domain`, any address there.
    public func sent(_ envelope: Envelope) -> Bool {
        if let login, let user = envelope.authUser, user == login { return true }
        guard let address, !envelope.sender.isEmpty else { return false }
        let sender = EmailAddress.normalize(envelope.sender)
        if address.hasPrefix("@") { return EmailAddress.domain(of: sender).map { "@" + $0 == address } ?? false }
        if sender == address { return true }
        // Mailman and most list software send as list-bounces@ (VERP: list-bounces+member=...@).
        guard let at = address.lastIndex(of: "@"), let senderAt = sender.lastIndex(of: "@"),
              sender[senderAt...] == address[at...] else { return false }
        let local = sender[..<senderAt], listLocal = address[..<at]
        return local == listLocal + "-bounces" || local.hasPrefix(listLocal + "-bounces+")
    }
}

extension UnionDirectory {
    /// The union-run list that sent this message, if any.
    public func mailingList(sending envelope: Envelope) -> MailingList? {
        mailingLists.first { $0.sent(envelope) }
    }
}
