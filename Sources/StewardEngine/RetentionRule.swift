public import Foundation
public import StewardPolicy
public import StewardQuarantine
import StewardCore

/// How long a held message is kept (clause 13: held mail is evidence, then it goes): one number
/// of days for every branch, or each branch's `retention_days`, the longest of the branches a
/// message concerns. Pure; legal hold is the lifecycle's rule, not this one.
public struct RetentionRule: Sendable {
    public enum Days: Sendable {
        case everyBranch(Int)
        case perBranch(Policy)
    }

    public var days: Days

    public init(_ days: Days) {
        self.days = days
    }

    /// The retention that applies to `message`, in days.
    public func days(for message: HeldMessage) -> Int {
        switch days {
        case .everyBranch(let days): return days
        case .perBranch(let policy):
            let branches = message.verdict.branches.isEmpty ? [policy.directory.defaultBranch] : message.verdict.branches
            return branches.map { policy.settings(for: $0).quarantine.retentionDays }.max() ?? 365
        }
    }

    /// Whether `message` was held longer ago than its retention, at `now`.
    public func isExpired(_ message: HeldMessage, at now: Date) -> Bool {
        message.heldAt < now.addingTimeInterval(-Double(days(for: message)) * 86_400)
    }

    /// The reason written on the trail of each removal.
    public var reason: String {
        switch days {
        case .everyBranch(let days): "retention of \(days) days"
        case .perBranch: "retention per branch policy"
        }
    }
}
