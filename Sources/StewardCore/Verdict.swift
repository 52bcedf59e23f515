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
    /// The part it is about (`MessagePart.path`: `[2, 1]` is part 2.1), nil when it is about
    /// the message as a whole (its envelope, headers or subject). The review app lists each
    /// finding under its part by this path, never by matching the detail's words.
    public var part: [Int]?

    public init(kind: String, rule: String, clause: String, detail: String, branch: String, action: Action, part: [Int]? = nil) {
        self.kind = kind
        self.rule = rule
        self.clause = clause
        self.detail = detail
        self.branch = branch
        self.action = action
        self.part = part
    }
}

/// A named part of a held message as inspection saw it when it was judged: what the review
/// app and `quarantine show` list under "attachments", stored with the verdict at hold time so
/// that neither has to inspect the stored mail again (and so the list survives when the
/// content is erased by retention: names and types are metadata, like the findings).
public struct PartSummary: Sendable, Hashable, Codable {
    public var path: [Int]
    /// Where a person finds it: `part 2.1 "agenda.pdf"` (`MessagePart.displayPath`).
    public var place: String
    public var filename: String
    /// Declared content type, lower-cased.
    public var declaredType: String
    /// True type by content (libmagic's MIME type), nil when libmagic could not tell.
    public var trueType: String?
    /// libmagic's description.
    public var trueTypeDescription: String?
    /// Decoded size in bytes.
    public var size: Int

    public init(_ part: MessagePart) {
        path = part.path
        place = part.displayPath
        filename = part.filename ?? ""
        declaredType = part.contentType
        trueType = part.trueType
        trueTypeDescription = part.trueTypeDescription
        size = part.content.count
    }

    /// The parts of `message` a person would call attachments (those with a file name),
    /// depth first: attached files, archive members, files carried inside other files.
    public static func attachments(of message: InspectedMessage) -> [PartSummary] {
        message.allParts.filter { $0.filename != nil }.map(PartSummary.init)
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
    /// For a held message: its attachments as judged (set at hold time, stored with the
    /// verdict). Nil for other verdicts and for messages held before Steward stored it.
    public var parts: [PartSummary]?

    public init(
        action: Action, direction: Direction, branches: [String], findings: [Finding], reply: SMTPReply? = nil,
        parts: [PartSummary]? = nil
    ) {
        self.action = action
        self.direction = direction
        self.branches = branches
        self.findings = findings
        self.reply = reply
        self.parts = parts
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
