import Foundation
import StewardCore
import StewardEngine
import StewardPolicy
import StewardQuarantine
import StewardTestSupport
import Testing

/// "Release and allow" (issue 15): an exception for one sender and one rule is written into the
/// branch's candidate policy, never the live one; promoted, it lets that sender's next message
/// through that rule while everyone else is still held.
@Suite struct CandidateExceptionTests {
    static let other = "pat.doe@london.union.example"

    @Test func anExceptionGoesIntoTheCandidateAndActsOnlyOncePromoted() async throws {
        // The live London rules plus a candidate that lowers mass-mailing to 2 recipients.
        let setup = try ShadowPolicyTests.setup()
        let live = setup.policies.appendingPathComponent("branches/london.yaml")
        let liveText = try String(contentsOf: live, encoding: .utf8)
        let candidate = CandidatePolicy(directory: setup.policies, branch: "london")

        let change = try await candidate.allowSender(
            "<Chris.Lee@London.Union.Example>", rule: "mass-mailing", store: setup.store, actor: "sam.okafor@union.example",
            reason: "the branch newsletter", messageID: nil)
        #expect(change.contains("chris.lee@london.union.example"), "\(change)")
        #expect(try String(contentsOf: live, encoding: .utf8) == liveText, "the live policy is untouched")
        let text = try #require(candidate.candidateText())
        #expect(text.contains("max_recipients: 2"), "the candidate keeps what it had:\n\(text)")
        #expect(text.contains("except_senders"), "\(text)")
        // Twice is once.
        try await candidate.allowSender("chris.lee@london.union.example", rule: "mass-mailing", store: setup.store, actor: "a", reason: "r", messageID: nil)
        #expect(try #require(candidate.candidateText()).components(separatedBy: "chris.lee@london.union.example").count == 2)

        let entry = try #require(try await setup.store.auditTrail(messageID: nil).last)
        #expect(entry.entry.action == .policyException && entry.entry.reason == "r")
        let policy = try Policy.parse(try PolicyDirectoryReader.read(setup.policies))
        #expect(policy.candidateSettings["london"]?.excepts(ShadowPolicyTests.member, from: "mass-mailing") == true)
        #expect(!policy.settings(for: "london").excepts(ShadowPolicyTests.member, from: "mass-mailing"))

        try await candidate.promote(store: setup.store, actor: "postmaster@union.example", reason: "tuned")
        _ = try setup.holder.reload()
        #expect(await ShadowPolicyTests.toThree(setup.filter).verdict.action == .accept, "the allowed sender passes mass-mailing")
        let three = ShadowPolicyTests.threeColleagues
        let message = SampleMessage.plain(from: Self.other, to: three.joined(separator: ", "), subject: "Meeting", text: "See you.")
        let otherDecision = await setup.filter.decide(
            .bytes(message.bytes), envelope: Envelope(sender: Self.other, recipients: three, authUser: "pdoe", clientAddress: "127.0.0.1"))
        #expect(otherDecision.verdict.findings.map(\.rule).contains("mass-mailing"), "anyone else is still held to 2 recipients")
    }

    @Test func anExceptionNeverCoversASenderWhoDidNotSignIn() async throws {
        // London's live rules let a partner and a member send files named .exe, by address.
        let setup = try ShadowPolicyTests.setup(candidate: nil)
        let partner = "billing@partner.example", member = ShadowPolicyTests.member
        try "branch: london\nrules:\n  inspection-limit:\n    action: reject\n  risky-file-name:\n    except_senders: [\(partner), \(member)]\n"
            .write(to: setup.policies.appendingPathComponent("branches/london.yaml"), atomically: true, encoding: .utf8)
        _ = try setup.holder.reload()
        func send(from sender: String, authUser: String?) async -> Decision {
            let message = SampleMessage.withAttachment(
                from: sender, to: "bob@london.union.example", subject: "Tool", filename: "tool.exe", contentType: "text/plain",
                content: Array("just text\n".utf8))
            return await setup.filter.decide(
                .bytes(message.bytes),
                envelope: Envelope(sender: sender, recipients: ["bob@london.union.example"], authUser: authUser, clientAddress: "192.0.2.9"))
        }
        let signedIn = await send(from: member, authUser: "clee")
        #expect(!signedIn.verdict.findings.map(\.rule).contains("risky-file-name"), "signed in as clee: \(signedIn.verdict.findings)")
        // The same addresses from someone who did not sign in: anyone can write them.
        for sender in [partner, member] {
            let forged = await send(from: sender, authUser: nil)
            #expect(forged.verdict.findings.map(\.rule).contains("risky-file-name"), "\(sender): \(forged.verdict.findings)")
        }
    }

    @Test func theImpersonationRulesTakeNoExceptions() async throws {
        let setup = try ShadowPolicyTests.setup(candidate: nil)
        try "branch: london\nrules:\n  impersonation-official-name:\n    except_senders: [gs@union.example]\n"
            .write(to: setup.policies.appendingPathComponent("branches/london.candidate.yaml"), atomically: true, encoding: .utf8)
        let problems = Policy.lint(try PolicyDirectoryReader.read(setup.policies))
        #expect(problems.contains { $0.message.contains("takes no except_senders") && $0.line == 4 }, "\(problems)")
        try? FileManager.default.removeItem(at: setup.policies.appendingPathComponent("branches/london.candidate.yaml"))
        let candidate = CandidatePolicy(directory: setup.policies, branch: "london")
        await #expect(throws: CandidatePolicy.Failure.self) {
            try await candidate.allowSender("gs@union.example", rule: "impersonation-official-name", store: setup.store, actor: "a", reason: "r", messageID: nil)
        }
        #expect(candidate.candidateText() == nil)
    }

    /// Officials releasing and allowing at the same moment: each change waits its turn without
    /// holding one of Swift's few cooperative threads (with a blocking lock, two waiting
    /// changes on a 2-core machine left none for the change holding the lock: no request
    /// ever finished). None is lost, and each is audited.
    @Test(.timeLimit(.minutes(2))) func changesAtTheSameMomentTakeTurnsAndNoneIsLost() async throws {
        let setup = try ShadowPolicyTests.setup(candidate: nil)
        let candidate = CandidatePolicy(directory: setup.policies, branch: "london")
        // Three times as many changes as the machine has cooperative threads (one a core).
        let senders = (1...(3 * max(2, ProcessInfo.processInfo.activeProcessorCount))).map { "member\($0)@london.union.example" }
        try await withThrowingTaskGroup(of: Void.self) { group in
            for sender in senders {
                group.addTask {
                    try await candidate.allowSender(sender, rule: "mass-mailing", store: setup.store, actor: "a", reason: sender, messageID: nil)
                }
            }
            try await group.waitForAll()
        }
        let text = try #require(candidate.candidateText())
        #expect(senders.allSatisfy { text.contains($0) }, "every change is in the candidate:\n\(text)")
        let reasons = try await setup.store.auditTrail(messageID: nil).map(\.entry).filter { $0.action == .policyException }.compactMap(\.reason)
        #expect(Set(reasons) == Set(senders) && reasons.count == senders.count)
    }

    @Test func aBadAddressOrRuleIsRefusedAndNothingIsWritten() async throws {
        let setup = try ShadowPolicyTests.setup(candidate: nil)
        let candidate = CandidatePolicy(directory: setup.policies, branch: "london")
        await #expect(throws: CandidatePolicy.Failure.self) {
            try await candidate.allowSender("", rule: "mass-mailing", store: setup.store, actor: "a", reason: "r", messageID: nil)
        }
        await #expect(throws: CandidatePolicy.Failure.self) {
            try await candidate.allowSender("x@partner.example", rule: "no-such-rule", store: setup.store, actor: "a", reason: "r", messageID: nil)
        }
        #expect(candidate.candidateText() == nil)
        #expect(try await setup.store.auditTrail(messageID: nil).isEmpty)
    }

    @Test func lintNamesABadExceptionAndAnOfficialsBadTimeZone() throws {
        let setup = try ShadowPolicyTests.setup(candidate: nil)
        try "branch: london\nrules:\n  mass-mailing:\n    except_senders: [not an address]\n"
            .write(to: setup.policies.appendingPathComponent("branches/london.candidate.yaml"), atomically: true, encoding: .utf8)
        let problems = Policy.lint(try PolicyDirectoryReader.read(setup.policies))
        #expect(problems.contains { $0.message.contains("except_senders") && $0.line == 4 }, "\(problems)")
        let directoryFile = setup.policies.appendingPathComponent("directory.yaml")
        let text = try String(contentsOf: directoryFile, encoding: .utf8)
        try text.replacingOccurrences(of: "    branch: scotland\n", with: "    branch: scotland\n    time_zone: Mars/Olympus\n")
            .write(to: directoryFile, atomically: true, encoding: .utf8)
        #expect(Policy.lint(try PolicyDirectoryReader.read(setup.policies)).contains { $0.message.contains("Mars/Olympus") })
        try text.replacingOccurrences(of: "    branch: scotland\n", with: "    branch: scotland\n    time_zone: Europe/Paris\n")
            .write(to: directoryFile, atomically: true, encoding: .utf8)
        try FileManager.default.removeItem(at: setup.policies.appendingPathComponent("branches/london.candidate.yaml"))
        let policy = try Policy.parse(try PolicyDirectoryReader.read(setup.policies))
        #expect(policy.directory.official(at: "secretary@scotland.union.example")?.timeZone == "Europe/Paris")
    }
}
