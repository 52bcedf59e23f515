import Foundation
import Logging
import StewardCore
import StewardEngine
import StewardQuarantine
import StewardTestSupport
import Testing

/// Clause 12's rate per login through the engine: the milter's pipeline counts each message in
/// the store, hands the count to the evaluator, holds what is over the limit, and queues one
/// notice for the senior official.
@Suite struct LoginRateFilterTests {
    /// The shipped policy with London allowing `limit` messages an hour per login, in `directory`.
    static func policy(limit: Int, in directory: TemporaryDirectory) throws -> URL {
        let policy = directory.url.appendingPathComponent("Policies")
        try FileManager.default.copyItem(at: PackagePaths.policies, to: policy)
        let london = policy.appendingPathComponent("branches/london.yaml")
        let text = try String(contentsOf: london, encoding: .utf8)
        try (text + "\n  login-rate:\n    max_messages: \(limit)\n").write(to: london, atomically: true, encoding: .utf8)
        return policy
    }

    static func message(_ index: Int, body: String = "The meeting is on Thursday.") -> [UInt8] {
        Array("From: Chris Lee <chris.lee@london.union.example>\r\nTo: bob@london.union.example\r\nSubject: note \(index)\r\n\r\n\(body)\r\n".utf8)
    }

    @Test func messagesOverTheLimitAreHeldAndTheOfficialIsToldOnce() async throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("steward-rate-filter-\(UUID().uuidString)/q.sqlite").path
        let store = try SQLiteQuarantineStore(path: path)
        let directory = try TemporaryDirectory("rate-policy")
        defer { withExtendedLifetime(directory) {} }
        let filter = MessageFilter(
            policy: try PolicyHolder(directory: try Self.policy(limit: 3, in: directory)), store: store, logger: Logger(label: "test"))
        let envelope = Envelope(
            sender: "chris.lee@london.union.example", recipients: ["bob@london.union.example"], authUser: "clee", clientAddress: "203.0.113.9")

        var actions: [Action] = []
        for index in 1...5 { actions.append(await filter.decide(.bytes(Self.message(index)), envelope: envelope).verdict.action) }
        #expect(actions == [.accept, .accept, .accept, .quarantine, .quarantine])
        let held = try await store.list(limit: 10)
        #expect(held.map { $0.verdict.findings.map(\.detail) }.sorted { $0.description < $1.description } == [
            ["4th message from login clee in the last hour; the branch allows 3"],
            ["5th message from login clee in the last hour; the branch allows 3"],
        ])
        // One notice for London's senior official (and one for the deputy), nothing per message,
        // nothing to the sender.
        let notices = try await store.pendingNotices().map(\.notice)
        #expect(Set(notices.map(\.template)) == ["rate-limit"], "\(notices)")
        #expect(notices.map(\.recipient).sorted() == ["chris.lee@london.union.example", "sam.okafor@union.example"])

        // A message over the limit that also breaks another rule is told about as usual.
        let chain = await filter.decide(.bytes(Self.message(6, body: "Forward this to 10 people!")), envelope: envelope)
        #expect(chain.verdict.action == .quarantine)
        #expect(Set(chain.verdict.findings.map(\.rule)) == ["login-rate", "chain-letter"])
        let after = try await store.pendingNotices().map(\.notice)
        #expect(after.filter { $0.template == "rate-limit" }.count == 2, "still one rate notice per official")
        #expect(after.contains { $0.template == "held" && $0.recipient == "sam.okafor@union.example" })
    }

    @Test func offlineCheckCountsNothing() async throws {
        let directory = try TemporaryDirectory("rate-policy")
        defer { withExtendedLifetime(directory) {} }
        let filter = MessageFilter(policy: try PolicyHolder(directory: try Self.policy(limit: 1, in: directory)), store: nil, logger: Logger(label: "test"))
        let envelope = Envelope(sender: "chris.lee@london.union.example", recipients: ["bob@london.union.example"], authUser: "clee", clientAddress: "203.0.113.9")
        for index in 1...3 { #expect(await filter.decide(.bytes(Self.message(index)), envelope: envelope).verdict.action == .accept) }
    }
}
