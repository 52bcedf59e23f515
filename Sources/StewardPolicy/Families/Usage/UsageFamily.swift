public import StewardCore

/// Clause 12: the union's e-mail "exists for the purposes of the trade union's business and
/// communications. It is not to be used frivolously or unnecessarily." Chain letters and hoaxes
/// (clause 10(f)(iii) names them), mass mailing and bursts of mail from one login, and mail
/// forwarded automatically out of the union.
///
/// Rules about what a member sends (mass mailing, rate, chain letters from the union) are judged
/// by the sender's branch only, with its thresholds: they are about the sender, not the
/// recipients. Mail from a mailing list the union runs (directory.yaml) is not a member's.
public struct UsageFamily: DetectionFamily {
    public static let chainLetterRule = RuleDescriptor(
        id: "chain-letter", clause: "12",
        summary: "a chain letter or hoax sent by a member: text asking readers to pass it on to a number of people or everyone they know, or \"don't break the chain\"",
        defaultAction: .quarantine,
        refusal: "it is a chain letter asking readers to pass it on",
        clauseRequirement: "does not allow the union's e-mail to be used frivolously",
        options: [
            "phrases": .list(ChainLetterSearch.defaultPhrases),
            "extra_phrases": .list([]),
            "patterns": .list([]),
        ]
    )

    public static let chainLetterIncomingRule = RuleDescriptor(
        id: "chain-letter-incoming", clause: "12",
        summary: "a chain letter or hoax arriving from outside the union (the phrases and patterns of chain-letter)",
        defaultAction: .log,
        refusal: "it is a chain letter asking readers to pass it on",
        clauseRequirement: "does not allow the union's e-mail to be used frivolously"
    )

    public static let massMailingRule = RuleDescriptor(
        id: "mass-mailing", clause: "12",
        summary: "a member's message to more envelope recipients (Bcc included), or more outside recipients, than the branch allows",
        defaultAction: .quarantine,
        refusal: "it is addressed to more people than your branch allows in one message",
        clauseRequirement: "does not allow the union's e-mail to be used unnecessarily",
        options: [
            "max_recipients": .integer(100),
            "max_outside_recipients": .integer(25),
        ]
    )

    public static let loginRateRule = RuleDescriptor(
        id: "login-rate", clause: "12",
        summary: "more messages, or more recipients, from one login in the last hour than the branch allows (a hijacked account or a runaway script)",
        defaultAction: .quarantine,
        refusal: "your login has sent more mail in the last hour than your branch allows",
        clauseRequirement: "does not allow the union's e-mail to be used unnecessarily",
        options: [
            "max_messages": .integer(50),
            "max_recipients": .integer(250),
        ]
    )

    public static let autoForwardRule = RuleDescriptor(
        id: "auto-forward-out", clause: "12",
        summary: "a member's mail forwarded automatically to an outside mailbox (Auto-Submitted: auto-forwarded, Resent- headers, SRS-rewritten senders, mailbox rules)",
        defaultAction: .quarantine,
        refusal: "it is being forwarded automatically outside the union",
        clauseRequirement: "does not allow the union's e-mail to be used for anything but union business",
        options: ["allowed_domains": .list([])]
    )

    public init() {}

    public var kind: String { "usage" }
    public var rules: [RuleDescriptor] {
        [Self.chainLetterRule, Self.chainLetterIncomingRule, Self.massMailingRule, Self.loginRateRule, Self.autoForwardRule]
    }

    public func evaluate(_ message: InspectedMessage, context: RuleContext) -> [RuleHit] {
        var hits: [RuleHit] = []
        let fromUnion = context.direction != .incoming
        let list = fromUnion ? context.directory.mailingList(sending: context.envelope) : nil
        // A member's own mail, judged by their branch; a union-run list's mail is not a member's.
        let memberMail = fromUnion && list == nil && Self.isSenderBranch(context)
        if memberMail {
            if context.isEnabled(Self.massMailingRule.id) { hits += MassMailing(context: context).hits() }
            if context.isEnabled(Self.loginRateRule.id) { hits += LoginRate(context: context).hits() }
        }
        if fromUnion, list == nil, context.isEnabled(Self.autoForwardRule.id) {
            hits += AutoForwardSigns(context: context).hits(in: message)
        }
        let chainRule = fromUnion ? Self.chainLetterRule.id : Self.chainLetterIncomingRule.id
        if (memberMail || !fromUnion), context.isEnabled(chainRule) {
            hits += ChainLetterSearch(context: context).findings(in: message).map { RuleHit(rule: chainRule, detail: $0) }
        }
        return hits
    }

    /// Whether the branch being judged is the sender's: the branch of the envelope sender when it
    /// is a union address; every branch involved when it is not.
    static func isSenderBranch(_ context: RuleContext) -> Bool {
        guard let own = context.directory.branch(of: context.envelope.sender) else { return true }
        return own == context.branch
    }

    /// The login whose mail the store should count for this message, or nil: only mail a member
    /// sends from the union under a login (not a union-run list), and only when the rate rule is
    /// on in the sender's branch, so nobody pays a store write for a rule that is off.
    public static func loginToCount(_ envelope: Envelope, policy: Policy) -> String? {
        guard let login = envelope.authUser, !login.isEmpty else { return nil }
        let directory = policy.directory
        guard DirectionResolver(directory: directory).direction(of: envelope) != .incoming,
              directory.mailingList(sending: envelope) == nil else { return nil }
        let branches = directory.branch(of: envelope.sender).map { [$0] } ?? directory.branches(involvedIn: envelope)
        return branches.contains { policy.settings(for: $0).isEnabled(loginRateRule.id) } ? login : nil
    }

    /// Envelope recipients, each once (case ignored).
    static func distinctRecipients(_ envelope: Envelope) -> [String] {
        var seen = Set<String>()
        return envelope.recipients.map(EmailAddress.normalize).filter { seen.insert($0).inserted }
    }
}

/// Clause 12's mass mailing: more recipients than the branch allows, or more outside the union.
struct MassMailing {
    let context: RuleContext

    func hits() -> [RuleHit] {
        let rule = UsageFamily.massMailingRule.id
        let maxAll = context.option("max_recipients", of: rule)?.intValue ?? 100
        let maxOutside = context.option("max_outside_recipients", of: rule)?.intValue ?? 25
        let recipients = UsageFamily.distinctRecipients(context.envelope)
        let outside = recipients.filter { !context.directory.isUnionAddress($0) }.count
        let sent = "sent to \(recipients.count) recipient\(recipients.count == 1 ? "" : "s")"
            + (outside > 0 ? ", \(outside) outside the union" : "")
        if outside > maxOutside {
            return [RuleHit(rule: rule, detail: "\(sent); the branch allows \(maxOutside) outside")]
        }
        if recipients.count > maxAll {
            return [RuleHit(rule: rule, detail: "\(sent); the branch allows \(maxAll)")]
        }
        return []
    }
}

/// Clause 12's rate per login, from the counts the engine read from the store.
struct LoginRate {
    let context: RuleContext

    func hits() -> [RuleHit] {
        guard let activity = context.activity, activity.login == context.envelope.authUser else { return [] }
        let rule = UsageFamily.loginRateRule.id
        let maxMessages = context.option("max_messages", of: rule)?.intValue ?? 50
        let maxRecipients = context.option("max_recipients", of: rule)?.intValue ?? 250
        if activity.messages > maxMessages {
            return [RuleHit(rule: rule, detail: "\(Self.ordinal(activity.messages)) message from login \(activity.login) in the last hour; the branch allows \(maxMessages)")]
        }
        if activity.recipients > maxRecipients {
            return [RuleHit(rule: rule, detail: "\(activity.recipients) recipients from login \(activity.login) in the last hour; the branch allows \(maxRecipients)")]
        }
        return []
    }

    /// 1st, 2nd, 3rd, 4th… 11th, 12th, 13th, 21st.
    static func ordinal(_ number: Int) -> String {
        let suffix: String
        switch (number % 10, number % 100) {
        case (_, 11...13): suffix = "th"
        case (1, _): suffix = "st"
        case (2, _): suffix = "nd"
        case (3, _): suffix = "rd"
        default: suffix = "th"
        }
        return "\(number)\(suffix)"
    }
}
