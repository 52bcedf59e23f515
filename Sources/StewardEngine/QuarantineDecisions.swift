import Foundation
public import StewardPolicy
public import StewardQuarantine
import StewardCore

/// The decisions an official takes about a held message, one implementation for the command
/// line and the review app, so both write the same audit entries and tell the same people.
/// (Release is `ReleaseService`: it needs the MTA.)
public struct QuarantineDecisions: Sendable {
    public let store: any QuarantineStore
    /// For who is told about a refusal (the branch's `tell_sender_on_refusal`).
    public let policy: Policy

    public init(store: any QuarantineStore, policy: Policy) {
        self.store = store
        self.policy = policy
    }

    /// Refuses a held message; the member whose own message it was is told why when their
    /// branch wants it. Returns the message and whom a notice was queued for.
    public func refuse(id: Int64, actor: String, reason: String) throws(QuarantineError) -> (message: HeldMessage, told: String?) {
        try authorize(id: id, actor: actor)
        let message = try store.transition(
            id: id, to: .refused, from: [.held], audit: NewAuditEntry(actor: actor, action: .refuse, reason: reason))
        let directory = policy.directory
        let branch = directory.branch(of: message.envelope.sender) ?? directory.defaultBranch
        guard message.verdict.direction != .incoming, message.kind == .hold, directory.isUnionAddress(message.envelope.sender),
            policy.settings(for: branch).quarantine.tellSenderOnRefusal
        else { return (message, nil) }
        try store.enqueueNotices([NewNotice(recipient: message.envelope.sender, template: "refused", branch: branch)], messageID: id)
        return (message, message.envelope.sender)
    }

    /// Puts a message under legal hold, or lifts it.
    public func setLegalHold(id: Int64, on: Bool, actor: String, reason: String) throws(QuarantineError) {
        try authorize(id: id, actor: actor)
        try store.setLegalHold(id: id, on, audit: NewAuditEntry(actor: actor, action: on ? .legalHold : .legalHoldLifted, reason: reason))
    }

    /// The original bytes of a message for a person to read, recorded on the audit trail with
    /// the reason first (clause 14: no one reads a member's mail without a recorded reason).
    public func openContent(id: Int64, actor: String, reason: String, detail: String? = nil) throws(QuarantineError) -> [UInt8] {
        try authorize(id: id, actor: actor)
        guard let raw = try store.raw(id: id) else { throw QuarantineError(code: .notFound, detail: "#\(id) (its content was erased)") }
        try store.appendAudit(NewAuditEntry(actor: actor, action: .view, messageID: id, reason: reason, detail: detail))
        return raw
    }

    /// Throws unless `actor` may decide on message `id` (`DecisionRights`: their branch's hold,
    /// never their own mail). Release calls it before `ReleaseService`, so every decision, in
    /// the app or at the command line, passes the same rule.
    @discardableResult
    public func authorize(id: Int64, actor: String) throws(QuarantineError) -> HeldMessage {
        guard let message = try store.message(id: id) else { throw QuarantineError(code: .notFound, detail: "#\(id)") }
        try DecisionRights.requireDecision(by: actor, on: message, directory: policy.directory)
        return message
    }
}
