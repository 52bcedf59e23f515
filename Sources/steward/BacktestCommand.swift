import ArgumentParser
import Foundation
import Logging
import StewardCore
import StewardEngine
import StewardPolicy
import StewardQuarantine

/// `steward policy backtest --policy DIR`: the stored messages (held, released, refused, report
/// cases) re-judged with their stored envelope, client address and login under another policy.
struct BacktestCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "backtest",
        abstract: "Re-judge stored messages under another policy; per rule, what would newly be stopped or no longer, and what officials decided.")

    @OptionGroup var store: StoreOptions
    @Option(help: "The policy directory to judge with.") var policy: String
    @Option(help: "Only messages involving this branch.") var branch: String?
    @Option(help: "Only messages held on or after this day (YYYY-MM-DD, UTC).") var since: String?

    func run() async throws {
        let holder: PolicyHolder
        do { holder = try PolicyHolder(directory: URL(fileURLWithPath: policy)) } catch {
            Failure(description: "the policy has problems:\n\(error)").exit()
        }
        var heldSince: Date?
        if let since {
            guard let day = try? Date(since + "T00:00:00Z", strategy: .iso8601) else { throw ValidationError("dates are YYYY-MM-DD (got \"\(since)\")") }
            heldSince = day
        }
        var query = QuarantineQuery(branch: branch, heldSince: heldSince, limit: .max)
        if store.actor != nil {
            let directory = store.policy().directory
            if let branch { try checkBranch(branch, store) } else if !directory.isReviewAdmin(store.who) {
                query.anyOfBranches = directory.branchesServed(by: store.who)
            }
        }
        let filter = MessageFilter(policy: holder, store: nil, logger: Logger(label: "steward.backtest", factory: { _ in SwiftLogNoOpLogHandler() }))
        var backtest = Backtest()
        do {
            try await store.withStore { quarantine throws(QuarantineError) in
                for message in try await quarantine.list(query) {
                    guard let raw = try await quarantine.raw(id: message.id) else {
                        backtest.skipped += 1
                        continue
                    }
                    backtest.add(message, newVerdict: await filter.decide(.bytes(raw), envelope: message.envelope).verdict)
                }
            }
        } catch {
            error.exit()
        }
        for line in backtest.lines { print(line) }
    }
}
