import Foundation
import Logging
import StewardCore
import StewardEngine
import StewardPolicy
import StewardQuarantine
import StewardTestSupport
import Testing

/// Issue 15: a branch's candidate policy (`branches/<id>.candidate.yaml`) is judged beside the
/// live one on every message of the branch without acting; disagreements are recorded
/// (metadata only); promote and discard are checked, audited and picked up by a running Steward.
@Suite struct ShadowPolicyTests {
    struct Setup {
        var policies: URL
        var holder: PolicyHolder
        var filter: MessageFilter
        var store: SQLiteQuarantineStore
        var directory: TemporaryDirectory
    }

    /// London's candidate lowers mass-mailing's limit to 2 recipients and lets the EICAR file through.
    static let candidate = """
        branch: london
        rules:
          inspection-limit:
            action: reject
          mass-mailing:
            max_recipients: 2
          eicar-test-signature:
            action: off
        """

    static func setup(candidate: String? = ShadowPolicyTests.candidate) throws -> Setup {
        let directory = try TemporaryDirectory("shadow")
        let policies = directory.url.appendingPathComponent("Policies")
        try FileManager.default.copyItem(at: PackagePaths.policies, to: policies)
        if let candidate {
            try candidate.write(to: policies.appendingPathComponent("branches/london.candidate.yaml"), atomically: true, encoding: .utf8)
        }
        let holder = try PolicyHolder(directory: policies, stampInterval: 0)
        let store = try SQLiteQuarantineStore(path: directory.url.appendingPathComponent("quarantine.sqlite").path)
        return Setup(
            policies: policies, holder: holder, filter: MessageFilter(policy: holder, store: store, logger: Logger(label: "test")),
            store: store, directory: directory)
    }

    static let member = "chris.lee@london.union.example"
    static let threeColleagues = ["a@london.union.example", "b@london.union.example", "c@london.union.example"]

    static func toThree(_ filter: MessageFilter) async -> Decision {
        let message = SampleMessage.plain(from: member, to: threeColleagues.joined(separator: ", "), subject: "Meeting", text: "See you at 6.")
        return await filter.decide(.bytes(message.bytes), envelope: Envelope(sender: member, recipients: threeColleagues, authUser: "clee", clientAddress: "127.0.0.1"))
    }

    static func eicar(_ filter: MessageFilter) async -> Decision {
        // As a text file, so that only the EICAR rule (off in the candidate) matches it.
        await filter.decide(
            .bytes(SampleMessage.withAttachment(
                from: member, to: "bob@london.union.example", subject: "Test", filename: "test.txt", contentType: "text/plain",
                content: Array(SampleMessage.eicar.utf8)).bytes),
            envelope: Envelope(sender: member, recipients: ["bob@london.union.example"], authUser: "clee", clientAddress: "127.0.0.1"))
    }

    static func shadow(_ store: SQLiteQuarantineStore) async throws -> [PolicyObservation] {
        try await store.observations(branch: "london", kinds: [.candidateWouldHold, .candidateWouldPass], since: .distantPast)
    }

    @Test func theCandidateIsLintedLikeAnyBranchFile() throws {
        let setup = try Self.setup(candidate: nil)
        try "branch: london\nrules:\n  mass-mailing:\n    max_recipients: -1\n"
            .write(to: setup.policies.appendingPathComponent("branches/london.candidate.yaml"), atomically: true, encoding: .utf8)
        let problems = Policy.lint(try PolicyDirectoryReader.read(setup.policies))
        #expect(problems.contains { $0.file.hasSuffix("branches/london.candidate.yaml") && $0.line > 0 }, "\(problems)")
        let misnamed = setup.policies.appendingPathComponent("branches/london.candidate.yaml")
        try "branch: scotland\n".write(to: misnamed, atomically: true, encoding: .utf8)
        let named = Policy.lint(try PolicyDirectoryReader.read(setup.policies))
        #expect(named.map(\.message).contains("a candidate policy is named after its branch: branches/scotland.candidate.yaml"), "\(named)")
        // A sound candidate: no problem, and the live rule set stays the live one.
        try Self.candidate.write(to: misnamed, atomically: true, encoding: .utf8)
        let policy = try Policy.parse(try PolicyDirectoryReader.read(setup.policies))
        #expect(policy.settings(for: "london").option("max_recipients", of: "mass-mailing") == .integer(100))
        #expect(policy.candidateSettings["london"]?.option("max_recipients", of: "mass-mailing") == .integer(2))
        #expect(policy.withCandidate(for: "london")?.settings(for: "london").isEnabled("eicar-test-signature") == false)
    }

    @Test func theCandidateNeverActsAndItsDisagreementsAreRecorded() async throws {
        let setup = try Self.setup()
        // Live passes, the candidate would hold: the message still goes through untouched.
        let passed = await Self.toThree(setup.filter)
        #expect(passed.verdict.action == .accept, "\(passed.verdict.findings)")
        #expect(passed.heldID == nil && passed.modifications.isEmpty)
        // Live holds, the candidate would pass: the message is still held.
        let held = await Self.eicar(setup.filter)
        #expect(held.verdict.action == .quarantine)
        let heldID = try #require(held.heldID)

        let shadow = try await Self.shadow(setup.store)
        #expect(shadow.map(\.kind) == [.candidateWouldHold, .candidateWouldPass])
        #expect(shadow[0].candidateRules.map(\.name) == ["usage/mass-mailing"])
        #expect(shadow[0].rules.isEmpty && shadow[0].heldID == nil)
        #expect(shadow[0].recipients == Self.threeColleagues && shadow[0].subject == "Meeting")
        #expect(shadow[1].rules.map(\.name).contains("unsafe-attachment/eicar-test-signature"))
        #expect(shadow[1].heldID == heldID)
        // Metadata only: nothing of the body.
        let stored = try Command.run("sqlite3", [setup.directory.path("quarantine.sqlite"), "SELECT record FROM policy_observation"]).output
        #expect(!stored.contains("See you at 6"))

        // A message both judge alike leaves no record.
        _ = await setup.filter.decide(
            .bytes(SampleMessage.plain(from: Self.member, to: "bob@london.union.example", subject: "Hi", text: "Hello").bytes),
            envelope: Envelope(sender: Self.member, recipients: ["bob@london.union.example"], authUser: "clee", clientAddress: "127.0.0.1"))
        #expect(try await Self.shadow(setup.store).count == 2)
    }

    @Test func promotingMakesTheCandidateLiveForTheNextMessageWithTheChangeOnTheTrail() async throws {
        let setup = try Self.setup()
        #expect(await Self.toThree(setup.filter).verdict.action == .accept)
        let live = try String(contentsOf: setup.policies.appendingPathComponent("branches/london.yaml"), encoding: .utf8)

        let change = try await CandidatePolicy(directory: setup.policies, branch: "london")
            .promote(store: setup.store, actor: "sam.okafor@union.example", reason: "limit too high")
        #expect(change.contains("+") && change.contains("max_recipients: 2"), "\(change)")
        let now = try String(contentsOf: setup.policies.appendingPathComponent("branches/london.yaml"), encoding: .utf8)
        #expect(now == Self.candidate && now != live)
        #expect(!FileManager.default.fileExists(atPath: setup.policies.appendingPathComponent("branches/london.candidate.yaml").path))

        let entry = try #require(try await setup.store.auditTrail(messageID: nil).last)
        #expect(entry.entry.action == .policyPromote && entry.entry.actor == "sam.okafor@union.example")
        #expect(entry.entry.reason == "limit too high")
        #expect(entry.entry.detail?.contains("max_recipients: 2") == true)
        #expect(try await Self.shadow(setup.store).isEmpty, "the old candidate's differences are forgotten")

        // The running holder saw the stamp: the next message is judged by the promoted rules.
        let next = await Self.toThree(setup.filter)
        #expect(next.verdict.action == .quarantine, "\(next.verdict.findings)")
        #expect(next.verdict.findings.map(\.rule).contains("mass-mailing"))
        #expect(setup.holder.snapshot.candidates.isEmpty)
    }

    @Test func aCandidateWithProblemsIsNotPromotedAndTheLivePolicyStays() async throws {
        let setup = try Self.setup()
        // Written after Steward started: a candidate with a problem is refused like any policy file.
        try "branch: london\nrules:\n  mass-mailing:\n    max_recipients: lots\n"
            .write(to: setup.policies.appendingPathComponent("branches/london.candidate.yaml"), atomically: true, encoding: .utf8)
        let liveURL = setup.policies.appendingPathComponent("branches/london.yaml")
        let live = try String(contentsOf: liveURL, encoding: .utf8)
        await #expect(throws: CandidatePolicy.Failure.self) {
            try await CandidatePolicy(directory: setup.policies, branch: "london").promote(store: setup.store, actor: "x", reason: nil)
        }
        #expect(try String(contentsOf: liveURL, encoding: .utf8) == live)
        #expect(try await setup.store.auditTrail(messageID: nil).allSatisfy { $0.entry.action != .policyPromote })
        // And a branch with no candidate has nothing to promote.
        await #expect(throws: CandidatePolicy.Failure.self) {
            try await CandidatePolicy(directory: setup.policies, branch: "scotland").promote(store: setup.store, actor: "x", reason: nil)
        }
    }

    @Test func discardingRemovesTheCandidateOnTheTrailAndShadowingStops() async throws {
        let setup = try Self.setup()
        _ = await Self.toThree(setup.filter)
        #expect(try await Self.shadow(setup.store).count == 1)
        try await CandidatePolicy(directory: setup.policies, branch: "london").discard(store: setup.store, actor: "postmaster@union.example", reason: "no")
        #expect(!FileManager.default.fileExists(atPath: setup.policies.appendingPathComponent("branches/london.candidate.yaml").path))
        let entry = try #require(try await setup.store.auditTrail(messageID: nil).last)
        #expect(entry.entry.action == .policyDiscard && entry.entry.detail?.contains("max_recipients: 2") == true)
        #expect(try await Self.shadow(setup.store).isEmpty)
        #expect(await Self.toThree(setup.filter).verdict.action == .accept)
        #expect(try await Self.shadow(setup.store).isEmpty, "no candidate, no shadow")
    }
}
