/// The rules of the impersonation family (clause 14: "Users must not knowingly and misleadingly
/// impersonate other users either to send or receive e-mail").
public enum ImpersonationRules {
    static let clause = "14"
    static let requirement = "does not allow anyone to send e-mail as someone they are not"

    public static let loginMismatch = RuleDescriptor(
        id: "impersonation-login-mismatch", clause: clause,
        summary: "a member who logged in sends as an address their login does not own (envelope sender, From or Sender): a union address, or an outside address the directory does not give them",
        defaultAction: .reject,
        refusal: "it is sent as an address that your login is not allowed to use",
        clauseRequirement: requirement,
        options: [
            // An address the login map does not list belongs to the login of the same name
            // (jsmith may send as jsmith@union.example).
            "login_owns_local_part": .flag(true),
            // Outside addresses the login map gives a login (a member's own personal address)
            // may be used by it; false allows union addresses only.
            "personal_addresses": .flag(true),
            // Logins that may send as anyone: the union's own list software, which passes on
            // posts under their authors' addresses.
            "exempt_logins": .list([]),
        ]
    )

    public static let unauthenticatedInside = RuleDescriptor(
        id: "impersonation-unauthenticated-inside", clause: clause,
        summary: "mail from one of the union's networks, without a login, sent as a union address by a host that is not a trusted relay",
        defaultAction: .off,
        refusal: "it is sent as a union address without logging in, from a computer that is not one of the union's mail relays",
        clauseRequirement: requirement,
        options: ["trusted_relays": .list(["127.0.0.0/8", "::1"])]
    )

    public static let spoofedUnionDomain = RuleDescriptor(
        id: "impersonation-spoofed-union-domain", clause: clause,
        summary: "mail from outside the union that claims a union address in From or the envelope sender, with no passing DMARC or DKIM result",
        defaultAction: .quarantine,
        refusal: "it claims to come from the union but was sent from outside it",
        clauseRequirement: requirement,
        options: [
            // authserv-ids (RFC 8601) of the servers whose Authentication-Results are believed.
            "trusted_authserv_ids": .list([]),
            // "sender source": a union address or @domain, then the IP, network or host name that
            // may send as it (a payroll provider sending on the union's behalf).
            "allowed_senders": .list([]),
        ]
    )

    public static let officialName = RuleDescriptor(
        id: "impersonation-official-name", clause: clause,
        summary: "a display name that matches an official's name or title, or the union's name, on an address that is not theirs",
        defaultAction: .quarantine,
        refusal: "its sender name is an official's name or title on an address that is not theirs",
        clauseRequirement: requirement,
        options: [
            "protect_officials": .flag(true),
            // Extra names and titles: "Name" (any union address may use it) or "Name <address>".
            "protected_names": .list([]),
            // Partner organisations whose people may share a title ("Branch Secretary").
            "allowed_domains": .list([]),
        ]
    )

    public static let addressInName = RuleDescriptor(
        id: "impersonation-address-in-name", clause: clause,
        summary: "a display name that contains a different e-mail address from the one the message is really from",
        defaultAction: .quarantine,
        refusal: "its sender name shows a different e-mail address from the one it is really sent from",
        clauseRequirement: requirement,
        options: [
            // Domains of outside senders that may show a union address or domain as their name
            // (a shop or helpdesk run for the union), subdomains included.
            "allowed_domains": .list([]),
        ]
    )

    public static let lookalikeDomain = RuleDescriptor(
        id: "impersonation-lookalike-domain", clause: clause,
        summary: "a domain made to look like a union domain in From, Reply-To, Sender, the envelope sender or a link",
        defaultAction: .quarantine,
        refusal: "it uses a domain made to look like the union's",
        clauseRequirement: requirement,
        options: [
            // Domains of partner organisations that are legitimately similar (subdomains included).
            "allowed_domains": .list([]),
            // How many characters a domain may differ from a union domain and still be caught.
            "max_edit_distance": .integer(1),
        ]
    )

    public static let replyDivergence = RuleDescriptor(
        id: "impersonation-reply-divergence", clause: clause,
        summary: "From claims a union address or an official while Reply-To or Return-Path sends replies outside the union; or a member who logged in sends replies to an outside mailbox their login does not own",
        defaultAction: .quarantine,
        refusal: "it claims to come from the union while replies would go outside it",
        clauseRequirement: requirement,
        options: ["allowed_domains": .list([])]
    )

    public static let all = [
        loginMismatch, unauthenticatedInside, spoofedUnionDomain, officialName, addressInName, lookalikeDomain,
        replyDivergence,
    ]
}
