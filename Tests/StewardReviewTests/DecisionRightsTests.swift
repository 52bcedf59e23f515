import Foundation
import Hummingbird
import HummingbirdTesting
import StewardCore
import StewardEngine
import StewardInspection
import StewardPolicy
import StewardQuarantine
import StewardReview
import StewardTestSupport
import Testing

/// Who may decide (clause 14): the branch whose rules held a message, never someone about
/// their own mail. The verdicts come from the shipped policy's real evaluator.
@Suite struct DecisionRightsTests {
    /// Holds `raw` with the verdict the shipped policy gives it for `envelope`.
    static func hold(_ harness: ReviewHarness, _ envelope: Envelope, subject: String, text: String) async throws -> (Int64, Verdict) {
        let message = SampleMessage.plain(from: envelope.sender, to: envelope.recipients[0], subject: subject, text: text)
        let snapshot = harness.app.policy.snapshot
        let verdict = snapshot.evaluator.evaluate(try snapshot.inspector.inspect(bytes: message.bytes), envelope: envelope)
        let id = try await harness.store.hold(NewHold(envelope: envelope, verdict: verdict, raw: message.bytes, subject: subject))
        return (id, verdict)
    }

    static func expectUntouched(_ harness: ReviewHarness, _ id: Int64) async throws {
        let message = try #require(try await harness.store.message(id: id))
        #expect(message.state == .held)
        #expect(!message.legalHold)
        #expect(try await harness.store.auditTrail(messageID: id).map(\.entry.action) == [.hold], "nothing was viewed or decided")
    }

    /// The Bcc attack: a London member sends confidential papers outside and adds a Scotland
    /// address as Bcc, so that Scotland (whose rules hold it too) is involved and its official
    /// could let it out past London. Scotland sees it read-only; London decides.
    @Test func aBranchPulledInByBccSeesTheMessageReadOnly() async throws {
        let harness = try await ReviewHarness()
        let envelope = Envelope(
            sender: "jo.bloggs@london.union.example", recipients: ["buyer@outside.example", "friend@scotland.union.example"],
            clientAddress: "127.0.0.1")
        let (id, verdict) = try await Self.hold(harness, envelope, subject: "STRICTLY CONFIDENTIAL: bargaining plan", text: "Our plans.")
        let holding = Set(verdict.findings.filter { $0.action == .quarantine }.map(\.branch))
        #expect(holding == ["london", "scotland"], "both branches' rules hold it: the attack is real")

        try await harness.test { client in
            let scotland = Browser(client)
            try await scotland.signIn(ReviewHarness.scotland)
            let queue = try await scotland.get("/").text
            #expect(queue.contains("data-id=\"\(id)\""), "listed for the involved branch")
            #expect(queue.contains("badge read-only"), "marked read-only in the queue")
            let page = try await scotland.get("/messages/\(id)")
            #expect(page.status == .ok)
            #expect(page.text.contains("id=\"read-only\""))
            #expect(page.text.contains("decided by the officials of london"))
            #expect(!page.text.contains("id=\"release-form\"") && !page.text.contains("id=\"content-form\""))
            for action in ["release", "refuse", "legal-hold", "content"] {
                let answer = try await scotland.post("/messages/\(id)/\(action)", ["reason": "looks fine", "confirm": "yes"])
                #expect(answer.status == .forbidden, "POST \(action)")
            }
            #expect(try await scotland.get("/messages/\(id)/content/0").status == .forbidden)
        }
        try await Self.expectUntouched(harness, id)
        #expect(try FileManager.default.contentsOfDirectory(atPath: harness.deliveries.path).isEmpty, "nothing was delivered")

        // The same rule at the command line's entry point.
        let decisions = harness.app.decisionsForTests
        await #expect(throws: QuarantineError.self) { try await decisions.refuse(id: id, actor: ReviewHarness.scotland, reason: "x") }
        await #expect(throws: QuarantineError.self) { try await decisions.openContent(id: id, actor: ReviewHarness.scotland, reason: "x") }
        try await Self.expectUntouched(harness, id)

        try await harness.test { client in
            let london = Browser(client)
            try await london.signIn(ReviewHarness.london)
            let page = try await london.get("/messages/\(id)")
            #expect(page.text.contains("id=\"release-form\""))
            let released = try await london.post("/messages/\(id)/release", ["reason": "cleared with the branch", "confirm": "yes"])
            #expect(released.status == .seeOther)
        }
        #expect(try await harness.store.message(id: id)?.state == .released, "the sender's branch decides")
    }

    /// Four eyes: the London deputy's own message (and one addressed to the senior official)
    /// cannot be released, refused or read by them; the other London official decides.
    @Test func nobodyDecidesOnTheirOwnMail() async throws {
        let harness = try await ReviewHarness()
        try await harness.store.setPasswordHash(
            Bcrypt4.hash(ReviewHarness.password), login: "chris.lee@london.union.example",
            audit: NewAuditEntry(actor: "test", action: .passwordSet))
        let fromDeputy = Envelope(
            sender: "chris.lee@london.union.example", recipients: ["buyer@outside.example"], authUser: "clee", clientAddress: "127.0.0.1")
        let (sent, verdict) = try await Self.hold(harness, fromDeputy, subject: "CONFIDENTIAL figures", text: "Figures.")
        #expect(verdict.findings.contains { $0.branch == "london" && $0.action == .quarantine }, "\(verdict)")
        // harness.londonMessage is addressed to the deputy too (chris.lee@london.union.example).
        for id in [sent, harness.londonMessage] {
            try await harness.test { client in
                let deputy = Browser(client)
                try await deputy.signIn("chris.lee@london.union.example")
                let page = try await deputy.get("/messages/\(id)")
                #expect(page.status == .ok)
                #expect(page.text.contains("This message is your own"))
                #expect(!page.text.contains("id=\"release-form\"") && !page.text.contains("id=\"content-form\""))
                for action in ["release", "refuse", "legal-hold", "content"] {
                    let answer = try await deputy.post("/messages/\(id)/\(action)", ["reason": "mine, fine", "confirm": "yes"])
                    #expect(answer.status == .forbidden, "#\(id) POST \(action)")
                }
            }
            try await Self.expectUntouched(harness, id)
            await #expect(throws: QuarantineError.self) {
                try await harness.app.decisionsForTests.refuse(id: id, actor: "chris.lee@london.union.example", reason: "mine")
            }
        }
        // The senior official decides on the deputy's message.
        try await harness.test { client in
            let senior = Browser(client)
            try await senior.signIn(ReviewHarness.london)
            #expect(try await senior.get("/messages/\(sent)").text.contains("id=\"refuse-form\""))
            let refused = try await senior.post("/messages/\(sent)/refuse", ["reason": "not to go out", "confirm": "yes"])
            #expect(refused.status == .seeOther)
        }
        #expect(try await harness.store.message(id: sent)?.state == .refused)
    }

    @Test func theRuleItself() throws {
        let policy = try PolicyHolder(directory: PackagePaths.policies).snapshot.evaluator.policy
        let directory = policy.directory
        func held(_ envelope: Envelope, findings: [(String, Action)], kind: HoldKind = .hold) -> HeldMessage {
            HeldMessage(
                id: 1, kind: kind, heldAt: Date(), envelope: envelope,
                verdict: Verdict(
                    action: .quarantine, direction: .outgoing, branches: directory.branches(involvedIn: envelope),
                    findings: findings.map { Finding(kind: "confidential", rule: "confidential-marker", clause: "10(b)", detail: "", branch: $0.0, action: $0.1) }),
                sha256: "", size: 0, state: .held)
        }
        // Only a branch whose rule asked for the hold decides; a tag does not count.
        let incoming = held(
            Envelope(sender: "x@outside.example", recipients: ["a@london.union.example", "b@scotland.union.example"]),
            findings: [("london", .quarantine), ("scotland", .tag)])
        #expect(DecisionRights.decidingBranches(of: incoming, directory: directory) == ["london"])
        #expect(DecisionRights.access(of: ReviewHarness.scotland, to: incoming, directory: directory) != .decide)
        #expect(DecisionRights.access(of: "secretary@elsewhere.example", to: incoming, directory: directory) == .hidden)
        // A report belongs to the branch whose report address it went to.
        let report = held(Envelope(sender: "a@london.union.example", recipients: ["report@scotland.union.example"]), findings: [], kind: .report)
        #expect(DecisionRights.decidingBranches(of: report, directory: directory) == ["scotland"])
        // Sending through a login that may use the official's address is their own mail too.
        let viaLogin = held(
            Envelope(sender: "office@union.example", recipients: ["x@outside.example"], authUser: "pshah"), findings: [("head-office", .quarantine)])
        #expect(DecisionRights.isOwnMessage(viaLogin, of: "assistant.general.secretary@union.example", directory: directory))
        #expect(!DecisionRights.isOwnMessage(viaLogin, of: "general.secretary@union.example", directory: directory))
        #expect(DecisionRights.access(of: "general.secretary@union.example", to: viaLogin, directory: directory) == .decide)
        // A review admin decides on any branch, but not on their own mail.
        var withAdmin = directory
        withAdmin.reviewAdmins = ["postmaster@union.example"]
        #expect(DecisionRights.access(of: "postmaster@union.example", to: incoming, directory: withAdmin) == .decide)
        let toAdmin = held(
            Envelope(sender: "x@outside.example", recipients: ["postmaster@union.example"]), findings: [("head-office", .quarantine)])
        #expect(DecisionRights.access(of: "postmaster@union.example", to: toAdmin, directory: withAdmin) != .decide)
        #expect(throws: QuarantineError.self) { try DecisionRights.requireDecision(by: "postmaster@union.example", on: toAdmin, directory: withAdmin) }
        // The mail administrator at the command line (not in the directory) is not bound.
        #expect(throws: Never.self) { try DecisionRights.requireDecision(by: "root", on: incoming, directory: directory) }
    }

    /// A held notice about the senior official's own message goes to the deputy, and the other way round.
    @Test func noticesOfOwnMailGoToTheOtherOfficial() throws {
        let directory = try PolicyHolder(directory: PackagePaths.policies).snapshot.evaluator.policy.directory
        let planner = NoticePlanner(directory: directory, includeDeputies: false)
        let verdict = Verdict(action: .quarantine, direction: .outgoing, branches: ["london"], findings: [])
        let seniors = planner.notices(forHold: verdict, envelope: Envelope(sender: ReviewHarness.london, recipients: ["x@outside.example"]))
        #expect(seniors.filter { $0.template == "held" }.map(\.recipient) == ["chris.lee@london.union.example"])
        let deputys = planner.notices(
            forHold: verdict, envelope: Envelope(sender: "chris.lee@london.union.example", recipients: ["x@outside.example"]))
        #expect(deputys.filter { $0.template == "held" }.map(\.recipient) == [ReviewHarness.london])
        let members = planner.notices(forHold: verdict, envelope: Envelope(sender: "a@london.union.example", recipients: ["x@outside.example"]))
        #expect(members.filter { $0.template == "held" }.map(\.recipient) == [ReviewHarness.london])
    }
}

extension ReviewApp {
    /// The engine's decisions as the command line uses them, over this app's store and policy.
    var decisionsForTests: QuarantineDecisions { QuarantineDecisions(store: store, policy: policy.snapshot.evaluator.policy) }
}
