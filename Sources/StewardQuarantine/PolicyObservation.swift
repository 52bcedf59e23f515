public import Foundation
public import StewardCore

/// A rule's part in a judgement, without what it found: family, rule, clause and action. The
/// finding's `detail` is left out on purpose, as it can quote the message.
public struct RuleMention: Sendable, Hashable, Codable {
    public var kind: String
    public var rule: String
    public var clause: String
    public var action: Action

    public init(kind: String, rule: String, clause: String, action: Action) {
        self.kind = kind
        self.rule = rule
        self.clause = clause
        self.action = action
    }

    public init(_ finding: Finding) {
        self.init(kind: finding.kind, rule: finding.rule, clause: finding.clause, action: finding.action)
    }

    /// `kind/rule`.
    public var name: String { "\(kind)/\(rule)" }
}

/// What a policy saw but did not act on, kept for a branch to tune by: a monitor-mode finding
/// (`action: log`), or a message on which the branch's candidate policy disagreed with the live
/// one. Metadata only (time, direction, branches, envelope addresses, subject, rules, part
/// names), never content: passed mail is not in the quarantine and nobody may read it.
public struct PolicyObservation: Sendable, Hashable, Codable {
    public enum Kind: String, Sendable, Hashable, Codable, CaseIterable {
        /// A rule set to `log` matched (the message went on, or was held by another rule).
        case logged
        /// The candidate policy would have held (or refused) a message the live policy passed.
        case candidateWouldHold = "candidate-would-hold"
        /// The candidate policy would have passed a message the live policy held (or refused).
        case candidateWouldPass = "candidate-would-pass"
    }

    /// 0 until stored.
    public var id: Int64
    public var at: Date
    public var kind: Kind
    /// The branch whose figures (or candidate) this belongs to.
    public var branch: String
    public var direction: Direction
    /// Every branch the message involved.
    public var branches: [String]
    public var sender: String
    public var recipients: [String]
    public var subject: String
    /// Attachment and part names, as the parts give them.
    public var partNames: [String]
    /// This branch's live rules that matched (for `logged`: the rules set to log).
    public var rules: [RuleMention]
    /// This branch's candidate rules that matched (shadow observations only).
    public var candidateRules: [RuleMention]
    /// The quarantine id when the live policy held the message (its page may be shown).
    public var heldID: Int64?

    public init(
        id: Int64 = 0, at: Date, kind: Kind, branch: String, direction: Direction, branches: [String], sender: String,
        recipients: [String], subject: String, partNames: [String], rules: [RuleMention], candidateRules: [RuleMention] = [],
        heldID: Int64? = nil
    ) {
        self.id = id
        self.at = at
        self.kind = kind
        self.branch = branch
        self.direction = direction
        self.branches = branches
        self.sender = sender
        self.recipients = recipients
        self.subject = subject
        self.partNames = partNames
        self.rules = rules
        self.candidateRules = candidateRules
        self.heldID = heldID
    }
}

/// Keeps policy observations beside the quarantine, in the same store (both backends), so
/// every mail host sharing a PostgreSQL store counts into the same figures.
public protocol PolicyObservationStore: Sendable {
    /// Stores observations (one transaction); the ids given are ignored.
    func record(_ observations: [PolicyObservation]) async throws(QuarantineError)
    /// A branch's observations of these kinds made at or after `since`, oldest first.
    func observations(branch: String, kinds: Set<PolicyObservation.Kind>, since: Date) async throws(QuarantineError) -> [PolicyObservation]
    /// Forgets a branch's observations of these kinds (a candidate promoted or discarded starts
    /// afresh); returns how many were removed.
    @discardableResult
    func forgetObservations(branch: String, kinds: Set<PolicyObservation.Kind>) async throws(QuarantineError) -> Int
}
