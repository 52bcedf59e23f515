/// What Steward does with a message. Ordered from mildest to strictest: when several
/// findings ask for different actions, the strictest wins.
public enum Action: String, Sendable, Hashable, Codable, CaseIterable, Comparable {
    /// Let it through untouched.
    case accept
    /// Let it through, adding an `X-Steward-Findings` header (a rule set to "log").
    case tag
    /// Hold it in the quarantine for an official; the MTA is told to discard it once stored.
    case quarantine
    /// Refuse it at SMTP with a 5.7.x reply the sender can read.
    case reject
    /// Ask the MTA to keep it and try again later (an internal error, never a policy choice).
    case tempfail

    private var rank: Int {
        switch self {
        case .accept: 0
        case .tag: 1
        case .quarantine: 2
        case .reject: 3
        case .tempfail: 4
        }
    }

    public static func < (lhs: Action, rhs: Action) -> Bool { lhs.rank < rhs.rank }
}

/// One thing a rule found, in plain words, with the clause of the code of practice behind it.
public struct Finding: Sendable, Hashable, Codable {
    /// Detection family: `unsafe-attachment`, `impersonation`, `confidential`, `usage`, `inspection`.
    public var kind: String
    /// Rule id within the family, e.g. `eicar-test-signature`.
    public var rule: String
    /// Clause of the code of practice, e.g. `10(f)(viii)`.
    public var clause: String
    /// What was found and where, in words a member understands.
    public var detail: String
    /// The branch whose policy judged this finding.
    public var branch: String
    /// What that branch's policy does about it.
    public var action: Action

    public init(kind: String, rule: String, clause: String, detail: String, branch: String, action: Action) {
        self.kind = kind
        self.rule = rule
        self.clause = clause
        self.detail = detail
        self.branch = branch
        self.action = action
    }
}

/// The one decision for a message across every branch involved.
public struct Verdict: Sendable, Hashable, Codable {
    public var action: Action
    public var direction: Direction
    /// Branches involved, sorted.
    public var branches: [String]
    public var findings: [Finding]
    /// For `reject` and `tempfail`: the SMTP reply (`550`, `5.7.1`, sentence).
    public var reply: SMTPReply?

    public init(action: Action, direction: Direction, branches: [String], findings: [Finding], reply: SMTPReply? = nil) {
        self.action = action
        self.direction = direction
        self.branches = branches
        self.findings = findings
        self.reply = reply
    }
}

/// An SMTP reply: code, enhanced status code and one sentence.
public struct SMTPReply: Sendable, Hashable, Codable {
    public var code: String
    public var status: String
    public var text: String

    public init(code: String, status: String, text: String) {
        self.code = code
        self.status = status
        self.text = text
    }
}
