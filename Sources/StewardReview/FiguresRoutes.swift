import Foundation
import Hummingbird
import StewardQuarantine

/// `GET /branches/{branch}/figures?weeks=N`: per rule and per ISO week, how many messages the
/// branch's rules held, and how many officials released (likely false positives) or refused,
/// with the chart drawn on the server, and each rule's release rate over the last 4 and 13 weeks
/// (the false-hold signal a branch tunes on). 403 for a branch the reviewer does not serve.
struct FiguresRoutes {
    let app: ReviewApp

    static let defaultWeeks = 12
    static let maximumWeeks = 53

    struct RuleRow {
        var family: String
        var rule: String
        var clause: String
        var holds: Int
        var releases: Int
        var refusals: Int
        var logged: Int
        var releaseShare: String
    }

    struct WeekRow {
        var week: String
        var rule: String?
        var holds: Int
        var releases: Int
        var refusals: Int
        var logged: Int
        var releaseShare: String
    }

    /// A rule's release rate over the last 4 and 13 weeks, and whether its holds are mostly released.
    struct RateRow {
        var family: String
        var rule: String
        var holds4: Int
        var share4: String
        var holds13: Int
        var share13: String
        var flagged: Bool
    }

    /// The two periods of the release rate, in weeks.
    static let ratePeriods = (short: 4, long: 13)
    /// Fewer holds than this say too little to flag a rule.
    static let flagMinimum = 3

    struct WeekChoice {
        var value: Int
        var selected: Bool
    }

    struct FiguresPage {
        var frame: Frame
        var branch: String
        var branchName: String
        var period: String
        var chart: String
        var rules: [RuleRow]
        var weeks: [WeekRow]
        var ruleWeeks: [WeekRow]
        var empty: Bool
        var weekChoices: [WeekChoice]
        var rates: [RateRow]
        var flagMinimum: Int
    }

    func add(to router: Router<ReviewContext>) {
        router.get("/branches/:branch/figures") { request, context in
            let branch = try app.servedBranch(context)
            let asked = request.uri.queryParameters.get("weeks").flatMap { Int($0) } ?? Self.defaultWeeks
            let weeks = min(max(asked, 1), Self.maximumWeeks)
            let calendar = BranchFigures.calendar(timeZone: TimeZone(identifier: "UTC")!)
            let figures = try await BranchFigures.load(from: app.store, branch: branch, weeks: weeks, now: app.now(), calendar: calendar)
            let recent = try await BranchFigures.load(from: app.store, branch: branch, weeks: Self.ratePeriods.long, now: app.now(), calendar: calendar)
            let page = FiguresPage(
                frame: app.frame(title: "Figures for \(app.branchName(branch))", context: context),
                branch: branch, branchName: app.branchName(branch), period: FiguresChart.axisCaption(figures), chart: FiguresChart.svg(figures),
                rules: figures.rules.map(Self.ruleRow), weeks: zip(figures.weeks, figures.perWeek).map { Self.weekRow($0, nil, $1) },
                ruleWeeks: figures.rules.flatMap { rule in
                    zip(figures.weeks, rule.perWeek).filter { $0.1.holds > 0 || $0.1.logged > 0 }.map { Self.weekRow($0, "\(rule.family) / \(rule.rule)", $1) }
                },
                empty: figures.total.holds == 0 && figures.total.logged == 0,
                weekChoices: [4, 12, 26, 52].map { WeekChoice(value: $0, selected: $0 == weeks) },
                rates: Self.rates(recent), flagMinimum: Self.flagMinimum)
            return app.pages.render("figures", page)
        }
    }

    /// Per rule that held something in the last 13 weeks: its release share over the last 4 and
    /// 13; flagged when more than half of at least `flagMinimum` holds were released in either.
    static func rates(_ figures: BranchFigures) -> [RateRow] {
        figures.rules.compactMap { rule in
            let long = rule.total
            guard long.holds > 0 else { return nil }
            let short = rule.perWeek.suffix(ratePeriods.short).reduce(DecisionCounts()) {
                DecisionCounts(holds: $0.holds + $1.holds, releases: $0.releases + $1.releases)
            }
            func mostlyReleased(_ counts: DecisionCounts) -> Bool { counts.holds >= flagMinimum && counts.releases * 2 > counts.holds }
            return RateRow(
                family: rule.family, rule: rule.rule, holds4: short.holds, share4: share(short), holds13: long.holds, share13: share(long),
                flagged: mostlyReleased(short) || mostlyReleased(long))
        }
    }

    static func ruleRow(_ rule: RuleFigures) -> RuleRow {
        let total = rule.total
        return RuleRow(
            family: rule.family, rule: rule.rule, clause: rule.clause, holds: total.holds, releases: total.releases,
            refusals: total.refusals, logged: total.logged, releaseShare: share(total))
    }

    static func weekRow(_ week: ISOWeek, _ rule: String?, _ counts: DecisionCounts) -> WeekRow {
        WeekRow(
            week: week.description, rule: rule, holds: counts.holds, releases: counts.releases, refusals: counts.refusals,
            logged: counts.logged, releaseShare: share(counts))
    }

    static func share(_ counts: DecisionCounts) -> String {
        counts.releasePercent.map { "\($0)%" } ?? "–"
    }
}
