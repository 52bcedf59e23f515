import Foundation
import Hummingbird
import HummingbirdTesting
import StewardEngine
import StewardQuarantine
import StewardReview
import Testing

/// Clause 14: a London official cannot list, open, read, release, refuse or hold a Scotland
/// message by any URL, nor see Scotland's trail or figures; an admin sees every branch.
@Suite struct AuthorizationTests {
    @Test func aLondonOfficialCannotReachAScotlandMessageByAnyRoute() async throws {
        let harness = try await ReviewHarness()
        let scotland = harness.scotlandMessage
        try await harness.test { client in
            let browser = Browser(client)
            try await browser.signIn(ReviewHarness.london)
            let queue = try await browser.get("/")
            #expect(queue.text.contains("data-id=\"\(harness.londonMessage)\""))
            #expect(!queue.text.contains("data-id=\"\(scotland)\""))
            #expect(!queue.text.contains("Scotland invoice"))
            let filtered = try await browser.get("/?branch=scotland")
            #expect(!filtered.text.contains("data-id=\"\(scotland)\""), "asking for Scotland's queue shows nothing")
            #expect(!filtered.text.contains("data-id=\"\(harness.londonMessage)\""))
            let searched = try await browser.get("/?q=Scotland")
            #expect(!searched.text.contains("data-id=\"\(scotland)\""))

            for path in ["/messages/\(scotland)", "/messages/\(scotland)/trail", "/messages/\(scotland)/content/0"] {
                #expect(try await browser.get(path).status == .notFound, "GET \(path)")
            }
            for action in ["release", "refuse", "legal-hold", "content"] {
                let answer = try await browser.post("/messages/\(scotland)/\(action)", ["reason": "curious", "confirm": "yes"])
                #expect(answer.status == .notFound, "POST \(action)")
            }
            let missing = try await browser.get("/messages/999999")
            #expect(missing.status == .notFound, "a missing id answers the same")
            #expect(missing.text.contains("id=\"error-message\">There is no such message, or it is not for your branches."))
            #expect(missing.headers[.contentSecurityPolicy]?.hasPrefix("default-src 'none'") == true, "error pages are pages too")
            for path in ["/branches/scotland/trail", "/branches/scotland/figures"] {
                #expect(try await browser.get(path).status == .forbidden, "GET \(path)")
            }
            let branches = try await browser.get("/branches")
            #expect(branches.text.contains("London Branch"))
            #expect(branches.text.contains("href=\"/branches/london/trail\""))
            #expect(!branches.text.contains("scotland"), "only their own branches are offered")
            #expect(try await browser.get("/branches/london/trail").status == .ok, "their own branch's trail")
            #expect(try await browser.get("/branches/london/figures").status == .ok)
        }
        let message = try #require(try await harness.store.message(id: scotland))
        #expect(message.state == .held)
        #expect(!message.legalHold)
        #expect(try await harness.store.auditTrail(messageID: scotland).map(\.entry.action) == [.hold], "nothing was viewed or done")
        #expect(try FileManager.default.contentsOfDirectory(atPath: harness.deliveries.path).isEmpty, "nothing was delivered")
    }

    @Test func anAdminSeesEveryBranch() async throws {
        let harness = try await ReviewHarness()
        try await harness.test { client in
            let browser = Browser(client)
            try await browser.signIn(ReviewHarness.admin)
            let queue = try await browser.get("/")
            #expect(queue.text.contains("data-id=\"\(harness.londonMessage)\""))
            #expect(queue.text.contains("data-id=\"\(harness.scotlandMessage)\""))
            #expect(queue.text.contains("mail administrator"))
            let scotland = try await browser.get("/?branch=scotland")
            #expect(scotland.text.contains("data-id=\"\(harness.scotlandMessage)\""))
            #expect(!scotland.text.contains("data-id=\"\(harness.londonMessage)\""))
            #expect(try await browser.get("/messages/\(harness.scotlandMessage)").status == .ok)
            let branches = try await browser.get("/branches")
            #expect(branches.text.contains("Scotland Branch") && branches.text.contains("London Branch") && branches.text.contains("Head Office"))
        }
    }

    @Test func someoneNotInTheDirectoryCannotSignInEvenWithAStoredHash() async throws {
        let harness = try await ReviewHarness()
        try await harness.store.setPasswordHash(
            Bcrypt4.hash(ReviewHarness.password), login: "former.official@union.example",
            audit: NewAuditEntry(actor: "test", action: .passwordSet))
        try await harness.test { client in
            let browser = Browser(client)
            let answer = try await browser.signIn("former.official@union.example")
            #expect(answer.status == .unauthorized)
            #expect(try await browser.get("/").location == "/login")
        }
    }
}
