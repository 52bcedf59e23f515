import Foundation
import Logging
import StewardCore
import StewardEngine
import StewardQuarantine
import StewardTestSupport
import Testing

/// Issue 15: a rule in monitor mode (`action: log`) lets mail through; its match is recorded as
/// metadata and counted in the branch's figures. The X-Steward-Findings header is a setting
/// (`monitor: findings_header`, off by default) and never goes on mail leaving the union.
@Suite struct MonitorModeTests {
    struct Setup {
        var filter: MessageFilter
        var store: SQLiteQuarantineStore
        var directory: TemporaryDirectory
    }

    static func setup(findingsHeader: Bool? = nil) throws -> Setup {
        let directory = try TemporaryDirectory("monitor")
        let policies = directory.url.appendingPathComponent("Policies")
        try FileManager.default.copyItem(at: PackagePaths.policies, to: policies)
        let monitor = findingsHeader.map { "monitor:\n  findings_header: \($0)\n" } ?? ""
        try ("branch: london\n" + monitor + "rules:\n  eicar-test-signature:\n    action: log\n  risky-file-name:\n    action: log\n")
            .write(to: policies.appendingPathComponent("branches/london.yaml"), atomically: true, encoding: .utf8)
        let holder = try PolicyHolder(directory: policies)
        let store = try SQLiteQuarantineStore(path: directory.url.appendingPathComponent("quarantine.sqlite").path)
        return Setup(filter: MessageFilter(policy: holder, store: store, logger: Logger(label: "test")), store: store, directory: directory)
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

    static let inside = Envelope(sender: "chris.lee@london.union.example", recipients: ["bob@london.union.example"], authUser: "clee", clientAddress: "127.0.0.1")

    @Test("by default nothing is added to the message, also inside the union")
    func insideIsNotMarkedByDefault() async throws {
        let setup = try Self.setup()
        let decision = await setup.filter.decide(.bytes(Self.message(to: "bob@london.union.example")), envelope: Self.inside)
        #expect(decision.verdict.action == .tag)
        #expect(!Self.findingsHeaderAdded(decision))
    }

    @Test("with findings_header on, mail staying inside the union is marked")
    func insideIsMarkedWhenAsked() async throws {
        let setup = try Self.setup(findingsHeader: true)
        let decision = await setup.filter.decide(.bytes(Self.message(to: "bob@london.union.example")), envelope: Self.inside)
        #expect(decision.verdict.action == .tag)
        #expect(Self.findingsHeaderAdded(decision))
    }

    @Test("mail leaving the union is never marked, also when one recipient of several is outside and the header is on")
    func leavingIsNotMarked() async throws {
        let setup = try Self.setup(findingsHeader: true)
        let envelope = Envelope(
            sender: "chris.lee@london.union.example", recipients: ["bob@london.union.example", "carol@partner.example"],
            authUser: "clee", clientAddress: "127.0.0.1")
        let decision = await setup.filter.decide(.bytes(Self.message(to: "carol@partner.example")), envelope: envelope)
        #expect(decision.verdict.action == .tag, "\(decision.verdict.findings)")
        #expect(!Self.findingsHeaderAdded(decision))
    }

    @Test("a logged match is recorded as metadata only")
    func loggedMatchIsRecordedAndCounted() async throws {
        let setup = try Self.setup()
        let envelope = Envelope(
            sender: "chris.lee@london.union.example", recipients: ["carol@partner.example"], authUser: "clee", clientAddress: "127.0.0.1")
        let raw = Self.message(to: "carol@partner.example")
        let decision = await setup.filter.decide(.bytes(raw), envelope: envelope)
        #expect(decision.verdict.action == .tag)
        #expect(decision.heldID == nil)
        #expect(try await setup.store.list(limit: 10).isEmpty, "nothing is held")

        let observed = try await setup.store.observations(branch: "london", kinds: [.logged], since: .distantPast)
        let one = try #require(observed.first)
        #expect(observed.count == 1)
        #expect(one.direction == .outgoing && one.sender == envelope.sender && one.recipients == envelope.recipients)
        #expect(one.rules.map(\.rule).contains("eicar-test-signature"))
        #expect(one.rules.allSatisfy { $0.action == .tag })
        #expect(!one.partNames.isEmpty)
        // Never content: the stored record holds no line of the body or attachment.
        let stored = try Command.run("sqlite3", [setup.directory.url.appendingPathComponent("quarantine.sqlite").path, "SELECT record FROM policy_observation"]).output
        #expect(!stored.contains("ANTIVIRUS-TEST-FILE"), "\(stored)")
        for finding in decision.verdict.findings { #expect(!stored.contains(finding.detail), "a finding's detail can quote the message") }
    }
}
