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
        #expect(try harness.store.message(id: harness.londonMessage)?.state == .held)
    }

    @Test func signingInGivesANewSessionAndToken() async throws {
        let harness = try await ReviewHarness()
        try await harness.test { client in
            let browser = Browser(client)
            try await browser.get("/login")
            let before = await (browser.cookie, browser.csrf)
            try await browser.post("/login", ["login": ReviewHarness.london, "password": ReviewHarness.password])
            try await browser.get("/")
            let after = await (browser.cookie, browser.csrf)
            #expect(before.0 != nil && after.0 != nil && before.0 != after.0, "the session id changes on sign-in")
            #expect(before.1 != after.1, "the CSRF token changes on sign-in")
        }
    }

    @Test func cookiesAreHttpOnlyAndSecureWhenConfigured() async throws {
        let plain = try await ReviewHarness()
        try await plain.test { client in
            let login = try await client.execute(uri: "/login", method: .get)
            let cookie = try #require(login.headers[.setCookie])
            #expect(cookie.hasPrefix("steward-session="))
            #expect(cookie.contains("HttpOnly"))
            #expect(cookie.contains("SameSite=Lax"))
            #expect(!cookie.contains("Secure"))
        }
        let secure = try await ReviewHarness(settings: ReviewSettings(secureCookies: true))
        try await secure.test { client in
            let login = try await client.execute(uri: "/login", method: .get)
            let cookie = try #require(login.headers[.setCookie])
            #expect(cookie.hasPrefix("__Host-steward-session="))
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
        #expect(try harness.store.message(id: harness.londonMessage)?.state == .held)
        #expect(try harness.store.auditTrail(messageID: harness.londonMessage).map(\.entry.action) == [.hold])
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
        let throttle = LoginThrottle()
        let now = Date()
        for index in 0..<5 {
            throttle.recordFailure(["login:user\(index)@union.example", "client:192.0.2.9"], now: now)
        }
        #expect(throttle.isLocked(["login:someone.else@union.example", "client:192.0.2.9"], now: now), "the address is locked")
        #expect(!throttle.isLocked(["login:someone.else@union.example", "client:192.0.2.10"], now: now))
        #expect(!throttle.isLocked(["login:user0@union.example", "client:192.0.2.10"], now: now), "one failure per login")
        #expect(!throttle.isLocked(["client:192.0.2.9"], now: now.addingTimeInterval(15 * 60 + 1)))
        // Failures spread wider than the window do not add up.
        let slow = LoginThrottle()
        for index in 0..<10 {
            slow.recordFailure(["login:slow@union.example"], now: now.addingTimeInterval(Double(index) * 4 * 60))
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
