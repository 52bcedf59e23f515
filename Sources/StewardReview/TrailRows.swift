import Foundation
import StewardQuarantine

/// Audit entries as the trail pages show them: who did what, when and why, in plain words.
struct TrailRow: Sendable, Hashable {
    var sequence: Int64
    /// `2026-11-18 14:05:09 GMT` in the official's zone, UTC on hover: to the second, since
    /// the order of decisions matters here.
    var when: LocalTime
    var actor: String
    /// The stable action name (`release`), for tests and for anyone reading the raw store.
    var action: String
    /// What it means, for an official (`Released to its recipients`).
    var words: String
    var messageID: Int64?
    var reason: String
    var detail: String

    init(_ entry: AuditEntry, times: TimeFormat) {
        sequence = entry.sequence
        when = times.second(entry.entry.at)
        actor = entry.entry.actor
        action = entry.entry.action.rawValue
        words = Self.words(entry.entry.action)
        messageID = entry.entry.messageID
        reason = entry.entry.reason ?? ""
        detail = entry.entry.detail ?? ""
    }

    static func words(_ action: AuditAction) -> String {
        switch action {
        case .hold: "Held by Steward"
        case .report: "Reported by a member"
        case .notify: "Officials or sender told"
        case .view: "Content viewed"
        case .release: "Released to its recipients"
        case .releaseDelivered: "Release delivered"
        case .releaseFailed: "Release failed; held again"
        case .refuse: "Refused"
        case .delete: "Deleted"
        case .legalHold: "Legal hold placed"
        case .legalHoldLifted: "Legal hold lifted"
        case .purge: "Removed at the end of retention"
        case .export: "Exported"
        case .policyReload: "Policy reloaded"
        case .policyPromote: "Candidate policy promoted"
        case .policyDiscard: "Candidate policy discarded"
        case .policyException: "Sender allowed in the candidate policy"
        case .passwordSet: "Review password set"
        case .secondFactorSet: "Review second factor set"
        }
    }
}
