public import StewardCore

/// A branch of the union and the addresses or domains that belong to it.
public struct Branch: Sendable, Hashable {
    /// Short id used in policy files and findings (`london`).
    public var id: String
    /// Name for people (`London Branch`).
    public var name: String
    /// Addresses (`a.member@union.example`) and domains (`london.union.example`, subdomains included).
    public var members: [String]
    /// Where members report unacceptable mail (clause 15): a message sent or forwarded there
    /// opens a report case for the branch's senior official instead of being delivered.
    public var reportAddress: String?

    public init(id: String, name: String, members: [String], reportAddress: String? = nil) {
        self.id = id
        self.name = name
        self.members = members
        self.reportAddress = reportAddress
    }
}

/// An official of the union: who reviews held mail and is told about it (clause 15).
public struct Official: Sendable, Hashable {
    public var name: String
    public var address: String
    /// Role in plain words (`Branch Secretary`).
    public var role: String
    /// Branch id.
    public var branch: String
    /// The branch's senior official, told about unacceptable mail (clause 15).
    public var senior: Bool
    /// Stands in for the senior official.
    public var deputy: Bool
    /// The time zone the review app shows them times in (an IANA name such as `Europe/London`);
    /// nil for the review app's own setting.
    public var timeZone: String?

    public init(
        name: String, address: String, role: String, branch: String, senior: Bool = false, deputy: Bool = false, timeZone: String? = nil
    ) {
        self.name = name
        self.address = address
        self.role = role
        self.branch = branch
        self.senior = senior
        self.deputy = deputy
        self.timeZone = timeZone
    }
}

/// The union's directory (`directory.yaml` and the login map): its domains and networks, its
/// branches and who belongs to each, its officials, and which login may send as which address.
public struct UnionDirectory: Sendable {
    public var unionName: String
    /// Union domains, lower-cased; subdomains count too.
    public var domains: [String]
    /// The union's own mail hosts and relays: mail from these is "inside" (clause 11).
    public var networks: [NetworkRange]
    /// Branch of union addresses that no branch lists, and of mail with no union address at all.
    public var defaultBranch: String
    public var branches: [Branch]
    public var officials: [Official]
    /// Sender address (or `@domain`) → logins allowed to send as it (Postfix `smtpd_sender_login_maps`).
    public var senderLogins: [String: Set<String>]
    /// Mail administrators who may sign in to the review app and see every branch (lower-cased).
    public var reviewAdmins: [String]
    /// Mailing lists the union runs itself (clause 12's limits on members' mail do not apply).
    public var mailingLists: [MailingList] = []
    /// Postfix's `recipient_delimiter`: the characters that start an address extension
    /// (jo.bloggs+branch@ is jo.bloggs@ to the login map). Debian's Postfix sets "+"; empty
    /// turns extensions off.
    public var recipientDelimiter = "+"

    public init(
        unionName: String, domains: [String], networks: [NetworkRange] = [], defaultBranch: String,
        branches: [Branch], officials: [Official] = [], senderLogins: [String: Set<String>] = [:],
        reviewAdmins: [String] = []
    ) {
        self.unionName = unionName
        self.domains = domains.map { $0.lowercased() }
        self.networks = networks
        self.defaultBranch = defaultBranch
        self.branches = branches
        self.officials = officials
        self.senderLogins = senderLogins
        self.reviewAdmins = reviewAdmins.map(EmailAddress.normalize)
        var exact: [String: String] = [:]
        var byDomain: [String: String] = [:]
        for branch in branches {
            for member in branch.members {
                let entry = EmailAddress.normalize(member)
                if entry.hasPrefix("@") {
                    byDomain[String(entry.dropFirst())] = byDomain[String(entry.dropFirst())] ?? branch.id
                } else if entry.contains("@") {
                    exact[entry] = exact[entry] ?? branch.id
                } else {
                    byDomain[entry] = byDomain[entry] ?? branch.id
                }
            }
        }
        exactMembers = exact
        domainMembers = byDomain
    }

    private var exactMembers: [String: String]
    private var domainMembers: [String: String]

    /// Whether `domain` is a union domain or a subdomain of one.
    public func isUnionDomain(_ domain: String) -> Bool {
        let domain = domain.lowercased()
        return domains.contains { Self.domain(domain, isWithin: $0) }
    }

    /// Whether `address` is in a union domain.
    public func isUnionAddress(_ address: String) -> Bool {
        guard let domain = EmailAddress.domain(of: address) else { return false }
        return isUnionDomain(domain)
    }

    /// The branch `address` belongs to: an exact member entry first, then the longest matching
    /// member domain (subdomains included), then the default branch for other union addresses.
    /// Nil for addresses outside the union.
    public func branch(of address: String) -> String? {
        let normalized = EmailAddress.normalize(address)
        guard let domain = EmailAddress.domain(of: normalized), isUnionDomain(domain) else { return nil }
        if let branch = exactMembers[normalized] { return branch }
        var best: (length: Int, branch: String)?
        for (memberDomain, branch) in domainMembers where Self.domain(domain, isWithin: memberDomain) {
            if let current = best, current.length >= memberDomain.count { continue }
            best = (memberDomain.count, branch)
        }
        return best?.branch ?? defaultBranch
    }

    /// Every branch with a union address among the envelope sender and recipients, sorted;
    /// the default branch when there is none.
    public func branches(involvedIn envelope: Envelope) -> [String] {
        let addresses = [envelope.sender] + envelope.recipients
        let involved = Set(addresses.filter { !$0.isEmpty }.compactMap(branch(of:)))
        return involved.isEmpty ? [defaultBranch] : involved.sorted()
    }

    /// Whether `address` (a client IP as the MTA gives it) is in one of the union's networks.
    public func isInsideNetwork(_ address: String) -> Bool {
        guard let ip = IPAddress(address) else { return false }
        return networks.contains { $0.contains(ip) }
    }

    public func branch(id: String) -> Branch? { branches.first { $0.id == id } }

    public func officials(of branch: String) -> [Official] { officials.filter { $0.branch == branch } }

    /// The branch's senior officials (told about unacceptable mail, clause 15).
    public func seniorOfficials(of branch: String) -> [Official] { officials(of: branch).filter(\.senior) }

    /// The branch whose report address this is (case-insensitive), if any.
    public func branch(reportingTo address: String) -> Branch? {
        let address = EmailAddress.normalize(address)
        return branches.first { $0.reportAddress.map(EmailAddress.normalize) == address }
    }

    /// The branches an official at this address serves (several when listed in several), sorted.
    public func branchesServed(by address: String) -> [String] {
        let normalized = EmailAddress.normalize(address)
        return Set(officials.filter { EmailAddress.normalize($0.address) == normalized }.map(\.branch)).sorted()
    }

    /// Whether this address is listed under `review_admins:` (sees every branch in the review app).
    public func isReviewAdmin(_ address: String) -> Bool {
        reviewAdmins.contains(EmailAddress.normalize(address))
    }

    /// The official with this address, if any.
    public func official(at address: String) -> Official? {
        let normalized = EmailAddress.normalize(address)
        return officials.first { EmailAddress.normalize($0.address) == normalized }
    }

    /// Logins allowed to send as `address`: the address's own entry, else its `@domain` entry
    /// (as Postfix looks up `smtpd_sender_login_maps`). Empty when the map says nothing.
    public func logins(allowedToSendAs address: String) -> Set<String> {
        let normalized = EmailAddress.normalize(address)
        if let logins = senderLogins[normalized] { return logins }
        if let base = withoutExtension(normalized), let logins = senderLogins[base] { return logins }
        if let domain = EmailAddress.domain(of: normalized), let logins = senderLogins["@" + domain] { return logins }
        return []
    }

    /// The address without its extension (`jo.bloggs+branch@union.example` →
    /// `jo.bloggs@union.example`), as Postfix tries it after the whole address; nil when it
    /// has none.
    public func withoutExtension(_ address: String) -> String? {
        guard !recipientDelimiter.isEmpty, let at = address.lastIndex(of: "@"),
              let cut = address[..<at].firstIndex(where: recipientDelimiter.contains), cut != address.startIndex
        else { return nil }
        return String(address[..<cut] + address[at...])
    }

    /// Whether the map lets `login` send as `address`.
    public func login(_ login: String, maySendAs address: String) -> Bool {
        logins(allowedToSendAs: address).contains(login)
    }

    /// Every address (or `@domain`) the map lets `login` send as, sorted.
    public func addresses(for login: String) -> [String] {
        senderLogins.filter { $0.value.contains(login) }.map(\.key).sorted()
    }

    static func domain(_ domain: String, isWithin parent: String) -> Bool {
        domain == parent || domain.hasSuffix("." + parent)
    }
}
