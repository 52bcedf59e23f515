import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import StewardEngine
import StewardPolicy
import StewardQuarantine
import StewardReview
import Testing

@Suite struct SessionTests {
    @Test func aSessionEndsAfterItsIdleMinutesAndActivityKeepsItAlive() async throws {
        let harness = try await ReviewHarness(settings: ReviewSettings(sessionMinutes: 30))
        try await harness.test { client in
            let browser = Browser(client)
            try await browser.signIn(ReviewHarness.london)
            harness.advance(minutes: 20)
            #expect(try await browser.get("/").status == .ok, "20 minutes idle: still signed in")
            harness.advance(minutes: 20)
            #expect(try await browser.get("/").status == .ok, "20 minutes after the last request: still signed in")
            harness.advance(minutes: 31)
            let expired = try await browser.get("/")
            #expect(expired.status == .seeOther, "31 idle minutes end the session")
            #expect(expired.location == "/login")
            let post = try await browser.post("/messages/\(harness.londonMessage)/refuse", ["reason": "spam", "confirm": "yes"])
            #expect(post.status == .forbidden, "an ended session cannot act")
        }
        #expect(try await harness.store.message(id: harness.londonMessage)?.state == .held)
    }

    @Test func signingInGivesANewSessionAndToken() async throws {
        let harness = try await ReviewHarness()
        try await harness.test { client in
            let browser = Browser(client)
            try await browser.signIn(ReviewHarness.london)
            try await browser.get("/")
            let before = await (browser.session, browser.csrf)
            try await browser.post("/logout", [:])
            try await browser.signIn(ReviewHarness.london)
            try await browser.get("/")
            let after = await (browser.session, browser.csrf)
            #expect(before.0 != nil && after.0 != nil && before.0 != after.0, "the session id changes on sign-in")
            #expect(before.1 != after.1, "the CSRF token changes on sign-in")
        }
    }

    @Test func cookiesAreHttpOnlyAndSecureWhenConfigured() async throws {
        let plain = try await ReviewHarness()
        try await plain.test { client in
            let login = try await client.execute(uri: "/login", method: .get)
            let form = try #require(login.headers[.setCookie])
            #expect(form.hasPrefix("steward-login="), "the sign-in form's cookie, no session")
            #expect(form.contains("HttpOnly") && form.contains("SameSite=Strict") && !form.contains("Secure"))
            let browser = Browser(client)
            let signedIn = try await browser.signIn(ReviewHarness.london)
            let cookie = try #require(signedIn.headers[values: .setCookie].first { $0.hasPrefix("steward-session=") })
            #expect(cookie.contains("HttpOnly"))
            #expect(cookie.contains("SameSite=Lax"))
            #expect(!cookie.contains("Secure"))
        }
        let secure = try await ReviewHarness(settings: ReviewSettings(secureCookies: true))
        try await secure.test { client in
            let login = try await client.execute(uri: "/login", method: .get)
            let form = try #require(login.headers[.setCookie])
            #expect(form.hasPrefix("__Host-steward-login=") && form.contains("Secure"))
            let browser = Browser(client)
            let signedIn = try await browser.signIn(ReviewHarness.london)
            let cookie = try #require(signedIn.headers[values: .setCookie].first { $0.hasPrefix("__Host-steward-session=") })
            #expect(cookie.contains("Secure"))
        }
    }
}

@Suite struct CSRFTests {
    @Test func aPostWithoutTheSessionsTokenIsRefused() async throws {
        let harness = try await ReviewHarness()
        try await harness.test { client in
            let browser = Browser(client)
            try await browser.signIn(ReviewHarness.london)
            try await browser.get("/messages/\(harness.londonMessage)")
            for token in ["", "0000", String(repeating: "a", count: 64)] {
                let answer = try await browser.post(
                    "/messages/\(harness.londonMessage)/release", ["reason": "ok", "confirm": "yes"], csrf: token)
                #expect(answer.status == .forbidden, "token \(token.prefix(8))")
            }
            // Another session's token is no good either.
            let other = Browser(client)
            try await other.signIn(ReviewHarness.admin)
            try await other.get("/")
            let foreign = try #require(await other.csrf)
            let crossed = try await browser.post("/messages/\(harness.londonMessage)/refuse", ["reason": "x", "confirm": "yes"], csrf: foreign)
            #expect(crossed.status == .forbidden)
            // The sign-in form is protected too.
            let fresh = Browser(client)
            try await fresh.get("/login")
            let forged = try await fresh.post("/login", ["login": ReviewHarness.london, "password": ReviewHarness.password], csrf: "forged")
            #expect(forged.status == .forbidden)
        }
        #expect(try await harness.store.message(id: harness.londonMessage)?.state == .held)
        #expect(try await harness.store.auditTrail(messageID: harness.londonMessage).map(\.entry.action) == [.hold])
        #expect(try FileManager.default.contentsOfDirectory(atPath: harness.deliveries.path).isEmpty)
    }
}

@Suite struct ThrottleTests {
    @Test func fiveFailuresForOneLoginLockItForFifteenMinutes() async throws {
        let harness = try await ReviewHarness()
        try await harness.test { client in
            let browser = Browser(client)
            for attempt in 1...5 {
                let failed = try await browser.signIn(ReviewHarness.london, password: "wrong password \(attempt)")
                #expect(failed.status == .unauthorized, "attempt \(attempt)")
                #expect(failed.text.contains("do not match"))
            }
            let locked = try await browser.signIn(ReviewHarness.london)
            #expect(locked.status == .tooManyRequests, "even the right password is refused while locked")
            #expect(locked.text.contains("15 minutes"))
            // Another login from elsewhere is not affected... but this client is the same
            // address ("unknown" in router tests), which is locked too: see the next test.
            harness.advance(minutes: 16)
            let again = try await browser.signIn(ReviewHarness.london)
            #expect(again.status == .seeOther, "after 15 minutes the right password works")
        }
    }

    @Test func failuresAreCountedPerClientAddressToo() async throws {
        func fail(_ throttle: LoginThrottle, _ keys: [String], _ now: Date) {
            #expect(throttle.begin(keys, now: now) == .admitted)
            throttle.finish(keys, login: keys[0], succeeded: false, now: now)
        }
        let throttle = LoginThrottle()
        let now = Date()
        for index in 0..<5 {
            fail(throttle, ["login:user\(index)@union.example", "client:192.0.2.9"], now)
        }
        #expect(throttle.isLocked(["login:someone.else@union.example", "client:192.0.2.9"], now: now), "the address is locked")
        #expect(!throttle.isLocked(["login:someone.else@union.example", "client:192.0.2.10"], now: now))
        #expect(!throttle.isLocked(["login:user0@union.example", "client:192.0.2.10"], now: now), "one failure per login")
        #expect(!throttle.isLocked(["client:192.0.2.9"], now: now.addingTimeInterval(15 * 60 + 1)))
        // Failures spread wider than the window do not add up.
        let slow = LoginThrottle()
        for index in 0..<10 {
            fail(slow, ["login:slow@union.example"], now.addingTimeInterval(Double(index) * 4 * 60))
        }
        #expect(!slow.isLocked(["login:slow@union.example"], now: now.addingTimeInterval(36 * 60 + 1)))
    }

    @Test func behindATrustedProxyFailuresCountAgainstTheForwardedAddress() async throws {
        let forwarded = HTTPField.Name("X-Forwarded-For")!
        let proxied = try await ReviewHarness(settings: ReviewSettings(trustedProxies: [try #require(NetworkRange("127.0.0.1/32"))]))
        try await proxied.test(.live) { client in
            let browser = Browser(client)
            for index in 0..<5 {
                let failed = try await browser.signIn("nobody\(index)@union.example", password: "guess", headers: [forwarded: "198.51.100.1"])
                #expect(failed.status == .unauthorized)
            }
            let locked = try await browser.signIn(ReviewHarness.london, headers: [forwarded: "198.51.100.1"])
            #expect(locked.status == .tooManyRequests, "that browser's address is locked out")
            let other = try await browser.signIn(ReviewHarness.london, headers: [forwarded: "198.51.100.2"])
            #expect(other.status == .seeOther, "another address behind the same proxy is not")
        }
        // Without a trusted proxy the header is the client's own word and changes nothing.
        let direct = try await ReviewHarness()
        try await direct.test(.live) { client in
            let browser = Browser(client)
            for index in 0..<5 {
                try await browser.signIn("nobody\(index)@union.example", password: "guess", headers: [forwarded: "198.51.100.\(index)"])
            }
            let spoofed = try await browser.signIn(ReviewHarness.london, headers: [forwarded: "203.0.113.99"])
            #expect(spoofed.status == .tooManyRequests, "a made-up X-Forwarded-For does not dodge the lockout")
        }
    }

    @Test func onlyATrustedProxyIsBelievedAboutTheClientAddress() throws {
        let proxies = [try #require(NetworkRange("127.0.0.1/32"))]
        #expect(ClientAddress.resolve(peer: "127.0.0.1", forwardedFor: "198.51.100.4", trustedProxies: proxies) == "198.51.100.4")
        #expect(ClientAddress.resolve(peer: "127.0.0.1", forwardedFor: "10.9.9.9, 198.51.100.4", trustedProxies: proxies) == "198.51.100.4",
                "the hop the proxy saw, not what the client wrote further left")
        #expect(ClientAddress.resolve(peer: "203.0.113.5", forwardedFor: "198.51.100.4", trustedProxies: proxies) == "203.0.113.5",
                "an untrusted peer's header is ignored")
        #expect(ClientAddress.resolve(peer: "127.0.0.1", forwardedFor: "198.51.100.4", trustedProxies: []) == "127.0.0.1")
        #expect(ClientAddress.resolve(peer: "127.0.0.1", forwardedFor: "not-an-address", trustedProxies: proxies) == "127.0.0.1")
    }
}

/// Anonymous visitors leave nothing in memory, and signed-in sessions are capped.
@Suite struct SessionMemoryTests {
    @Test func cookielessVisitsToTheSignInPageStoreNothing() async throws {
        let harness = try await ReviewHarness()
        try await harness.test { client in
            for index in 0..<2000 {
                let page = try await client.execute(uri: "/login", method: .get)
                #expect(page.status == .ok, "visit \(index)")
            }
            // Failed sign-ins leave nothing either.
            let browser = Browser(client)
            try await browser.signIn("nobody@union.example", password: "not the password")
        }
        #expect(await harness.app.sessions.count == 0, "2000 visits, no session stored")
    }

    @Test func theSignInFormStillWorksWithoutAServerSession() async throws {
        let harness = try await ReviewHarness()
        try await harness.test { client in
            let browser = Browser(client)
            try await browser.get("/login")
            // A token for another cookie, or an expired one, is refused.
            let other = Browser(client)
            try await other.get("/login")
            let stolen = try #require(await other.csrf)
            let crossed = try await browser.post("/login", ["login": ReviewHarness.london, "password": ReviewHarness.password], csrf: stolen)
            #expect(crossed.status == .forbidden, "a token is bound to its own cookie")
            try await browser.get("/login")
            harness.advance(minutes: 16)
            let stale = try await browser.post("/login", ["login": ReviewHarness.london, "password": ReviewHarness.password])
            #expect(stale.status == .forbidden, "the sign-in form lasts 15 minutes")
            try await browser.get("/login")
            #expect(try await browser.post("/login", ["login": ReviewHarness.london, "password": ReviewHarness.password]).status == .seeOther)
        }
        #expect(await harness.app.sessions.count == 1)
    }

    @Test func sessionsAreCappedInAllAndPerAccount() async throws {
        let harness = try await ReviewHarness(sessions: SessionCap(maxSessions: 4, maxPerLogin: 2))
        try await harness.test { client in
            var londons: [Browser] = []
            for _ in 0..<5 {
                let browser = Browser(client)
                try await browser.signIn(ReviewHarness.london)
                londons.append(browser)
            }
            #expect(await harness.app.sessions.count == 2, "one account keeps at most 2 sessions")
            #expect(try await londons[4].get("/").status == .ok, "the newest is signed in")
            #expect(try await londons[0].get("/").location == "/login", "the oldest was ended")
            for login in [ReviewHarness.scotland, ReviewHarness.admin, ReviewHarness.scotland] {
                try await Browser(client).signIn(login)
            }
            #expect(await harness.app.sessions.count == 4, "never more than 4 in all")
        }
    }
}

@Suite struct PasswordRuleTests {
    @Test func weakPasswordsAreRefusedAndPhrasesAccepted() {
        let login = "sam.okafor@union.example"
        for weak in [
            "short", "elevenchars", "password2024!", "Password123456", "P@ssw0rd", "qwertyuiop12", "123456789012",
            "aaaaaaaaaaaa", "abcabcabcabc", "abcdefghijklmnop", "zyxwvutsrqpo", "Correct Horse Battery Staple", "sam.okafor2024",
            "Solidarity!!", "unionunionunion1",
        ] {
            #expect(PasswordRules.problem(with: weak, login: login) != nil, "\(weak) should be refused")
        }
        for good in ["violet tractor ledger 7", "a long secret phrase 42", "Kettle-Orbit-Marrow-19", "demo-review-password"] {
            #expect(PasswordRules.problem(with: good, login: login) == nil, "\(good) should be accepted")
        }
    }
}
