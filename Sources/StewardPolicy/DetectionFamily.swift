public import StewardCore

/// A rule a detection family owns, as the policy files and findings name it.
public struct RuleDescriptor: Sendable, Hashable {
    /// Id used in policy files and findings (`eicar-test-signature`); unique across families.
    public var id: String
    /// Clause of the code of practice (`10(f)(viii)`).
    public var clause: String
    /// What the rule looks for, in a few plain words (for docs and `policy lint`).
    public var summary: String
    /// Action when no policy file names the rule.
    public var defaultAction: PolicyAction
    /// Why a refused message was refused, completing "Your message was not sent because …"
    /// (`it carries the EICAR anti-virus test signature`).
    public var refusal: String
    /// What the clause asks, completing "clause 10(f)(viii) of the union's e-mail code of
    /// practice …" (`does not allow unsafe material`).
    public var clauseRequirement: String
    /// Options a policy file may set for this rule (thresholds and the like), with defaults.
    public var options: [String: RuleOptionValue]

    public init(
        id: String, clause: String, summary: String, defaultAction: PolicyAction,
        refusal: String, clauseRequirement: String, options: [String: RuleOptionValue] = [:]
    ) {
        self.id = id
        self.clause = clause
        self.summary = summary
        self.defaultAction = defaultAction
        self.refusal = refusal
        self.clauseRequirement = clauseRequirement
        self.options = options
    }
}

/// One thing a family found: the rule that found it and what, in plain words.
public struct RuleHit: Sendable, Hashable {
    public var rule: String
    public var detail: String
    /// The part it is about (`MessagePart.path`); nil when it is about the whole message.
    public var part: [Int]?

    public init(rule: String, detail: String, part: [Int]? = nil) {
        self.rule = rule
        self.detail = detail
        self.part = part
    }
}

/// What a family knows about the message besides its content: the envelope, the direction,
/// the union's directory, and the rule settings of the branch being judged.
public struct RuleContext: Sendable {
    public var envelope: Envelope
    public var direction: Direction
    public var directory: UnionDirectory
    public var settings: BranchSettings
    /// What the sender's login has sent in the last hour, as the store counted it (clause 12's
    /// rate per login); nil when nothing was counted (no login, or `steward check`).
    public var activity: LoginActivity?
    /// The impersonation index built with the policy for this branch's options (the evaluator
    /// sets it); nil in a context made on its own.
    var impersonationIndex: ImpersonationIndex?
    /// When set (a candidate policy re-judging a family whose rules are independent), only
    /// these rules count as on: the others' findings are the live policy's, not worked out again.
    var onlyRules: Set<String>?

    public init(envelope: Envelope, direction: Direction, directory: UnionDirectory, settings: BranchSettings, activity: LoginActivity? = nil) {
        self.envelope = envelope
        self.direction = direction
        self.directory = directory
        self.settings = settings
        self.activity = activity
    }

    /// The branch being judged.
    public var branch: String { settings.branch }

    /// Whether the branch has the rule on; families may skip work for rules that are off.
    public func isEnabled(_ rule: String) -> Bool { settings.isEnabled(rule) && (onlyRules?.contains(rule) ?? true) }

    public func option(_ name: String, of rule: String) -> RuleOptionValue? { settings.option(name, of: rule) }
}

/// A detection family (unsafe attachments, impersonation, confidential markers, usage...):
/// the rules it owns and one pure function that looks at a message.
///
/// The evaluator calls `evaluate` once per branch involved, drops hits for rules the branch has
/// off, and turns the rest into findings with the branch's action. Must be pure and thread-safe.
public protocol DetectionFamily: Sendable {
    /// Finding kind (`unsafe-attachment`).
    var kind: String { get }
    var rules: [RuleDescriptor] { get }
    /// True when each rule's hits depend on that rule's settings alone (no rule's settings change
    /// what another finds), so a candidate policy that changes one rule need re-run only that
    /// rule. False (the default) re-runs the whole family: in the attachment family, for one,
    /// turning the program rule off changes what the risky-name rule reports.
    var rulesAreIndependent: Bool { get }
    /// Whether a branch may list senders a rule lets through (`except_senders:`, what "release
    /// and allow" adds). Even then an exception only applies to a sender who signed in (SMTP
    /// AUTH): an envelope sender alone can be forged.
    var allowsSenderExceptions: Bool { get }
    func evaluate(_ message: InspectedMessage, context: RuleContext) -> [RuleHit]
}

extension DetectionFamily {
    public var rulesAreIndependent: Bool { false }
    public var allowsSenderExceptions: Bool { true }
}

/// The registered families: the one list the policy and the evaluator use.
public enum DetectionFamilies {
    public static let standard: [any DetectionFamily] = [
        UnsafeAttachmentFamily(),
        ImpersonationFamily(),
        ConfidentialFamily(),
        UsageFamily(),
    ]
}
