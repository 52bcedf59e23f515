import ArgumentParser
import Foundation
import StewardCore
import StewardEngine
import StewardPolicy
import StewardQuarantine
import StewardReview

/// `steward policy shadow-report BRANCH`: where the branch's candidate policy disagreed with
/// the live one, by rule and week, and the messages concerned (metadata only).
struct ShadowReportCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "shadow-report",
        abstract: "Where a branch's candidate policy (branches/BRANCH.candidate.yaml) disagreed with the live one.")

    @OptionGroup var options: BranchWeeksOptions

    func run() async throws {
        let (store, branch, weeks) = (options.store, options.branch, options.weeks)
        try checkBranch(branch, store)
        let calendar = BranchFigures.calendar(timeZone: TimeZone(identifier: "UTC")!)
        let report: ShadowReport
        do {
            report = try await store.withStore { quarantine throws(QuarantineError) in
                try await ShadowReport.load(from: quarantine, branch: branch, weeks: weeks, now: Date(), calendar: calendar)
            }
        } catch {
            error.exit()
        }
        let candidate = CandidatePolicy(directory: store.settings().policyDirectory, branch: branch)
        print(Self.text(report, hasCandidate: candidate.candidateText() != nil))
    }

    static func text(_ report: ShadowReport, hasCandidate: Bool) -> String {
        let period = "\(report.weeks.first?.description ?? "") to \(report.weeks.last?.description ?? ""), UTC"
        var lines = ["Shadow report for \(report.branch) (\(period))"]
        if !hasCandidate { lines.append("The branch has no candidate policy now (branches/\(report.branch).candidate.yaml).") }
        lines.append("")
        guard !report.messages.isEmpty else {
            lines.append("No differences: the candidate judged every message as the live policy did.")
            return lines.joined(separator: "\n")
        }
        lines.append("By rule and week (would hold: the candidate would stop what the live policy passed; would pass: the reverse)")
        lines += FiguresCommand.table(
            [["rule", "week", "would hold", "would pass"]]
                + report.rows.map { [$0.rule, $0.week.description, "\($0.wouldHold)", "\($0.wouldPass)"] })
        lines.append("")
        lines.append("Messages (newest first)")
        for message in report.messages {
            let side = message.kind == .candidateWouldHold ? "candidate would hold, live passed" : "candidate would pass, live held"
            let rules = { (mentions: [RuleMention]) in mentions.isEmpty ? "-" : mentions.map { "\($0.name) (\($0.action == .tag ? "log" : $0.action.rawValue))" }.joined(separator: ", ") }
            lines.append(
                "\(message.at.formatted(.iso8601)) \(side)\(message.heldID.map { ", held as #\($0)" } ?? "")")
            lines.append(
                "    \(message.direction.rawValue) from <\(shown(message.sender))> to \(message.recipients.map { "<\(shown($0))>" }.joined(separator: ", "))"
                    + " subject \"\(shown(message.subject))\"")
            if !message.partNames.isEmpty { lines.append("    parts: \(message.partNames.map(shown).joined(separator: ", "))") }
            lines.append("    live: \(rules(message.rules)); candidate: \(rules(message.candidateRules))")
        }
        return lines.joined(separator: "\n")
    }
}

/// `steward policy promote BRANCH` and `discard BRANCH`.
struct PromoteCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "promote",
        abstract: "Make a branch's candidate policy its live one (checked, audited with the change; running Stewards reload).")

    @OptionGroup var options: CandidateOptions

    func run() async throws {
        let (candidate, store, branch) = try options.candidate()
        do {
            let change = try await store.withStore { quarantine throws(CandidatePolicy.Failure) in try await candidate.promote(store: quarantine, actor: store.who, reason: options.reason) }
            print("branch \(branch): candidate promoted; running Stewards reload it within a second\n\(change)")
        } catch {
            Failure(description: error.description).exit()
        }
    }
}

struct DiscardCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "discard", abstract: "Throw away a branch's candidate policy (audited with what it would have changed).")

    @OptionGroup var options: CandidateOptions

    func run() async throws {
        let (candidate, store, branch) = try options.candidate()
        do {
            _ = try await store.withStore { quarantine throws(CandidatePolicy.Failure) in try await candidate.discard(store: quarantine, actor: store.who, reason: options.reason) }
            print("branch \(branch): candidate discarded")
        } catch {
            Failure(description: error.description).exit()
        }
    }
}

/// Which branch's candidate, who acts and why.
struct CandidateOptions: ParsableArguments {
    @OptionGroup var store: StoreOptions
    @Argument(help: "The branch id.") var branch: String
    @Option(help: "Why (kept on the audit trail).") var reason: String?

    func candidate() throws -> (CandidatePolicy, StoreOptions, String) {
        try checkBranch(branch, store)
        return (CandidatePolicy(directory: store.settings().policyDirectory, branch: branch), store, branch)
    }
}

/// The branch exists, and an official named by --actor serves it.
func checkBranch(_ branch: String, _ store: StoreOptions) throws {
    let directory = store.policy().directory
    guard directory.branch(id: branch) != nil else { throw ValidationError("no branch '\(branch)' in directory.yaml") }
    if store.actor != nil, !directory.isReviewAdmin(store.who), !directory.branchesServed(by: store.who).contains(branch) {
        Failure(description: "\(store.who) does not serve branch \(branch)").exit()
    }
}
