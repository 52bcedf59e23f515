import Foundation
import StewardCore
import Hummingbird
import HummingbirdTesting
import StewardEngine
import StewardQuarantine
import StewardReview
import Testing

@Suite struct ActionTests {
    @Test func theMessagePageShowsFindingsWithTheirClauseAndNoBody() async throws {
        let harness = try await ReviewHarness()
        try await harness.test { client in
            let browser = Browser(client)
            try await browser.signIn(ReviewHarness.london)
            let page = try await browser.get("/messages/\(harness.londonMessage)")
            #expect(page.status == .ok)
            #expect(page.text.contains("id=\"findings\""))
            #expect(page.text.contains("Clause 10(f)(viii)"))
            #expect(page.text.contains("Windows program"))
            #expect(page.text.contains("<strong id=\"state\" class=\"state state-held\">held</strong>"))
            #expect(page.text.contains("billing@partner.example"))
            #expect(page.text.contains("London invoice"))
            #expect(!page.text.contains("Please pay."), "the body only after show content with a reason")
            for form in ["release", "refuse", "legal-hold"] {
                #expect(page.text.contains("id=\"\(form)-form\""))
                #expect(page.text.contains("id=\"\(form)-reason\" name=\"reason\""))
                #expect(page.text.contains("id=\"\(form)-confirm\" name=\"confirm\" type=\"checkbox\" value=\"yes\" required"))
            }
        }
        #expect(try await harness.store.auditTrail(messageID: harness.londonMessage).map(\.entry.action) == [.hold])
    }

    @Test func releaseNeedsAReasonAndConfirmationThenDeliversOnceAndIsAudited() async throws {
        let harness = try await ReviewHarness()
        let id = harness.londonMessage
        try await harness.test { client in
            let browser = Browser(client)
            try await browser.signIn(ReviewHarness.london)
            try await browser.get("/messages/\(id)")
            let unconfirmed = try await browser.post("/messages/\(id)/release", ["reason": "expected invoice"])
            #expect(unconfirmed.status == .seeOther)
            let noReason = try await browser.post("/messages/\(id)/release", ["reason": "  ", "confirm": "yes"])
            #expect(noReason.status == .seeOther)
            let warned = try await browser.get("/messages/\(id)")
            #expect(warned.text.contains("id=\"flash\""))
            #expect(warned.text.contains("give a reason and tick the box"))
            #expect(try await harness.store.message(id: id)?.state == .held)

            let released = try await browser.post("/messages/\(id)/release", ["reason": "expected invoice", "confirm": "yes"])
            #expect(released.status == .seeOther)
            #expect(released.location == "/messages/\(id)")
            let page = try await browser.get("/messages/\(id)")
            #expect(page.text.contains("<strong id=\"state\" class=\"state state-released\">released</strong>"))
            #expect(page.text.contains("released to chris.lee@london.union.example"))
            #expect(!page.text.contains("id=\"release-form\""), "no second release")
            let again = try await browser.post("/messages/\(id)/release", ["reason": "twice", "confirm": "yes"])
            #expect(again.status == .seeOther)
        }
        let delivered = try FileManager.default.contentsOfDirectory(atPath: harness.deliveries.path)
        #expect(delivered.count == 1, "one release, one delivery")
        let copy = try String(contentsOf: harness.deliveries.appendingPathComponent(try #require(delivered.first)), encoding: .utf8)
        #expect(copy.contains("Please pay."))
        #expect(copy.hasPrefix("X-Steward-Release:") || copy.contains("X-Steward-Release"))
        let trail = try await harness.store.auditTrail(messageID: id)
        #expect(trail.map(\.entry.action) == [.hold, .release])
        #expect(trail.last?.entry.actor == ReviewHarness.london)
        #expect(trail.last?.entry.reason == "expected invoice")
    }

    @Test func refuseAndLegalHoldGoThroughTheSameEngineAsTheCommandLine() async throws {
        let harness = try await ReviewHarness()
        let id = harness.londonMessage
        try await harness.test { client in
            let browser = Browser(client)
            try await browser.signIn(ReviewHarness.london)
            try await browser.get("/messages/\(id)")
            try await browser.post("/messages/\(id)/legal-hold", ["reason": "tribunal case 7", "confirm": "yes"])
            let held = try await browser.get("/messages/\(id)")
            #expect(held.text.contains("id=\"legal-hold\""))
            #expect(held.text.contains("Lift legal hold"))
            try await browser.post("/messages/\(id)/refuse", ["reason": "fraudulent invoice", "confirm": "yes"])
            let refused = try await browser.get("/messages/\(id)")
            #expect(refused.text.contains("state-refused\">refused</strong>"))
            #expect(refused.text.contains("fraudulent invoice"))
            try await browser.post("/messages/\(id)/legal-hold", ["reason": "case closed", "confirm": "yes", "lift": "yes"])
        }
        let message = try #require(try await harness.store.message(id: id))
        #expect(message.state == .refused)
        #expect(!message.legalHold)
        let trail = try await harness.store.auditTrail(messageID: id)
        #expect(trail.map(\.entry.action) == [.hold, .legalHold, .refuse, .legalHoldLifted])
        #expect(trail.dropFirst().allSatisfy { $0.entry.actor == ReviewHarness.london })
        #expect(trail.map(\.entry.reason).dropFirst() == ["tribunal case 7", "fraudulent invoice", "case closed"])
    }

    @Test func theQueueFiltersAndCountsPerState() async throws {
        let harness = try await ReviewHarness()
        let report = try await harness.store.hold(NewHold(
            envelope: .init(sender: "member@london.union.example", recipients: ["report@london.union.example"]),
            verdict: .init(action: .quarantine, direction: .internal, branches: ["london"], findings: []),
            raw: Array("Subject: rude mail\r\n\r\nforwarded\r\n".utf8), kind: .report, reporter: "member@london.union.example",
            subject: "rude mail"))
        _ = try await harness.store.apply(.refuse(by: "x", reason: "r"), to: harness.londonMessage)
        try await harness.test { client in
            let browser = Browser(client)
            try await browser.signIn(ReviewHarness.london)
            let all = try await browser.get("/")
            #expect(all.text.contains("id=\"counts\""))
            #expect(all.text.contains("state-held\">held</span> <strong>1</strong>"))
            #expect(all.text.contains("state-refused\">refused</span> <strong>1</strong>"))
            #expect(all.text.contains("<span class=\"badge report\">report</span>"))
            let reports = try await browser.get("/?kind=report")
            #expect(reports.text.contains("data-id=\"\(report)\""))
            #expect(!reports.text.contains("data-id=\"\(harness.londonMessage)\""))
            let refused = try await browser.get("/?state=refused")
            #expect(refused.text.contains("data-id=\"\(harness.londonMessage)\""))
            #expect(!refused.text.contains("data-id=\"\(report)\""))
            let search = try await browser.get("/?q=RUDE")
            #expect(search.text.contains("data-id=\"\(report)\""))
            #expect(!search.text.contains("data-id=\"\(harness.londonMessage)\""))
            let incoming = try await browser.get("/?direction=incoming&finding=unsafe-attachment")
            #expect(incoming.text.contains("data-id=\"\(harness.londonMessage)\""))
            #expect(!incoming.text.contains("data-id=\"\(report)\""))
            let future = try await browser.get("/?since=2999-01-01")
            #expect(future.text.contains("id=\"queue-empty\""))
            let today = ISO8601DateFormatter().string(from: Date()).prefix(10)
            let until = try await browser.get("/?until=\(today)")
            #expect(until.text.contains("data-id=\"\(report)\""), "until includes the whole day")
        }
    }
}
