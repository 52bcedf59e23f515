public import Foundation

/// Where held messages and the audit trail live. Two backends (SQLite, PostgreSQL) implement it
/// and pass one test suite. Every method that changes a message appends its audit entry in the
/// same transaction: there is no change without its record, and no record without its change.
/// Asynchronous: the review app's handlers and the notice sender await it; the milter awaits it
/// inside its one bridge per message (`MessageFilter.decideBlocking`).
public protocol QuarantineStore: Sendable {
    /// Commits a held message with its audit entry and returns its id. Returns only once the
    /// message is durably committed: the milter tells the MTA to discard it only after that.
    func hold(_ message: NewHold, actor: String) async throws(QuarantineError) -> Int64
    /// `hold`, telling whether the message was stored now or recognised as a retry of a message
    /// held before (`NewHold.retryWindow`, `HoldRetry`), in which case nothing is stored. With
    /// `NewHold.deadline`, commits before it or throws `.timedOut` having stored nothing.
    func holdOnce(_ message: NewHold, actor: String) async throws(QuarantineError) -> HoldOutcome
    /// Held messages matching `query`, newest first.
    func list(_ query: QuarantineQuery) async throws(QuarantineError) -> [HeldMessage]
    /// One held message's metadata.
    func message(id: Int64) async throws(QuarantineError) -> HeldMessage?
    /// One held message's original bytes (nil once deleted or purged).
    func raw(id: Int64) async throws(QuarantineError) -> [UInt8]?
    /// Carries out `command` on message `id`: locks its row, asks `HoldLifecycle`, and applies
    /// the effects with their audit entry in one transaction. Throws `.notFound` for no such
    /// message and `.notAllowed` when the lifecycle refuses (a second release is refused, never
    /// a second delivery; legal hold forbids deletion and purge), having changed nothing.
    func apply(_ command: HoldCommand, to id: Int64) async throws(QuarantineError) -> HoldChange
    /// Queues notices about a message after it was held (a refusal told to its sender).
    func enqueueNotices(_ notices: [NewNotice], messageID: Int64) async throws(QuarantineError)
    /// Notices not yet sent, oldest first.
    func pendingNotices() async throws(QuarantineError) -> [Notice]
    /// Claims notices for sending by `claimant` until `until` and returns the ids it now holds:
    /// those of `ids` not yet sent and not claimed by another claimant whose claim still runs.
    /// Several mail hosts sharing one store each send only what they claimed, so every notice
    /// goes out once (PostgreSQL: `FOR UPDATE SKIP LOCKED`).
    func claimNotices(ids: [Int64], claimant: String, until: Date) async throws(QuarantineError) -> Set<Int64>
    /// When `recipient` was last sent a notice (for the digest interval).
    func lastNoticeSent(to recipient: String) async throws(QuarantineError) -> Date?
    /// Marks notices sent, with one `notify` audit entry per message they concern.
    func markNoticesSent(_ notices: [Notice], at: Date, actor: String) async throws(QuarantineError)
    /// Appends an entry that concerns no change of a message (views, notices, exports, reloads).
    @discardableResult
    func appendAudit(_ entry: NewAuditEntry) async throws(QuarantineError) -> AuditEntry
    /// The audit trail in order; only the entries about one message when `messageID` is given.
    func auditTrail(messageID: Int64?) async throws(QuarantineError) -> [AuditEntry]
    /// The entries about any of `messageIDs`, in order (a branch's trail: the entries about
    /// its messages).
    func auditTrail(messageIDs: [Int64]) async throws(QuarantineError) -> [AuditEntry]
    /// Sets or replaces the review app password (a Bcrypt hash, never the password) of `login`,
    /// with its audit entry (`password-set`).
    func setPasswordHash(_ hash: String, login: String, audit: NewAuditEntry) async throws(QuarantineError)
    /// The review app password hash of `login` (lower-cased address), nil when none was set.
    func passwordHash(login: String) async throws(QuarantineError) -> String?
    /// Sets (or with nil removes) the second factor of `login`, with its audit entry.
    func setSecondFactor(_ factor: SecondFactor?, login: String, audit: NewAuditEntry) async throws(QuarantineError)
    /// The second factor of `login`, nil when none is set up.
    func secondFactor(login: String) async throws(QuarantineError) -> SecondFactor?
    /// Uses a second factor once, atomically: a TOTP time `step` later than the last one
    /// accepted, or an unused recovery code (by its hash, which is then struck off). Returns
    /// false when neither holds (a replayed code, a used recovery code).
    func useSecondFactor(login: String, step: Int64?, recoveryHash: String?) async throws(QuarantineError) -> Bool
}

extension QuarantineStore {
    public func hold(_ message: NewHold) async throws(QuarantineError) -> Int64 {
        try await hold(message, actor: "steward")
    }

    public func list(limit: Int) async throws(QuarantineError) -> [HeldMessage] {
        try await list(QuarantineQuery(limit: limit))
    }

    /// Removes each of `ids` (bytes and record) that the lifecycle lets go: not under legal
    /// hold, not already removed (by another host's purge, say). One audit entry each; returns
    /// the ids actually removed.
    public func purge(ids: [Int64], by actor: String, reason: String?) async throws(QuarantineError) -> [Int64] {
        var removed: [Int64] = []
        for id in ids {
            do {
                _ = try await apply(.purge(by: actor, reason: reason), to: id)
                removed.append(id)
            } catch where error.code == .notAllowed || error.code == .notFound {
                continue
            }
        }
        return removed
    }

    /// A released message came back through Steward: records its delivery once. Returns false
    /// when the message is not released or its delivery was already recorded, so one release
    /// lets exactly one copy through.
    public func recordReleaseDelivery(id: Int64, queueID: String?) async throws(QuarantineError) -> Bool {
        do {
            _ = try await apply(.recordDelivery(queueID: queueID), to: id)
            return true
        } catch where error.code == .notAllowed || error.code == .notFound {
            return false
        }
    }

    /// How many messages are in each state (the metrics' `steward_held_messages`). Reads the
    /// list's metadata (never the stored bytes), once per scrape.
    public func countByState() async throws(QuarantineError) -> [HoldState: Int] {
        var counts: [HoldState: Int] = [:]
        for state in HoldState.allCases { counts[state] = try await list(QuarantineQuery(state: state, limit: Int.max)).count }
        return counts
    }
}

/// A store failure. The milter answers tempfail on any of these, so the MTA keeps the mail.
public struct QuarantineError: Error, Sendable, CustomStringConvertible {
    public enum Code: String, Sendable {
        case cannotOpen, writeFailed, readFailed, notFound, notAllowed
        /// The store did not answer before the caller's deadline; nothing was changed.
        case timedOut
    }
    public var code: Code
    public var detail: String

    public init(code: Code, detail: String) {
        self.code = code
        self.detail = detail
    }

    public var description: String {
        switch code {
        case .cannotOpen: "quarantine store cannot be opened: \(detail) (check the store path and its permissions)"
        case .writeFailed: "quarantine store write failed: \(detail)"
        case .readFailed: "quarantine store read failed: \(detail)"
        case .notFound: "no held message \(detail)"
        case .notAllowed: detail
        case .timedOut: "quarantine store too slow: \(detail); nothing was stored (is another process holding its lock?)"
        }
    }
}
