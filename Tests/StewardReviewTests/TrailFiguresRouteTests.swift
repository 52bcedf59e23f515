import Foundation
import Hummingbird
import HummingbirdTesting
import StewardCore
import StewardQuarantine
import StewardReview
import Testing

/// The trail pages (a message's, a branch's) and the branch figures page, through the real
/// router with a signed-in official: what they show, that it is escaped, and whose it is.
@Suite struct TrailFiguresRouteTests {
    @Test func aMessagesTrailShowsWhoDidWhatAndWhyOldestFirst() async throws {
        let harness = try await ReviewHarness()
        let id = harness.londonMessage
        try await harness.test { client in
            let browser = try await Self.londonOfficial(client, releasing: id, reason: "expected <b>invoice</b> & more")
            let page = try await browser.get("/messages/\(id)/trail")
            #expect(page.status == .ok)
            #expect(page.text.contains("<table id=\"trail\" class=\"cards\">"))
            let hold = try #require(page.text.range(of: "data-action=\"hold\""))
            let release = try #require(page.text.range(of: "data-action=\"release\""))
            #expect(hold.lowerBound < release.lowerBound, "oldest first")
            #expect(page.text.contains("Released to its recipients"))
            #expect(page.text.contains(ReviewHarness.london))
            #expect(page.text.contains("expected &lt;b&gt;invoice&lt;/b&gt; &amp; more"), "the reason is escaped")
            #expect(!page.text.contains("<b>invoice</b>"))
            #expect(page.headers[.contentSecurityPolicy]?.contains("default-src 'none'") == true)
        }
    }

    @Test func aBranchTrailHoldsOnlyThatBranchsMessagesNewestFirst() async throws {
        let harness = try await ReviewHarness()
        try await harness.store.appendAudit(NewAuditEntry(actor: "admin", action: .policyReload))
        _ = try await harness.store.apply(.refuse(by: ReviewHarness.scotland, reason: "scottish reason"), to: harness.scotlandMessage)
        _ = try await harness.store.apply(.refuse(by: ReviewHarness.london, reason: "london reason"), to: harness.londonMessage)
        try await harness.test { client in
            let browser = Browser(client)
            try await browser.signIn(ReviewHarness.london)
            let page = try await browser.get("/branches/london/trail")
            #expect(page.status == .ok)
            #expect(page.text.contains("london reason"))
            #expect(page.text.contains("<a href=\"/messages/\(harness.londonMessage)\">#\(harness.londonMessage)</a>"))
            #expect(!page.text.contains("scottish reason"))
            #expect(!page.text.contains("/messages/\(harness.scotlandMessage)\""))
            #expect(!page.text.contains("policy-reload"), "entries about no message are not a branch's")
            let refuse = try #require(page.text.range(of: "data-action=\"refuse\""))
            let hold = try #require(page.text.range(of: "data-action=\"hold\""))
            #expect(refuse.lowerBound < hold.lowerBound, "newest first")
            #expect(try await browser.get("/branches/scotland/trail").status == .forbidden)
            #expect(try await browser.get("/branches/nowhere/trail").status == .forbidden)
        }
    }

    @Test func figuresCountTheBranchsHoldsAndDecisionsWithAChart() async throws {
        let harness = try await ReviewHarness()
        let second = try await ReviewHarness.hold(harness.store, to: "jo@london.union.example", branch: "london", subject: "Second")
        _ = try await harness.store.apply(.refuse(by: ReviewHarness.london, reason: "r"), to: second)
        // A rule in monitor mode matched one message that went on (counted as "logged").
        try await harness.store.record([
            PolicyObservation(
                at: harness.clock.now, kind: .logged, branch: "london", direction: .outgoing, branches: ["london"],
                sender: "chris.lee@london.union.example", recipients: ["x@partner.example"], subject: "Plans", partNames: [],
                rules: [RuleMention(kind: "unsafe-attachment", rule: "executable-attachment", clause: "10(f)(viii)", action: .tag)])
        ])
        try await harness.test { client in
            let browser = try await Self.londonOfficial(client, releasing: harness.londonMessage, reason: "fine")
            let page = try await browser.get("/branches/london/figures")
            #expect(page.status == .ok)
            #expect(page.text.contains("<h1>Figures for London Branch</h1>"), "the branch's name, not its id")
            #expect(page.text.contains("<svg id=\"figures-chart\" role=\"img\""))
            #expect(page.text.contains(": 2 held, 1 released, 1 refused"))
            let rule = "<tr data-rule=\"unsafe-attachment/executable-attachment\"><td data-label=\"Rule\">executable-attachment <span class=\"muted\">(unsafe-attachment)</span></td><td data-label=\"Clause\">10(f)(viii)</td><td data-label=\"Held\">2</td><td data-label=\"Released\">1</td><td data-label=\"Refused\">1</td><td data-label=\"Logged\">1</td><td data-label=\"Share released\">50%</td></tr>"
            #expect(page.text.contains(rule))
            #expect(page.text.components(separatedBy: "data-week=").count - 1 == 12, "twelve weeks by default")
            #expect(page.headers[.contentSecurityPolicy]?.contains("default-src 'none'") == true)
            #expect(!page.text.contains("style="), "no inline style under the CSP")

            let four = try await browser.get("/branches/london/figures?weeks=4")
            #expect(four.text.components(separatedBy: "data-week=").count - 1 == 4)
            let silly = try await browser.get("/branches/london/figures?weeks=100000")
            #expect(silly.text.components(separatedBy: "data-week=").count - 1 == 53, "at most a year")
            #expect(try await browser.get("/branches/scotland/figures").status == .forbidden)
        }
    }

    /// The London official signed in, having released message `id` from its page.
    static func londonOfficial(_ client: any TestClientProtocol, releasing id: Int64, reason: String) async throws -> Browser {
        let browser = Browser(client)
        try await browser.signIn(ReviewHarness.london)
        try await browser.get("/messages/\(id)")
        let answer = try await browser.post("/messages/\(id)/release", ["reason": reason, "confirm": "yes"])
        #expect(answer.status == .seeOther)
        return browser
    }

    @Test func anAdminSeesAnyBranchsTrailAndFigures() async throws {
        let harness = try await ReviewHarness()
        try await harness.test { client in
            let browser = Browser(client)
            try await browser.signIn(ReviewHarness.admin)
            let trail = try await browser.get("/branches/scotland/trail")
            #expect(trail.status == .ok)
            #expect(trail.text.contains("/messages/\(harness.scotlandMessage)\""))
            let figures = try await browser.get("/branches/scotland/figures")
            #expect(figures.status == .ok)
            #expect(figures.text.contains(": 1 held, 0 released, 0 refused"))
        }
    }
}
