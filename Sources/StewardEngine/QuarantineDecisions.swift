public import Foundation
public import StewardPolicy
public import StewardQuarantine
import StewardCore

/// The decisions taken about held messages, one implementation for the command line and the
/// review app: who may decide (`DecisionRights`), then the store carries the command out under
/// `HoldLifecycle`'s rules, so both write the same audit entries and tell the same people.
public struct QuarantineDecisions: Sendable {
    public let store: any QuarantineStore
    /// For who is told about a refusal (the branch's `tell_sender_on_refusal`).
    public let policy: Policy

    public init(store: any QuarantineStore, policy: Policy) {
        self.store = store
        self.policy = policy
    }

    /// Releases a held message through `service` (the MTA), once. Throws `QuarantineError`
    /// when `actor` may not decide on it, `ReleaseError` when it cannot go.
    @discardableResult
    public func release(id: Int64, actor: String, reason: String, through service: ReleaseService) async throws -> HeldMessage {
        try await authorize(id: id, actor: actor)
        return try await service.release(id: id, actor: actor, reason: reason)
    }

    /// Refuses a held message; the member whose own message it was is told why when their
    /// branch wants it. Returns the message and whom a notice was queued for.
    public func refuse(id: Int64, actor: String, reason: String) async throws(QuarantineError) -> (message: HeldMessage, told: String?) {
        try await authorize(id: id, actor: actor)
        let message = try await decide(.refuse(by: actor, reason: reason), on: id)
        let directory = policy.directory
        let branch = directory.branch(of: message.envelope.sender) ?? directory.defaultBranch
        guard message.verdict.direction != .incoming, message.kind == .hold, directory.isUnionAddress(message.envelope.sender),
            policy.settings(for: branch).quarantine.tellSenderOnRefusal
        else { return (message, nil) }
        try await store.enqueueNotices([NewNotice(recipient: message.envelope.sender, template: "refused", branch: branch)], messageID: id)
        return (message, message.envelope.sender)
    }

    /// Erases a message's content; its record and trail stay. Not under legal hold.
    @discardableResult
    public func delete(id: Int64, actor: String, reason: String) async throws(QuarantineError) -> HeldMessage {
        try await authorize(id: id, actor: actor)
        return try await decide(.delete(by: actor, reason: reason), on: id)
    }

    /// Puts a message under legal hold, or lifts it.
    public func setLegalHold(id: Int64, on: Bool, actor: String, reason: String) async throws(QuarantineError) {
        try await authorize(id: id, actor: actor)
        _ = try await store.apply(.legalHold(on, by: actor, reason: reason), to: id)
    }

    /// The original bytes of a message for a person to read, recorded on the audit trail with
    /// the reason first (clause 14: no one reads a member's mail without a recorded reason).
    public func openContent(id: Int64, actor: String, reason: String, detail: String? = nil) async throws(QuarantineError) -> [UInt8] {
        try await authorize(id: id, actor: actor)
        _ = try await store.apply(.view(by: actor, reason: reason, detail: detail), to: id)
        guard let raw = try await store.raw(id: id) else { throw QuarantineError(code: .notFound, detail: "#\(id) (its content was erased)") }
        return raw
    }

    /// A message and its original bytes for evidence written to `place`, recorded on the trail
    /// first. Exporting is reading: the same rule as opening the content.
    public func export(id: Int64, actor: String, reason: String, to place: String) async throws(QuarantineError) -> (message: HeldMessage, raw: [UInt8]) {
        let message = try await authorize(id: id, actor: actor)
        _ = try await store.apply(.export(by: actor, reason: reason, to: place), to: id)
        guard let raw = try await store.raw(id: id) else { throw QuarantineError(code: .notFound, detail: "#\(id) (its content was erased)") }
        return (message, raw)
    }

    /// The messages of `store` that `rule` says have been kept long enough, at `now`, except
    /// those under legal hold. (Static: a fixed retention needs no policy.)
    public static func expired(_ rule: RetentionRule, in store: any QuarantineStore, at now: Date) async throws(QuarantineError) -> [HeldMessage] {
        try await store.list(QuarantineQuery(limit: .max)).filter { !$0.legalHold && rule.isExpired($0, at: now) }
    }

    /// Removes what `rule` says has expired, one audit entry each. Hosts sharing a store may
    /// run it at once: each message is removed by whichever gets its row first. Returns the ids
    /// this call removed.
    public static func purge(_ rule: RetentionRule, in store: any QuarantineStore, actor: String, at now: Date) async throws(QuarantineError) -> [Int64] {
        try await store.purge(ids: await expired(rule, in: store, at: now).map(\.id), by: actor, reason: rule.reason)
    }

    /// Throws unless `actor` may decide on message `id` (`DecisionRights`: their branch's hold,
    /// never their own mail). Every decision above passes it, in the app or at the command line.
    @discardableResult
    public func authorize(id: Int64, actor: String) async throws(QuarantineError) -> HeldMessage {
        guard let message = try await store.message(id: id) else { throw QuarantineError(code: .notFound, detail: "#\(id)") }
        try DecisionRights.requireDecision(by: actor, on: message, directory: policy.directory)
        return message
    }

    private func decide(_ command: HoldCommand, on id: Int64) async throws(QuarantineError) -> HeldMessage {
        guard let message = try await store.apply(command, to: id).message else { throw QuarantineError(code: .notFound, detail: "#\(id)") }
        return message
    }
}
