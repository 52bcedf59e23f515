public import Foundation
import StewardCore
public import StewardQuarantine

/// An ISO 8601 week (weeks start on Monday; week 1 holds the year's first Thursday), the unit
/// officials tune rules by.
public struct ISOWeek: Sendable, Hashable, Comparable, CustomStringConvertible {
    public var year: Int
    public var week: Int

    public init(year: Int, week: Int) {
        self.year = year
        self.week = week
    }

    /// The week `date` falls in, on `calendar`'s clock (an ISO 8601 calendar).
    public init(_ date: Date, calendar: Calendar) {
        let parts = calendar.dateComponents([.yearForWeekOfYear, .weekOfYear], from: date)
        self.init(year: parts.yearForWeekOfYear ?? 0, week: parts.weekOfYear ?? 0)
    }

    /// `2026-W07`.
    public var description: String {
        "\(year)-W" + (week < 10 ? "0\(week)" : "\(week)")
    }

    public static func < (lhs: ISOWeek, rhs: ISOWeek) -> Bool {
        (lhs.year, lhs.week) < (rhs.year, rhs.week)
    }
}

/// Holds, releases and refusals: a release means an official judged the hold unnecessary (a
/// likely false positive), a refusal that the rule caught what it should. `logged` counts
/// messages a rule in monitor mode (`action: log`) matched: what it would have held.
public struct DecisionCounts: Sendable, Hashable {
    public var holds = 0
    public var releases = 0
    public var refusals = 0
    public var logged = 0

    public init(holds: Int = 0, releases: Int = 0, refusals: Int = 0, logged: Int = 0) {
        self.holds = holds
        self.releases = releases
        self.refusals = refusals
        self.logged = logged
    }

    /// Share of holds released, in whole percent; nil when nothing was held.
    public var releasePercent: Int? {
        holds == 0 ? nil : Int((Double(releases) * 100 / Double(holds)).rounded())
    }

    static func + (lhs: DecisionCounts, rhs: DecisionCounts) -> DecisionCounts {
        DecisionCounts(
            holds: lhs.holds + rhs.holds, releases: lhs.releases + rhs.releases, refusals: lhs.refusals + rhs.refusals,
            logged: lhs.logged + rhs.logged)
    }
}

/// One rule's figures in a branch.
public struct RuleFigures: Sendable, Hashable {
    /// Detection family (`unsafe-attachment`, …) and rule id within it.
    public var family: String
    public var rule: String
    /// The clause the rule applies (from the latest hold it made).
    public var clause: String
    /// Aligned with `BranchFigures.weeks`.
    public var perWeek: [DecisionCounts]

    public var total: DecisionCounts { perWeek.reduce(DecisionCounts(), +) }
}

/// A branch's figures per rule and per ISO week, for tuning: which rules hold mail that
/// officials then release. Pure: computed from held messages and their audit entries.
///
/// Every count is by the week the message was held, so a week's releases never exceed its
/// holds and the release share reads as that week's false-positive rate. A message counts once
/// under each of this branch's rules that asked for the hold; its outcome is the last release
/// or refusal on its audit trail (a refused message later released counts as released).
/// Member reports (clause 15) are left out: no rule held them. Monitor-mode matches
/// (`PolicyObservation` of kind `logged`) count by the week they were seen, under each rule
/// set to log that matched.
public struct BranchFigures: Sendable, Hashable {
    public var branch: String
    /// Consecutive weeks, oldest first, ending with the current week.
    public var weeks: [ISOWeek]
    /// Rules with at least one hold or monitor-mode match in these weeks, most holds first.
    public var rules: [RuleFigures]

    /// All rules together, per week (a message held by two rules counts once here).
    public var perWeek: [DecisionCounts]

    public var total: DecisionCounts { perWeek.reduce(DecisionCounts(), +) }

    /// The window the figures cover: the last `weeks` ISO weeks up to the one holding `now`.
    public static func window(weeks: Int, now: Date, calendar: Calendar) -> (weeks: [ISOWeek], start: Date) {
        let thisWeek = calendar.dateInterval(of: .weekOfYear, for: now)?.start ?? now
        let count = max(1, weeks)
        let start = calendar.date(byAdding: .weekOfYear, value: -(count - 1), to: thisWeek) ?? thisWeek
        let list = (0..<count).map { offset in
            ISOWeek(calendar.date(byAdding: .weekOfYear, value: offset, to: start) ?? start, calendar: calendar)
        }
        return (list, start)
    }

    /// An ISO 8601 calendar on the given clock: weeks begin on Monday at midnight there.
    public static func calendar(timeZone: TimeZone) -> Calendar {
        var calendar = Calendar(identifier: .iso8601)
        calendar.timeZone = timeZone
        return calendar
    }

    public init(
        branch: String, messages: [HeldMessage], audit: [AuditEntry], observations: [PolicyObservation] = [], weeks count: Int,
        now: Date, calendar: Calendar
    ) {
        self.branch = branch
        let window = Self.window(weeks: count, now: now, calendar: calendar)
        weeks = window.weeks
        let column = Dictionary(uniqueKeysWithValues: weeks.enumerated().map { ($1, $0) })

        // The last decision on each message, in trail order.
        var outcome: [Int64: AuditAction] = [:]
        for entry in audit.sorted(by: { $0.sequence < $1.sequence }) {
            guard let id = entry.entry.messageID, entry.entry.action == .release || entry.entry.action == .refuse else { continue }
            outcome[id] = entry.entry.action
        }

        struct Key: Hashable { var family: String, rule: String }
        var byRule: [Key: RuleFigures] = [:]
        var latestHold: [Key: Date] = [:]
        var totals = Array(repeating: DecisionCounts(), count: weeks.count)
        for message in messages where message.kind == .hold {
            guard let index = column[ISOWeek(message.heldAt, calendar: calendar)] else { continue }
            let findings = message.verdict.findings.filter { $0.branch == branch && $0.action == .quarantine }
            guard !findings.isEmpty else { continue }
            var counts = DecisionCounts(holds: 1)
            switch outcome[message.id] {
            case .release?: counts.releases = 1
            case .refuse?: counts.refusals = 1
            default: break
            }
            totals[index] = totals[index] + counts
            var seen: Set<Key> = []
            for finding in findings {
                let key = Key(family: finding.kind, rule: finding.rule)
                guard seen.insert(key).inserted else { continue }
                var figures = byRule[key]
                    ?? RuleFigures(family: key.family, rule: key.rule, clause: finding.clause, perWeek: Array(repeating: DecisionCounts(), count: weeks.count))
                figures.perWeek[index] = figures.perWeek[index] + counts
                if message.heldAt >= latestHold[key] ?? .distantPast {
                    latestHold[key] = message.heldAt
                    figures.clause = finding.clause
                }
                byRule[key] = figures
            }
        }
        for observation in observations where observation.kind == .logged && observation.branch == branch {
            guard let index = column[ISOWeek(observation.at, calendar: calendar)] else { continue }
            totals[index].logged += 1
            for mention in Set(observation.rules) {
                let key = Key(family: mention.kind, rule: mention.rule)
                var figures = byRule[key]
                    ?? RuleFigures(family: key.family, rule: key.rule, clause: mention.clause, perWeek: Array(repeating: DecisionCounts(), count: weeks.count))
                figures.perWeek[index].logged += 1
                byRule[key] = figures
            }
        }
        perWeek = totals
        rules = byRule.values.sorted { lhs, rhs in
            let (l, r) = (lhs.total, rhs.total)
            if l.holds != r.holds { return l.holds > r.holds }
            if l.logged != r.logged { return l.logged > r.logged }
            return (lhs.family, lhs.rule) < (rhs.family, rhs.rule)
        }
    }
}

extension BranchFigures {
    /// A branch's figures read from the store: its holds in the window with their decisions, and
    /// its monitor-mode matches when the store keeps them. The review app and the CLI both use it.
    public static func load(
        from store: any QuarantineStore, branch: String, weeks: Int, now: Date, calendar: Calendar
    ) async throws(QuarantineError) -> BranchFigures {
        let window = window(weeks: weeks, now: now, calendar: calendar)
        let messages = try await store.list(QuarantineQuery(branch: branch, kind: .hold, heldSince: window.start, limit: .max))
        let audit = try await store.auditTrail(messageIDs: messages.map(\.id))
        let observations = try await (store as? any PolicyObservationStore)?.observations(branch: branch, kinds: [.logged], since: window.start) ?? []
        return BranchFigures(
            branch: branch, messages: messages, audit: audit, observations: observations, weeks: weeks, now: now, calendar: calendar)
    }
}
