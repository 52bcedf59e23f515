import Foundation
import Logging
import StewardCore
import StewardEngine
import StewardQuarantine
import StewardTestSupport
import Testing

/// Issue 15: `steward policy backtest` re-judges stored messages under another policy with their
/// stored envelope, and says per rule what would change and what officials decided.
@Suite struct BacktestTests {
    @Test func storedMessagesAreRejudgedPerRuleWithTheOfficialsDecisions() async throws {
        let directory = try TemporaryDirectory("backtest")
        let storePath = directory.path("quarantine.sqlite")
        let store = try SQLiteQuarantineStore(path: storePath)
        let filter = MessageFilter(policy: try PolicyHolder(directory: PackagePaths.policies), store: store, logger: Logger(label: "test"))
        let member = "chris.lee@london.union.example"
        func hold(to recipients: [String]) async -> Int64 {
            let message = SampleMessage.withAttachment(
                from: member, to: recipients.joined(separator: ", "), subject: "Test", filename: "test.txt", contentType: "text/plain",
                content: Array(SampleMessage.eicar.utf8))
            let decision = await filter.decide(
                .bytes(message.bytes), envelope: Envelope(sender: member, recipients: recipients, authUser: "clee", clientAddress: "127.0.0.1"))
            #expect(decision.heldID != nil, "\(decision.verdict)")
            return decision.heldID ?? -1
        }
        let one = ["bob@london.union.example"]
        let ids = [await hold(to: one), await hold(to: one), await hold(to: one), await hold(to: ["a@london.union.example", "b@london.union.example", "c@london.union.example"])]
        for (id, state) in [(ids[0], HoldState.released), (ids[1], .released), (ids[2], .refused)] {
            let official = "sam.okafor@union.example"
            _ = try await store.apply(state == .released ? .release(by: official, reason: "r") : .refuse(by: official, reason: "r"), to: id)
        }
        #expect(try await store.message(id: ids[3])?.envelope.authUser == "clee", "the login is stored")

        // The other policy: the EICAR rule off for London, mass-mailing's limit down to 2.
        let policies = directory.url.appendingPathComponent("Policies")
        try FileManager.default.copyItem(at: PackagePaths.policies, to: policies)
        try "branch: london\nrules:\n  eicar-test-signature:\n    action: off\n  mass-mailing:\n    max_recipients: 2\n"
            .write(to: policies.appendingPathComponent("branches/london.yaml"), atomically: true, encoding: .utf8)
        let config = directory.path("steward.yaml")
        try "policy: \(PackagePaths.policies.path)\nstore:\n  sqlite: \(storePath)\nmta:\n  sendmail: /bin/false\nrelease:\n  secret_file: \(directory.path("release.key"))\n"
            .write(toFile: config, atomically: true, encoding: .utf8)
        let run = try Command.run(PackagePaths.stewardBinary.path, ["policy", "backtest", "--policy", policies.path, "--config", config, "--branch", "london"])
        #expect(run.status == 0, "\(run.error)")
        let lines = run.output.split(separator: "\n").map(String.init)
        #expect(lines.contains("4 stored message(s) re-judged"), "\(run.output)")
        #expect(lines.contains("4 stopped by unsafe-attachment/eicar-test-signature would no longer be under the new policy; officials released 2 of them, refused 1, 1 not decided"), "\(run.output)")
        #expect(lines.contains("1 would newly be stopped by usage/mass-mailing; officials released 0 of them, refused 0, 1 not decided"), "\(run.output)")
        #expect(lines.contains("3 held message(s) would pass entirely; officials released 2 of them, refused 1, 0 not decided"), "\(run.output)")

        // An official of another branch may not backtest London's mail.
        let foreign = try Command.run(PackagePaths.stewardBinary.path, [
            "policy", "backtest", "--policy", policies.path, "--config", config, "--branch", "london", "--actor", "secretary@scotland.union.example",
        ])
        #expect(foreign.status == 1 && foreign.error.contains("does not serve branch london"), "\(foreign.error)")
    }
}
