import Foundation
import Logging
import StewardCore
import StewardEngine
import StewardTestSupport
import Testing

/// Issue 15: a rule in monitor mode (`action: log`) marks mail with X-Steward-Findings only
/// while it stays inside the union; mail leaving the union never tells the outside recipient
/// what the union flagged.
@Suite struct MonitorModeTests {
    static func filter() throws -> (MessageFilter, TemporaryDirectory) {
        let directory = try TemporaryDirectory("monitor")
        let policies = directory.url.appendingPathComponent("Policies")
        try FileManager.default.copyItem(at: PackagePaths.policies, to: policies)
        try "branch: london\nrules:\n  eicar-test-signature:\n    action: log\n  risky-file-name:\n    action: log\n"
            .write(to: policies.appendingPathComponent("branches/london.yaml"), atomically: true, encoding: .utf8)
        let holder = try PolicyHolder(directory: policies)
        return (MessageFilter(policy: holder, store: nil, logger: Logger(label: "test")), directory)
    }

    static func findingsHeaderAdded(_ decision: Decision) -> Bool {
        decision.modifications.contains {
            if case .add(let name, _) = $0 { return name == "X-Steward-Findings" }
            return false
        }
    }

    static func message(to: String) -> [UInt8] {
        SampleMessage.eicarAttachment(from: "chris.lee@london.union.example", to: to).bytes
    }

    @Test("inside the union the logged finding is marked on the message")
    func insideIsMarked() throws {
        let (filter, directory) = try Self.filter()
        defer { _ = directory }
        let envelope = Envelope(sender: "chris.lee@london.union.example", recipients: ["bob@london.union.example"], authUser: "clee", clientAddress: "127.0.0.1")
        let decision = filter.decide(.bytes(Self.message(to: "bob@london.union.example")), envelope: envelope)
        #expect(decision.verdict.action == .tag)
        #expect(Self.findingsHeaderAdded(decision))
    }

    @Test("mail leaving the union is never marked, also when one recipient of several is outside")
    func leavingIsNotMarked() throws {
        let (filter, directory) = try Self.filter()
        defer { _ = directory }
        let envelope = Envelope(
            sender: "chris.lee@london.union.example", recipients: ["bob@london.union.example", "carol@partner.example"],
            authUser: "clee", clientAddress: "127.0.0.1")
        let decision = filter.decide(.bytes(Self.message(to: "carol@partner.example")), envelope: envelope)
        #expect(decision.verdict.action == .tag, "\(decision.verdict.findings)")
        #expect(!Self.findingsHeaderAdded(decision))
    }
}
