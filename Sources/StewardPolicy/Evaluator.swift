public import StewardCore

/// Decides one verdict for a message across every branch involved. Pure: no I/O.
///
/// Every registered family runs once per branch involved (skipping a branch whose rule set does
/// not cover the message's direction); hits for rules the branch has off, or whose exceptions
/// name the envelope sender, are dropped; each other
/// hit becomes a finding naming its branch and carrying that branch's action. The verdict's
/// action is the strictest finding's action (accept when there is none).
public struct Evaluator: Sendable {
    public let policy: Policy
    /// Built here, once per policy load, rather than behind a lock at the first message.
    private let impersonationIndexes: ImpersonationIndexes

    public init(policy: Policy) {
        self.policy = policy
        impersonationIndexes = ImpersonationIndexes(policy: policy)
    }

    public func direction(of envelope: Envelope) -> Direction {
        DirectionResolver(directory: policy.directory).direction(of: envelope)
    }

    public func branches(involvedIn envelope: Envelope) -> [String] {
        policy.directory.branches(involvedIn: envelope)
    }

    /// `activity` is what the sender's login sent in the last hour (read from the store by the
    /// engine), for the rate rule; nil when nothing was counted. With `onlyBranch`, only that
    /// branch's rules are applied, and with `onlyFamilies` only those families run (a candidate
    /// policy judges its own branch, with the families whose rules it changes); with `onlyRules`,
    /// a family whose rules are independent runs only those of its rules.
    public func evaluate(
        _ message: InspectedMessage, envelope: Envelope, activity: LoginActivity? = nil, onlyBranch: String? = nil,
        onlyFamilies: Set<String>? = nil, onlyRules: Set<String>? = nil
    ) -> Verdict {
        let direction = direction(of: envelope)
        let branches = branches(involvedIn: envelope)
        var findings: [Finding] = []
        for branch in branches where onlyBranch == nil || branch == onlyBranch {
            let settings = policy.settings(for: branch)
            guard settings.directions.contains(direction) else { continue }
            var context = RuleContext(envelope: envelope, direction: direction, directory: policy.directory, settings: settings, activity: activity)
            context.impersonationIndex = impersonationIndexes.index(for: settings)
            for family in policy.families where onlyFamilies?.contains(family.kind) ?? true {
                let clauses = Dictionary(family.rules.map { ($0.id, $0.clause) }, uniquingKeysWith: { first, _ in first })
                var familyContext = context
                if family.rulesAreIndependent { familyContext.onlyRules = onlyRules }
                for hit in family.evaluate(message, context: familyContext) where familyContext.onlyRules?.contains(hit.rule) ?? true {
                    guard let action = settings.action(for: hit.rule), let clause = clauses[hit.rule],
                        !(family.allowsSenderExceptions && envelope.authUser != nil && settings.excepts(envelope.sender, from: hit.rule))
                    else { continue }
                    let finding = Finding(kind: family.kind, rule: hit.rule, clause: clause, detail: hit.detail, branch: branch, action: action, part: hit.part)
                    if !findings.contains(finding) { findings.append(finding) }
                }
            }
        }
        let action = findings.map(\.action).max() ?? .accept
        let reply = action == .reject ? findings.first { $0.action == .reject }.map(rejectReply) : nil
        return Verdict(action: action, direction: direction, branches: branches, findings: findings, reply: reply)
    }

    /// `550 5.7.1` and one sentence a member understands, naming the clause.
    func rejectReply(for finding: Finding) -> SMTPReply {
        let descriptor = policy.rule(finding.rule)?.descriptor
        let reason = descriptor?.refusal ?? "it breaks rule \(finding.rule)"
        let requirement = descriptor?.clauseRequirement ?? "does not allow it"
        let sentence = "Your message was not sent because \(reason); clause \(finding.clause) of the union's e-mail code of practice \(requirement). Please ask your branch secretary if you need help."
        return SMTPReply(code: "550", status: "5.7.1", text: Self.replyText(sentence))
    }

    /// Printable ASCII only (no CR/LF), at most 400 characters, so it is safe in an SMTP reply.
    static func replyText(_ text: String) -> String {
        var result = String(String.UnicodeScalarView(text.unicodeScalars.map {
            (0x20...0x7E).contains($0.value) ? $0 : " "
        }))
        if result.count > 400 { result = String(result.prefix(397)) + "..." }
        return result
    }
}
