import Crypto
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import StewardEngine
import StewardPolicy
import StewardQuarantine
import StewardReview
import Testing

/// The second factor: codes computed here, independently of the app (RFC 6238 from the
/// otpauth URI's base32 secret, as an authenticator app does).
@Suite struct SecondFactorTests {
    /// RFC 6238: HMAC-SHA1 over the 30-second step, dynamic truncation, 6 digits.
    static func code(uri: String, at date: Date) throws -> String {
        let query = try #require(URLComponents(string: uri)?.queryItems)
        let secret = try #require(query.first { $0.name == "secret" }?.value)
        let key = try #require(base32(secret))
        var step = UInt64(date.timeIntervalSince1970 / 30).bigEndian
        let counter = withUnsafeBytes(of: &step) { Data($0) }
        let mac = Array(HMAC<Insecure.SHA1>.authenticationCode(for: counter, using: SymmetricKey(data: key)))
        let offset = Int(mac[19] & 0x0f)
        let number = (UInt32(mac[offset] & 0x7f) << 24 | UInt32(mac[offset + 1]) << 16 | UInt32(mac[offset + 2]) << 8 | UInt32(mac[offset + 3])) % 1_000_000
        return String(format: "%06d", number)
    }

    @Test func theTestsOwnCodeMatchesRFC6238() throws {
        // RFC 6238 appendix B: the secret "12345678901234567890", T = 59 s: 94287082 (8 digits).
        #expect(try Self.code(uri: "otpauth://totp/x?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ", at: Date(timeIntervalSince1970: 59)) == "287082")
    }

    static func base32(_ text: String) -> [UInt8]? {
        let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567")
        var bits = 0, value = 0
        var bytes: [UInt8] = []
        for character in text.uppercased() where character != "=" {
            guard let index = alphabet.firstIndex(of: character) else { return nil }
            value = (value << 5) | index
            bits += 5
            if bits >= 8 {
                bytes.append(UInt8((value >> (bits - 8)) & 0xff))
                bits -= 8
            }
        }
        return bytes
    }

    static func setUp(_ harness: ReviewHarness, _ login: String) async throws -> SecondFactorCheck.Setup {
        try await SecondFactorCheck.setUp(login: login, directory: harness.app.policy.snapshot.evaluator.policy.directory, store: harness.store, actor: "root")
    }

    @Test func aCodeFromTheAuthenticatorIsAskedAfterThePasswordAndWorksOnce() async throws {
        let harness = try await ReviewHarness()
        let setup = try await Self.setUp(harness, ReviewHarness.london)
        #expect(setup.uri.hasPrefix("otpauth://totp/Steward:sam.okafor@union.example?secret="))
        #expect(setup.recoveryCodes.count == 10 && Set(setup.recoveryCodes).count == 10)
        let stored = try #require(try await harness.store.secondFactor(login: ReviewHarness.london))
        #expect(!stored.recoveryHashes.contains { setup.recoveryCodes.contains($0) }, "only hashes of recovery codes are kept")
        let code = try Self.code(uri: setup.uri, at: harness.clock.now)
        try await harness.test { client in
            let browser = Browser(client)
            let asked = try await browser.signIn(ReviewHarness.london)
            #expect(asked.status == .ok)
            #expect(asked.text.contains("id=\"code-form\""))
            #expect(!asked.text.contains("Signed in as") && !asked.text.contains("logout-form"), "not signed in yet")
            #expect(await harness.app.sessions.count == 0, "no session on the password alone")
            #expect(try await browser.get("/").location == "/login")
            // The code form is bound to the login whose password was right.
            try await browser.signIn(ReviewHarness.london)
            let swapped = try await browser.post("/login/code", ["login": ReviewHarness.scotland, "code": code])
            #expect(swapped.status == .forbidden)
            try await browser.signIn(ReviewHarness.london)
            let wrong = try await browser.post("/login/code", ["login": ReviewHarness.london, "code": code == "000000" ? "111111" : "000000"])
            #expect(wrong.status == .unauthorized)
            let right = try await browser.post("/login/code", ["login": ReviewHarness.london, "code": code])
            #expect(right.status == .seeOther)
            #expect(try await browser.get("/").status == .ok)

            let replay = Browser(client)
            try await replay.signIn(ReviewHarness.london)
            #expect(try await replay.post("/login/code", ["login": ReviewHarness.london, "code": code]).status == .unauthorized,
                    "a code is good once")
            let recovery = setup.recoveryCodes[3]
            try await replay.signIn(ReviewHarness.london)
            #expect(try await replay.post("/login/code", ["login": ReviewHarness.london, "code": recovery.uppercased()]).status == .seeOther)
            let again = Browser(client)
            try await again.signIn(ReviewHarness.london)
            #expect(try await again.post("/login/code", ["login": ReviewHarness.london, "code": recovery]).status == .unauthorized,
                    "a recovery code is good once")
            // 30 seconds on, the next code works.
            harness.advance(minutes: 0.5)
            let next = try Self.code(uri: setup.uri, at: harness.clock.now)
            try await again.signIn(ReviewHarness.london)
            #expect(try await again.post("/login/code", ["login": ReviewHarness.london, "code": next]).status == .seeOther)
        }
        let trail = try await harness.store.auditTrail(messageID: nil).map(\.entry.action)
        #expect(trail.contains(.secondFactorSet))
    }

    @Test func wrongCodesLockTheAccountAndTheRightPasswordDoesNotUnlockIt() async throws {
        // Each attempt from another address (behind a trusted proxy), so only the account's own
        // count of wrong codes can lock it.
        let forwarded = HTTPField.Name("X-Forwarded-For")!
        let harness = try await ReviewHarness(settings: ReviewSettings(trustedProxies: [try #require(NetworkRange("127.0.0.1/32"))]))
        let setup = try await Self.setUp(harness, ReviewHarness.london)
        try await harness.test(.live) { client in
            for guess in 0..<5 {
                let browser = Browser(client)
                let from: HTTPFields = [forwarded: "198.51.100.\(guess + 1)"]
                #expect(try await browser.signIn(ReviewHarness.london, headers: from).text.contains("id=\"code-form\""), "the password is right")
                let wrong = try await browser.post(
                    "/login/code", ["login": ReviewHarness.london, "code": String(format: "%06d", 123_450 + guess)], headers: from)
                #expect(wrong.status == .unauthorized, "guess \(guess)")
            }
            let browser = Browser(client)
            let from: HTTPFields = [forwarded: "198.51.100.99"]
            #expect(try await browser.signIn(ReviewHarness.london, headers: from).text.contains("id=\"code-form\""))
            let code = try Self.code(uri: setup.uri, at: harness.clock.now)
            let right = try await browser.post("/login/code", ["login": ReviewHarness.london, "code": code], headers: from)
            #expect(right.status == .tooManyRequests, "locked after 5 wrong codes, even with the right password and code")
        }
        #expect(await harness.app.sessions.count == 0)
    }

    @Test func whenRequiredAnAccountWithoutASecondFactorCannotSignIn() async throws {
        let harness = try await ReviewHarness(settings: ReviewSettings(requireTOTP: true))
        try await harness.test { client in
            let browser = Browser(client)
            let refused = try await browser.signIn(ReviewHarness.london)
            #expect(refused.status == .forbidden)
            #expect(refused.text.contains("steward user totp"))
            #expect(try await browser.get("/").location == "/login")
        }
        #expect(await harness.app.sessions.count == 0)
        let setup = try await Self.setUp(harness, ReviewHarness.london)
        try await harness.test { client in
            let browser = Browser(client)
            #expect(try await browser.signIn(ReviewHarness.london).text.contains("id=\"code-form\""))
            let code = try Self.code(uri: setup.uri, at: harness.clock.now)
            #expect(try await browser.post("/login/code", ["login": ReviewHarness.london, "code": code]).status == .seeOther)
        }
    }
}
