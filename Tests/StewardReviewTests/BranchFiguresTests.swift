import Foundation
import StewardCore
import StewardQuarantine
import StewardReview
import Testing

/// Per-rule, per-week figures for tuning, and the SVG chart drawn from them.
@Suite struct BranchFiguresTests {
    static let utc = BranchFigures.calendar(timeZone: TimeZone(identifier: "UTC")!)

    /// 2026-11-18 12:00 UTC, a Wednesday in ISO week 2026-W47.
    static let now = date("2026-11-18T12:00:00Z")

    static func date(_ text: String) -> Date {
        ISO8601DateFormatter().date(from: text)!
    }

    static func finding(_ rule: String, family: String = "unsafe-attachment", branch: String = "london", action: Action = .quarantine, clause: String = "10(f)") -> Finding {
        Finding(kind: family, rule: rule, clause: clause, detail: "found", branch: branch, action: action)
    }

    static func message(_ id: Int64, at: String, _ findings: [Finding], kind: HoldKind = .hold) -> HeldMessage {
        HeldMessage(
            id: id, kind: kind, heldAt: date(at), envelope: Envelope(sender: "a@example.org", recipients: ["b@union.example"]),
            verdict: Verdict(action: .quarantine, direction: .incoming, branches: Array(Set(findings.map(\.branch))).sorted(), findings: findings),
            sha256: "", size: 1, state: .held)
    }

    static func audit(_ sequence: Int64, _ action: AuditAction, message: Int64) -> AuditEntry {
        AuditEntry(
            sequence: sequence, entry: NewAuditEntry(at: now, actor: "sam.okafor@union.example", action: action, messageID: message),
            previousHash: "", hash: "")
    }

    // MARK: weeks

    @Test func isoWeeksAtTheEdges() {
        let cal = Self.utc
        #expect(ISOWeek(Self.date("2026-11-16T00:00:00Z"), calendar: cal) == ISOWeek(year: 2026, week: 47))
        #expect(ISOWeek(Self.date("2026-11-15T23:59:59Z"), calendar: cal) == ISOWeek(year: 2026, week: 46))
        // 1 January 2027 is a Friday: it belongs to the last week of 2026, which is week 53.
        #expect(ISOWeek(Self.date("2027-01-01T10:00:00Z"), calendar: cal) == ISOWeek(year: 2026, week: 53))
        // 29 December 2025 is a Monday in week 1 of 2026.
        #expect(ISOWeek(Self.date("2025-12-29T10:00:00Z"), calendar: cal) == ISOWeek(year: 2026, week: 1))
        #expect(ISOWeek(year: 2026, week: 7).description == "2026-W07")
        #expect(ISOWeek(year: 2025, week: 52) < ISOWeek(year: 2026, week: 1))
    }

    @Test func weeksFollowTheGivenClock() {
        // Sunday 23:30 UTC is already Monday 00:30 in London in summer time.
        let london = BranchFigures.calendar(timeZone: TimeZone(identifier: "Europe/London")!)
        let moment = Self.date("2026-06-14T23:30:00Z")
        #expect(ISOWeek(moment, calendar: Self.utc) == ISOWeek(year: 2026, week: 24))
        #expect(ISOWeek(moment, calendar: london) == ISOWeek(year: 2026, week: 25))
    }

    @Test func windowEndsWithTheCurrentWeekAndCrossesTheYear() {
        let window = BranchFigures.window(weeks: 4, now: Self.date("2027-01-06T09:00:00Z"), calendar: Self.utc)
        #expect(window.weeks.map(\.description) == ["2026-W51", "2026-W52", "2026-W53", "2027-W01"])
        #expect(window.start == Self.date("2026-12-14T00:00:00Z"))
    }

    // MARK: counting

    @Test func countsPerRuleAndWeekByTheWeekOfTheHold() {
        let messages = [
            Self.message(1, at: "2026-11-16T09:00:00Z", [Self.finding("exe")]),
            Self.message(2, at: "2026-11-17T09:00:00Z", [Self.finding("exe")]),
            Self.message(3, at: "2026-11-10T09:00:00Z", [Self.finding("exe"), Self.finding("macro")]),
            Self.message(4, at: "2026-11-11T09:00:00Z", [Self.finding("macro")]),
            // Held before the window: left out even though it was released this week.
            Self.message(5, at: "2026-09-01T09:00:00Z", [Self.finding("exe")]),
        ]
        let audit = [
            Self.audit(1, .hold, message: 1), Self.audit(2, .release, message: 1), Self.audit(3, .view, message: 2),
            Self.audit(4, .refuse, message: 3), Self.audit(5, .release, message: 5), Self.audit(6, .releaseDelivered, message: 1),
        ]
        let figures = BranchFigures(branch: "london", messages: messages, audit: audit, weeks: 3, now: Self.now, calendar: Self.utc)
        #expect(figures.weeks.map(\.description) == ["2026-W45", "2026-W46", "2026-W47"])
        #expect(figures.rules.map(\.rule) == ["exe", "macro"])
        let exe = figures.rules[0]
        #expect(exe.perWeek == [DecisionCounts(), DecisionCounts(holds: 1, refusals: 1), DecisionCounts(holds: 2, releases: 1)])
        #expect(exe.total == DecisionCounts(holds: 3, releases: 1, refusals: 1))
        #expect(exe.total.releasePercent == 33)
        let macro = figures.rules[1]
        #expect(macro.perWeek == [DecisionCounts(), DecisionCounts(holds: 2, refusals: 1), DecisionCounts()])
        // Message 3 was held by two rules: it counts once in the week's totals.
        #expect(figures.perWeek == [DecisionCounts(), DecisionCounts(holds: 2, refusals: 1), DecisionCounts(holds: 2, releases: 1)])
        #expect(figures.total == DecisionCounts(holds: 4, releases: 1, refusals: 1))
    }

    @Test func theLastDecisionOnTheTrailCounts() {
        let messages = [Self.message(1, at: "2026-11-16T09:00:00Z", [Self.finding("exe")])]
        let refusedThenReleased = [Self.audit(9, .release, message: 1), Self.audit(4, .refuse, message: 1)]
        let figures = BranchFigures(branch: "london", messages: messages, audit: refusedThenReleased, weeks: 1, now: Self.now, calendar: Self.utc)
        #expect(figures.rules.first?.total == DecisionCounts(holds: 1, releases: 1))
    }

    @Test func onlyThisBranchsHoldingRulesAndNoReportsCount() {
        let messages = [
            // Scotland's rule held it; London only tagged it: not London's to tune.
            Self.message(1, at: "2026-11-16T09:00:00Z", [Self.finding("exe", branch: "scotland"), Self.finding("link", branch: "london", action: .tag)]),
            Self.message(2, at: "2026-11-16T09:00:00Z", [Self.finding("exe", branch: "scotland"), Self.finding("lookalike", family: "impersonation", branch: "london")]),
            Self.message(3, at: "2026-11-16T09:00:00Z", [Self.finding("exe")], kind: .report),
        ]
        let figures = BranchFigures(branch: "london", messages: messages, audit: [], weeks: 2, now: Self.now, calendar: Self.utc)
        #expect(figures.rules.map { "\($0.family)/\($0.rule)" } == ["impersonation/lookalike"])
        #expect(figures.total == DecisionCounts(holds: 1))
    }

    @Test func clauseComesFromTheLatestHold() {
        let messages = [
            Self.message(1, at: "2026-11-16T09:00:00Z", [Self.finding("exe", clause: "10(f)(viii)")]),
            Self.message(2, at: "2026-11-10T09:00:00Z", [Self.finding("exe", clause: "10(f)")]),
        ]
        let figures = BranchFigures(branch: "london", messages: messages, audit: [], weeks: 2, now: Self.now, calendar: Self.utc)
        #expect(figures.rules.first?.clause == "10(f)(viii)")
    }

    @Test func rulesAreOrderedByHoldsThenName() {
        let messages = [
            Self.message(1, at: "2026-11-16T09:00:00Z", [Self.finding("b")]),
            Self.message(2, at: "2026-11-16T09:00:00Z", [Self.finding("a")]),
            Self.message(3, at: "2026-11-16T09:00:00Z", [Self.finding("c")]),
            Self.message(4, at: "2026-11-17T09:00:00Z", [Self.finding("c")]),
        ]
        let figures = BranchFigures(branch: "london", messages: messages, audit: [], weeks: 1, now: Self.now, calendar: Self.utc)
        #expect(figures.rules.map(\.rule) == ["c", "a", "b"])
    }

    // MARK: chart

    @Test func chartIsAnAccessibleSVGWithBarsInProportion() throws {
        let messages = (1...4).map { Self.message(Int64($0), at: "2026-11-16T09:00:00Z", [Self.finding("exe")]) }
            + [Self.message(5, at: "2026-11-10T09:00:00Z", [Self.finding("exe")])]
        let audit = [Self.audit(1, .release, message: 1), Self.audit(2, .release, message: 2), Self.audit(3, .refuse, message: 5)]
        let figures = BranchFigures(branch: "london", messages: messages, audit: audit, weeks: 2, now: Self.now, calendar: Self.utc)
        let svg = FiguresChart.svg(figures)
        #expect(svg.hasPrefix(#"<svg id="figures-chart" role="img""#))
        #expect(svg.hasSuffix("</svg>"))
        #expect(svg.contains(#"aria-label="Branch london, weeks 2026-W46 to 2026-W47: 5 held, 2 released, 1 refused; most holds in 2026-W47 (4)."#))
        // Scale top is 5 (round number ≥ 4): 4 holds are 4/5 of 160 units tall, 2 releases 2/5.
        #expect(svg.contains(##"height="128" fill="#1f4e8c"><title>2026-W47: 4 holds</title>"##))
        #expect(svg.contains(##"height="64" fill="#a34700"><title>2026-W47: 2 releases</title>"##))
        #expect(svg.contains(##"height="32" fill="#5b2a86"><title>2026-W46: 1 refusal</title>"##))
        #expect(svg.contains(">W46</text>") && svg.contains(">W47</text>"))
        // Nothing that runs, loads or styles inline.
        for forbidden in ["<script", "style=", "href", "url(", "on"+"load"] {
            #expect(!svg.contains(forbidden), "\(forbidden) in chart")
        }
    }

    @Test func chartTextIsEscaped() {
        let figures = BranchFigures(branch: #"<script>x</script>"&"#, messages: [], audit: [], weeks: 1, now: Self.now, calendar: Self.utc)
        let svg = FiguresChart.svg(figures)
        #expect(!svg.contains("<script"))
        #expect(svg.contains(#"aria-label="Branch &lt;script&gt;x&lt;/script&gt;&quot;&amp;: no messages held week 2026-W47.""#))
    }

    @Test func aYearOfWeeksKeepsTheChartsSizeAndThinsTheLabels() {
        let messages = [Self.message(1, at: "2026-11-16T09:00:00Z", [Self.finding("exe")])]
        let year = FiguresChart.svg(BranchFigures(branch: "london", messages: messages, audit: [], weeks: 52, now: Self.now, calendar: Self.utc))
        let month = FiguresChart.svg(BranchFigures(branch: "london", messages: messages, audit: [], weeks: 4, now: Self.now, calendar: Self.utc))
        let viewBox = #"viewBox="0 0 610 230""#
        #expect(year.contains(viewBox) && month.contains(viewBox))
        let labels = year.components(separatedBy: ">W").count - 1
        #expect(labels == 13, "52 weeks labelled every 4th: \(labels)")
        #expect(year.contains(">W47</text>"), "the current week is labelled")
        #expect(!year.contains(">W46</text>"))
        #expect(month.components(separatedBy: ">W").count - 1 == 4)
        // Bars never wider than 24 units, however few the weeks.
        #expect(month.contains(#"width="21.6" height="160""#))
    }

    @Test func emptyChartStillHasAScaleAndNoBars() {
        let figures = BranchFigures(branch: "london", messages: [], audit: [], weeks: 12, now: Self.now, calendar: Self.utc)
        let svg = FiguresChart.svg(figures)
        #expect(figures.weeks.count == 12)
        #expect(!svg.contains("<title>2026"))
        #expect(svg.components(separatedBy: ">W").count - 1 == 12)
    }
}

/// Monitor mode: rules set to `log` count what they would have held, beside the holds.
@Suite struct LoggedFiguresTests {
    static func logged(_ at: String, branch: String = "london", rules: [String]) -> PolicyObservation {
        PolicyObservation(
            at: BranchFiguresTests.date(at), kind: .logged, branch: branch, direction: .outgoing, branches: [branch],
            sender: "a@london.union.example", recipients: ["b@partner.example"], subject: "s", partNames: [],
            rules: rules.map { RuleMention(kind: "confidential", rule: $0, clause: "10(b)", action: .tag) })
    }

    @Test func loggedMatchesCountPerRuleAndWeekBesideHolds() throws {
        let messages = [BranchFiguresTests.message(1, at: "2026-11-17T10:00:00Z", [BranchFiguresTests.finding("executable")])]
        let observations = [
            Self.logged("2026-11-17T09:00:00Z", rules: ["bulk-personal-data", "confidential-marker"]),
            Self.logged("2026-11-10T09:00:00Z", rules: ["bulk-personal-data"]),
            Self.logged("2026-11-10T09:00:00Z", branch: "scotland", rules: ["bulk-personal-data"]),
            Self.logged("2026-01-10T09:00:00Z", rules: ["bulk-personal-data"]),
        ]
        let figures = BranchFigures(
            branch: "london", messages: messages, audit: [], observations: observations, weeks: 4, now: BranchFiguresTests.now,
            calendar: BranchFiguresTests.utc)
        #expect(figures.perWeek.map(\.logged) == [0, 0, 1, 1], "only this branch, only in the window, a message once per week")
        #expect(figures.total.holds == 1)
        #expect(figures.rules.map(\.rule) == ["executable", "bulk-personal-data", "confidential-marker"])
        #expect(figures.rules[1].total == DecisionCounts(logged: 2))
        #expect(figures.rules[1].clause == "10(b)")
        #expect(figures.rules[0].total.logged == 0)
    }
}
