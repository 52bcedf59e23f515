import Foundation
import Hummingbird
import HummingbirdTesting
import StewardCore
import StewardEngine
import StewardPolicy
import StewardQuarantine
import StewardReview
import StewardTestSupport
import Testing

/// The candidate policy page of a branch: its differences with the live policy, and promote or
/// discard by a review admin only.
@Suite struct ShadowRouteTests {
    static func differences(_ harness: ReviewHarness) async throws {
        let mention = RuleMention(kind: "usage", rule: "mass-mailing", clause: "12", action: .quarantine)
        func observation(_ kind: PolicyObservation.Kind, held: Int64?, subject: String) -> PolicyObservation {
            PolicyObservation(
                at: harness.clock.now, kind: kind, branch: "london", direction: .internal, branches: ["london"],
                sender: "chris.lee@london.union.example", recipients: ["a@london.union.example"], subject: subject, partNames: ["plan.pdf"],
                rules: kind == .candidateWouldPass ? [mention] : [], candidateRules: kind == .candidateWouldHold ? [mention] : [], heldID: held)
        }
        try await harness.store.record([
            observation(.candidateWouldHold, held: nil, subject: "<b>Passed one</b>"),
            observation(.candidateWouldPass, held: harness.londonMessage, subject: "Held one"),
        ])
    }

    static func candidateURL(_ harness: ReviewHarness) -> URL {
        harness.directory.url.appendingPathComponent("Policies/branches/london.candidate.yaml")
    }

    @Test func anOfficialSeesTheDifferencesButCannotPromote() async throws {
        let harness = try await ReviewHarness()
        try await Self.differences(harness)
        try "branch: london\nrules:\n  mass-mailing:\n    max_recipients: 2\n".write(to: Self.candidateURL(harness), atomically: true, encoding: .utf8)
        try await harness.test { client in
            let browser = Browser(client)
            try await browser.signIn(ReviewHarness.london)
            let page = try await browser.get("/branches/london/shadow")
            #expect(page.status == .ok)
            #expect(page.text.contains("Candidate policy for London"), "the branch's name, not its id")
            #expect(page.text.contains("Candidate would hold, live passed") && page.text.contains("Candidate would pass, live held"))
            #expect(page.text.contains("<a href=\"/messages/\(harness.londonMessage)\">"), "the held one links to its page")
            #expect(page.text.contains("&lt;b&gt;Passed one&lt;/b&gt;"), "escaped")
            #expect(page.text.contains("max_recipients: 2"))
            #expect(!page.text.contains("promote-form"), "only a review admin promotes")

            // The misuse: an official posts the promotion anyway.
            let promote = try await browser.post("/branches/london/shadow/promote", ["reason": "mine", "confirm": "yes"])
            #expect(promote.status == .forbidden)
            let discard = try await browser.post("/branches/london/shadow/discard", ["reason": "mine", "confirm": "yes"])
            #expect(discard.status == .forbidden)
            #expect(FileManager.default.fileExists(atPath: Self.candidateURL(harness).path))
            #expect(try await harness.store.auditTrail(messageID: nil).allSatisfy { $0.entry.action != .policyPromote && $0.entry.action != .policyDiscard })
            #expect(try await browser.get("/branches/scotland/shadow").status == .forbidden)
        }
    }

    @Test func aReviewAdminPromotesWithAReasonOnTheTrail() async throws {
        let harness = try await ReviewHarness()
        try "branch: london\nrules:\n  mass-mailing:\n    max_recipients: 2\n".write(to: Self.candidateURL(harness), atomically: true, encoding: .utf8)
        try await harness.test { client in
            let browser = Browser(client)
            try await browser.signIn(ReviewHarness.admin)
            #expect(try await browser.get("/branches/london/shadow").text.contains("promote-form"))
            let unconfirmed = try await browser.post("/branches/london/shadow/promote", ["reason": "tuning"])
            #expect(unconfirmed.status == .seeOther)
            #expect(FileManager.default.fileExists(atPath: Self.candidateURL(harness).path), "no confirmation, nothing done")
            let promoted = try await browser.post("/branches/london/shadow/promote", ["reason": "tuning", "confirm": "yes"])
            #expect(promoted.status == .seeOther)
            #expect(!FileManager.default.fileExists(atPath: Self.candidateURL(harness).path))
            let live = harness.directory.url.appendingPathComponent("Policies/branches/london.yaml")
            #expect(try String(contentsOf: live, encoding: .utf8).contains("max_recipients: 2"))
            let entry = try #require(try await harness.store.auditTrail(messageID: nil).last)
            #expect(entry.entry.action == .policyPromote && entry.entry.actor == ReviewHarness.admin && entry.entry.reason == "tuning")
            #expect(harness.app.policy.snapshot.evaluator.policy.settings(for: "london").option("max_recipients", of: "mass-mailing") == .integer(2))
            let page = try await browser.get("/branches/london/shadow")
            #expect(page.text.contains("now the live policy") && page.text.contains("no-candidate"))
        }
    }
}
