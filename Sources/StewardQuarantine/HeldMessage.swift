public import Foundation
public import StewardCore

/// Where a held message stands.
public enum HoldState: String, Sendable, Hashable, Codable, CaseIterable {
    /// Waiting for an official.
    case held
    /// Delivered to its original recipients on an official's decision.
    case released
    /// Not delivered, on an official's decision (kept as evidence until retention ends).
    case refused
    /// Its bytes erased on an official's decision; the record and the audit trail stay.
    case deleted
}

/// Why a message is in the quarantine: a rule held it, or a member reported it (clause 15).
public enum HoldKind: String, Sendable, Hashable, Codable, CaseIterable {
    case hold, report
}

/// A message in the quarantine: the evidence (original bytes and their SHA-256), the envelope
/// it came with, the verdict that held it, and where it stands.
public struct HeldMessage: Sendable, Hashable {
    public var id: Int64
    public var kind: HoldKind
    public var heldAt: Date
    public var envelope: Envelope
    public var verdict: Verdict
    /// Hex SHA-256 of the original bytes.
    public var sha256: String
    public var size: Int
    public var state: HoldState
    /// The official's reason for the last change of state.
    public var stateReason: String?
    public var stateChangedBy: String?
    public var stateChangedAt: Date?
    /// Under legal hold: never purged or deleted until the hold is lifted (clause 13).
    public var legalHold: Bool
    /// For a report case: the member who reported it.
    public var reporter: String?
    /// Subject of the message, for lists and notices (decoded by the caller; may be empty).
    public var subject: String

    public init(
        id: Int64, kind: HoldKind = .hold, heldAt: Date, envelope: Envelope, verdict: Verdict, sha256: String,
        size: Int, state: HoldState, stateReason: String? = nil, stateChangedBy: String? = nil,
        stateChangedAt: Date? = nil, legalHold: Bool = false, reporter: String? = nil, subject: String = ""
    ) {
        self.id = id
        self.kind = kind
        self.heldAt = heldAt
        self.envelope = envelope
        self.verdict = verdict
        self.sha256 = sha256
        self.size = size
        self.state = state
        self.stateReason = stateReason
        self.stateChangedBy = stateChangedBy
        self.stateChangedAt = stateChangedAt
        self.legalHold = legalHold
        self.reporter = reporter
        self.subject = subject
    }
}

/// A message about to be held: what the milter hands the store at end-of-message.
public struct NewHold: Sendable {
    public var envelope: Envelope
    public var verdict: Verdict
    /// The message exactly as the MTA passed it: headers, blank line, body (CRLF line ends).
    public var raw: [UInt8]
    public var heldAt: Date
    public var kind: HoldKind
    public var reporter: String?
    public var subject: String
    /// Notices to queue in the same transaction: nobody is told of a hold that was not stored,
    /// and no stored hold goes untold.
    public var notices: [NewNotice]
    /// When set, the hold commits before this moment or not at all (rolled back, `.timedOut`):
    /// the MTA must still be waiting for the answer when Steward tells it the message is held.
    public var deadline: Date?
    /// When set, a message matching one held within this many seconds (`HoldRetry`) is not
    /// stored again: the store answers with the earlier hold.
    public var retryWindow: TimeInterval?

    public init(
        envelope: Envelope, verdict: Verdict, raw: [UInt8], heldAt: Date = Date(), kind: HoldKind = .hold,
        reporter: String? = nil, subject: String = "", notices: [NewNotice] = [], deadline: Date? = nil,
        retryWindow: TimeInterval? = nil
    ) {
        self.envelope = envelope
        self.verdict = verdict
        self.raw = raw
        self.heldAt = heldAt
        self.kind = kind
        self.reporter = reporter
        self.subject = subject
        self.notices = notices
        self.deadline = deadline
        self.retryWindow = retryWindow
    }

    /// The key a retry of this message would have (nil without a Message-ID, or when no
    /// window is set).
    public var retryKey: HoldRetryKey? {
        retryWindow == nil ? nil : HoldRetryKey(raw: raw)
    }
}

/// What became of a hold: stored now, or recognised as a retry of one stored before.
public struct HoldOutcome: Sendable, Hashable {
    public var id: Int64
    /// True when nothing was stored: the message repeats hold `id` (`HoldRetry`).
    public var isRetry: Bool

    public init(id: Int64, isRetry: Bool) {
        self.id = id
        self.isRetry = isRetry
    }
}

/// A notice to send about a held message: to an official (what was held and why) or to a
/// member (their message awaits an official; their report was received).
public struct NewNotice: Sendable, Hashable {
    public var recipient: String
    /// Template name in `Policies/templates/` (`held`, `awaiting-approval`, `report`, `report-received`).
    public var template: String
    /// Branch whose templates and officials apply.
    public var branch: String

    public init(recipient: String, template: String, branch: String) {
        self.recipient = recipient
        self.template = template
        self.branch = branch
    }
}

/// A queued notice, waiting for its recipient's next digest.
public struct Notice: Sendable, Hashable {
    public var id: Int64
    public var notice: NewNotice
    public var messageID: Int64
    public var createdAt: Date

    public init(id: Int64, notice: NewNotice, messageID: Int64, createdAt: Date) {
        self.id = id
        self.notice = notice
        self.messageID = messageID
        self.createdAt = createdAt
    }
}

/// Which held messages to list. Every field narrows; nil means any.
public struct QuarantineQuery: Sendable, Hashable {
    public var branch: String?
    /// Only messages concerning at least one of these branches (what a reviewer may see).
    public var anyOfBranches: [String]?
    /// Detection family of any finding (`unsafe-attachment`, `impersonation`, …).
    public var findingKind: String?
    public var direction: Direction?
    public var state: HoldState?
    public var kind: HoldKind?
    public var heldSince: Date?
    public var heldBefore: Date?
    /// Matched case-insensitively against sender, recipients and subject.
    public var text: String?
    public var limit: Int

    public init(
        branch: String? = nil, findingKind: String? = nil, direction: Direction? = nil, state: HoldState? = nil,
        kind: HoldKind? = nil, heldSince: Date? = nil, heldBefore: Date? = nil, text: String? = nil, limit: Int = 100
    ) {
        self.branch = branch
        self.findingKind = findingKind
        self.direction = direction
        self.state = state
        self.kind = kind
        self.heldSince = heldSince
        self.heldBefore = heldBefore
        self.text = text
        self.limit = limit
    }

    /// The filters that are not simple column comparisons, applied in Swift by every backend
    /// so that both give the same answers.
    public func matches(_ message: HeldMessage) -> Bool {
        if let branch, !message.verdict.branches.contains(branch) { return false }
        if let anyOfBranches, !message.verdict.branches.contains(where: anyOfBranches.contains) { return false }
        if let findingKind, !message.verdict.findings.contains(where: { $0.kind == findingKind }) { return false }
        if let direction, message.verdict.direction != direction { return false }
        if let state, message.state != state { return false }
        if let kind, message.kind != kind { return false }
        if let heldSince, message.heldAt < heldSince { return false }
        if let heldBefore, message.heldAt >= heldBefore { return false }
        if let text, !text.isEmpty {
            let needle = text.lowercased()
            let haystack = ([message.envelope.sender, message.subject] + message.envelope.recipients).map { $0.lowercased() }
            if !haystack.contains(where: { $0.contains(needle) }) { return false }
        }
        return true
    }
}
