import ArgumentParser
import Foundation
import StewardQuarantine
import StewardReview

/// `steward quarantine figures BRANCH`: the review app's figures page as text: per rule and
/// per ISO week, what the branch's rules held, what officials decided, and what rules in
/// monitor mode (`log`) matched.
struct FiguresCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "figures",
        abstract: "A branch's figures: holds, releases, refusals and monitor-mode matches (logged) per rule and week.")

    @OptionGroup var options: BranchWeeksOptions

    func run() async throws {
        let (store, branch, weeks) = (options.store, options.branch, options.weeks)
        try checkBranch(branch, store)
        let calendar = BranchFigures.calendar(timeZone: TimeZone(identifier: "UTC")!)
        let figures: BranchFigures
        do {
            figures = try await store.withStore { quarantine throws(QuarantineError) in
                try await BranchFigures.load(from: quarantine, branch: branch, weeks: weeks, now: Date(), calendar: calendar)
            }
        } catch {
            error.exit()
        }
        print(Self.text(figures))
    }

    static func text(_ figures: BranchFigures) -> String {
        let period = "\(figures.weeks.first?.description ?? "") to \(figures.weeks.last?.description ?? ""), UTC"
        var lines = ["Figures for \(figures.branch) (\(period))", ""]
        let header = ["", "held", "released", "refused", "logged", "released %"]
        func row(_ label: String, _ counts: DecisionCounts) -> [String] {
            [label, "\(counts.holds)", "\(counts.releases)", "\(counts.refusals)", "\(counts.logged)", counts.releasePercent.map { "\($0)%" } ?? "-"]
        }
        lines.append("By rule (logged: matched by a rule in monitor mode and let through)")
        lines += table([header] + figures.rules.map { row("\($0.family)/\($0.rule) (\($0.clause))", $0.total) })
        lines.append("")
        lines.append("By week")
        lines += table([header] + zip(figures.weeks, figures.perWeek).map { row($0.description, $1) })
        return lines.joined(separator: "\n")
    }

    /// Columns padded to their widest cell; the first left-aligned, numbers right-aligned.
    static func table(_ rows: [[String]]) -> [String] {
        let widths = (0..<(rows.first?.count ?? 0)).map { column in rows.map { $0[column].count }.max() ?? 0 }
        return rows.map { cells in
            cells.enumerated().map { column, cell in
                let pad = String(repeating: " ", count: widths[column] - cell.count)
                return column == 0 ? cell + pad : pad + cell
            }.joined(separator: "  ")
        }
    }
}

/// A branch and a number of weeks up to this one: what figures and shadow reports cover.
struct BranchWeeksOptions: ParsableArguments {
    @OptionGroup var store: StoreOptions
    @Argument(help: "The branch id.") var branch: String
    @Option(help: "Weeks to cover, up to this one (1 to 53).") var weeks: Int = 12

    func validate() throws {
        guard (1...53).contains(weeks) else { throw ValidationError("--weeks is 1 to 53") }
    }
}
