import Foundation
import Hummingbird
import HummingbirdTesting
import StewardEngine
import StewardQuarantine
import StewardReview
import Testing

@Suite struct LoginTests {
    @Test func theLoginPageIsTheOnlyPageWithoutASession() async throws {
        let harness = try await ReviewHarness()
        try await harness.test { client in
            let browser = Browser(client)
            let login = try await browser.get("/login")
            #expect(login.status == .ok)
            #expect(login.text.contains("id=\"login-form\""))
            #expect(login.text.contains("name=\"login\" type=\"email\"") || login.text.contains("id=\"login\" name=\"login\""))
            #expect(login.text.contains("id=\"password\" name=\"password\" type=\"password\""))
            #expect((await browser.csrf?.count ?? 0) > 64, "the sign-in form carries a signed CSRF token")
            #expect(login.headers[.contentSecurityPolicy]?.contains("default-src 'none'") == true)
            #expect(login.headers[.xContentTypeOptions] == "nosniff")
            // Nobody is signed in: the header offers neither a name nor Sign out (issue 15).
            #expect(!login.text.contains("Signed in as") && !login.text.contains("logout-form"), "\(login.text)")

            for path in ["/", "/messages/\(harness.londonMessage)", "/messages/\(harness.londonMessage)/trail",
                         "/branches/london/trail", "/branches/london/figures"] {
                let page = try await browser.get(path)
                #expect(page.status == .seeOther, "\(path) without a session")
                #expect(page.location == "/login")
            }
            for path in ["/messages/\(harness.londonMessage)/release", "/messages/\(harness.londonMessage)/refuse",
                         "/messages/\(harness.londonMessage)/legal-hold", "/messages/\(harness.londonMessage)/content", "/logout"] {
                let answer = try await browser.post(path, ["reason": "x", "confirm": "yes"])
                #expect(answer.status == .forbidden, "\(path) without a session")
            }
            let css = try await browser.get("/assets/steward.css")
            #expect(css.status == .ok)
        }
        #expect(try await harness.store.message(id: harness.londonMessage)?.state == .held)
    }

    @Test func anOfficialSignsInSeesTheQueueAndSignsOut() async throws {
        let harness = try await ReviewHarness()
        try await harness.test { client in
            let browser = Browser(client)
            let signedIn = try await browser.signIn(ReviewHarness.london.uppercased())
            #expect(signedIn.status == .seeOther)
            #expect(signedIn.location == "/")
            let queue = try await browser.get("/")
            #expect(queue.status == .ok)
            #expect(queue.text.contains("<tr data-id=\"\(harness.londonMessage)\">"))
            #expect(queue.text.contains("Sam Okafor"))
            #expect(queue.headers[.cacheControl] == "no-store")
            let out = try await browser.post("/logout", [:])
            #expect(out.location == "/login")
            #expect(try await browser.get("/").location == "/login", "signed out")
        }
    }
}
