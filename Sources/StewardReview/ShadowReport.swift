public import Foundation
import StewardCore
public import StewardQuarantine

/// Where a branch's candidate policy disagreed with its live one, per rule and ISO week, and the
/// messages concerned (metadata only). Pure: computed from the stored observations. Shown by
/// the review app and by `steward policy shadow-report`.
public struct ShadowReport: Sendable {
    /// One rule in one week: how many messages it would newly stop (the candidate's rule) or
    /// would no longer stop (the live rule).
    public struct Row: Sendable, Hashable {
        public var rule: String
        public var week: ISOWeek
        public var wouldHold = 0
        public var wouldPass = 0
    }

    public var branch: String
    public var weeks: [ISOWeek]
    /// By rule, then week.
    public var rows: [Row]
    /// Newest first.
    public var messages: [PolicyObservation]

    public init(branch: String, observations: [PolicyObservation], weeks count: Int, now: Date, calendar: Calendar) {
        self.branch = branch
        let window = BranchFigures.window(weeks: count, now: now, calendar: calendar)
        weeks = window.weeks
        let inWindow = Set(weeks)
        let shown = observations.filter {
            $0.branch == branch && $0.kind != .logged && inWindow.contains(ISOWeek($0.at, calendar: calendar))
        }
        struct Key: Hashable { var rule: String, week: ISOWeek }
        var counts: [Key: Row] = [:]
        for observation in shown {
            let week = ISOWeek(observation.at, calendar: calendar)
            for rule in Self.decidingRules(observation) {
                let key = Key(rule: rule, week: week)
                var row = counts[key] ?? Row(rule: rule, week: week)
                if observation.kind == .candidateWouldHold { row.wouldHold += 1 } else { row.wouldPass += 1 }
                counts[key] = row
            }
        }
        rows = counts.values.sorted { ($0.rule, $0.week) < ($1.rule, $1.week) }
        messages = shown.sorted { ($0.at, $0.id) > ($1.at, $1.id) }
    }

    /// The rules behind the difference: the candidate's that would stop the message, or the
    /// live ones that stopped it and the candidate would not.
    public static func decidingRules(_ observation: PolicyObservation) -> [String] {
        let side = observation.kind == .candidateWouldHold ? observation.candidateRules : observation.rules
        let names = side.filter { $0.action == .quarantine || $0.action == .reject }.map(\.name)
        return Array(Set(names)).sorted()
    }

    public static func load(
        from store: any QuarantineStore, branch: String, weeks: Int, now: Date, calendar: Calendar
    ) async throws(QuarantineError) -> ShadowReport {
        let start = BranchFigures.window(weeks: weeks, now: now, calendar: calendar).start
        let observations = try await (store as? any PolicyObservationStore)?
            .observations(branch: branch, kinds: [.candidateWouldHold, .candidateWouldPass], since: start) ?? []
        return ShadowReport(branch: branch, observations: observations, weeks: weeks, now: now, calendar: calendar)
    }
}
