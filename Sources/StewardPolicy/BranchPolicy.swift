public import StewardCore

/// What a policy file says to do about a rule's findings.
public enum PolicyAction: String, Sendable, Hashable, CaseIterable {
    /// Let the message through with an `X-Steward-Findings` header (Action `.tag`).
    case log
    /// Hold the message for an official.
    case quarantine
    /// Refuse the message at SMTP with a reply the sender can read.
    case reject
    /// The rule is switched off.
    case off

    /// The message action this word asks for; nil for `off`.
    public var action: Action? {
        switch self {
        case .log: .tag
        case .quarantine: .quarantine
        case .reject: .reject
        case .off: nil
        }
    }
}

/// A value of a rule option (a threshold, a list of words...), as a policy file gives it.
public enum RuleOptionValue: Sendable, Hashable {
    case integer(Int)
    case number(Double)
    case text(String)
    case list([String])
    case flag(Bool)

    var kindName: String {
        switch self {
        case .integer: "a whole number"
        case .number: "a number"
        case .text: "a single value"
        case .list: "a list"
        case .flag: "true or false"
        }
    }
}

/// One rule's setting in a branch: its action and option values (default ones filled in).
public struct RuleSetting: Sendable, Hashable {
    public var action: PolicyAction
    public var options: [String: RuleOptionValue]
    /// Envelope senders (normalized addresses) this rule never finds against in the branch
    /// (`except_senders:`): what "release and allow" in the review app adds to a candidate.
    public var exceptSenders: Set<String>

    public init(action: PolicyAction, options: [String: RuleOptionValue] = [:], exceptSenders: Set<String> = []) {
        self.action = action
        self.options = options
        self.exceptSenders = exceptSenders
    }
}

/// The rule set in force for one branch: the default rule set with the branch file's
/// overrides applied.
public struct BranchSettings: Sendable, Hashable {
    /// Branch id.
    public var branch: String
    /// Directions this branch's mail is filtered in (clause 11).
    public var directions: Set<Direction>
    /// Rule id → setting, for every rule of every registered family.
    public var rules: [String: RuleSetting]
    /// How long held mail is kept, and who is told of decisions (clauses 13 and 15).
    public var quarantine: QuarantineSettings
    /// Whether mail staying inside the union that a `log` rule matched is marked with an
    /// `X-Steward-Findings` header (`monitor: findings_header:`). Off unless a policy says so:
    /// monitor mode is for the branch's figures, not for telling recipients; and mail leaving
    /// the union is never marked, whatever this says.
    public var findingsHeader: Bool

    public init(
        branch: String, directions: Set<Direction>, rules: [String: RuleSetting], quarantine: QuarantineSettings = QuarantineSettings(),
        findingsHeader: Bool = false
    ) {
        self.findingsHeader = findingsHeader
        self.branch = branch
        self.directions = directions
        self.rules = rules
        self.quarantine = quarantine
    }

    /// The action for a rule's findings; nil when the rule is off or unknown.
    public func action(for rule: String) -> Action? { rules[rule]?.action.action }

    public func isEnabled(_ rule: String) -> Bool { action(for: rule) != nil }

    public func option(_ name: String, of rule: String) -> RuleOptionValue? { rules[rule]?.options[name] }

    /// Whether the branch lists `sender` as an exception to `rule` (`except_senders:`).
    public func excepts(_ sender: String, from rule: String) -> Bool {
        guard let senders = rules[rule]?.exceptSenders, !senders.isEmpty, !sender.isEmpty else { return false }
        return senders.contains(EmailAddress.normalize(sender))
    }
}

/// A branch's quarantine settings (the `quarantine:` section of default.yaml and branch files).
public struct QuarantineSettings: Sendable, Hashable {
    /// Days a held message is kept before `steward quarantine purge` removes it (legal holds excepted).
    public var retentionDays: Int
    /// Whether the member whose outgoing message was refused is told so.
    public var tellSenderOnRefusal: Bool

    public init(retentionDays: Int = 365, tellSenderOnRefusal: Bool = true) {
        self.retentionDays = retentionDays
        self.tellSenderOnRefusal = tellSenderOnRefusal
    }
}
