import Foundation
import StewardCore
import Testing
@testable import StewardPolicy

/// Issue 12, clause 14: a login sends only as addresses it owns — outside addresses too — and a
/// member's own message may not divert replies to a mailbox that is neither the union's nor theirs.
@Suite struct LoginOwnershipTests {
    typealias T = ImpersonationTests

    static let mapWithPersonal = Fixtures.loginMap + "\njo.personal@mail.example    nsec\n"

    static func policy(extra: String = "", loginMap: String = mapWithPersonal) throws -> Policy {
        try Policy.parse(Fixtures.files(
            defaults: Fixtures.defaults + """

              impersonation-login-mismatch: {action: reject\(extra)}
              impersonation-reply-divergence: {action: quarantine}
            """,
            loginMap: loginMap))
    }

    static func from(_ address: String) -> [MailboxAddress] { [MailboxAddress(name: "Jo", address: address)] }

    @Test("a login sending as an outside address it does not own is refused (envelope sender and From)")
    func outsideAddressNotOwned() throws {
        let policy = try Self.policy()
        let envelope = T.submission(login: "nsec", from: "ceo@bank.example")
        let findings = T.findings(T.message(from: Self.from("ceo@bank.example")), envelope, policy: policy)
        #expect(findings.map(\.rule) == ["impersonation-login-mismatch"])
        #expect(findings.first?.detail == "the login nsec sent as ceo@bank.example (envelope sender), an address outside the union that the directory does not give that login")
        // Only the From line forged, the envelope the member's own.
        let headerOnly = T.findings(T.message(from: Self.from("ceo@bank.example")), T.submission(login: "nsec", from: "sec@north.union.example"), policy: policy)
        #expect(headerOnly.map(\.detail) == ["the login nsec sent as ceo@bank.example (From), an address outside the union that the directory does not give that login"])
        #expect(Evaluator(policy: policy).evaluate(T.message(from: Self.from("ceo@bank.example")), envelope: envelope).action == .reject)
    }

    @Test("the member's declared personal address passes; not when the branch turns personal addresses off")
    func personalAddress() throws {
        let message = T.message(from: Self.from("jo.personal@mail.example"))
        let envelope = T.submission(login: "nsec", from: "jo.personal@mail.example")
        #expect(T.findings(message, envelope, policy: try Self.policy()).isEmpty)
        // Another login may not use it.
        #expect(T.rules(message, T.submission(login: "ssec", from: "jo.personal@mail.example"), policy: try Self.policy()) == ["impersonation-login-mismatch"])
        let strict = try Self.policy(extra: ", personal_addresses: false")
        #expect(T.rules(message, envelope, policy: strict) == ["impersonation-login-mismatch"])
    }

    @Test("the union's own list software may pass on posts under their authors' addresses")
    func exemptLogin() throws {
        let policy = try Self.policy(extra: ", exempt_logins: [listserver]")
        let post = T.message(from: Self.from("someone@home.example"))
        #expect(T.findings(post, T.submission(login: "listserver", from: "someone@home.example"), policy: policy).isEmpty)
    }

    @Test("a member's Reply-To to an outside mailbox their login does not own is held")
    func replyDiverted() throws {
        let policy = try Self.policy()
        let message = T.message(from: Self.from("sec@north.union.example"), replyTo: [MailboxAddress(name: "North Branch Office", address: "north.union.office@freemail.example")])
        let findings = T.findings(message, T.submission(login: "nsec", from: "sec@north.union.example"), policy: policy)
        #expect(findings.map(\.rule) == ["impersonation-reply-divergence"])
        #expect(findings.first?.detail == "the login nsec set Reply-To to north.union.office@freemail.example: replies would go to a mailbox outside the union that the directory does not give that login")
    }

    @Test("Mail-Reply-To (where mutt, Gnus and Claws send replies) counts as Reply-To does")
    func mailReplyToDiverted() throws {
        let policy = try Self.policy()
        let envelope = T.submission(login: "nsec", from: "sec@north.union.example")
        let diverted = T.message(from: Self.from("sec@north.union.example"), headers: [("Mail-Reply-To", "North Branch Office <north.union.office@freemail.example>")])
        let findings = T.findings(diverted, envelope, policy: policy)
        #expect(findings.map(\.rule) == ["impersonation-reply-divergence"])
        #expect(findings.first?.detail == "the login nsec set Mail-Reply-To to north.union.office@freemail.example: replies would go to a mailbox outside the union that the directory does not give that login")
        for reply in ["jo.personal@mail.example", "office@north.union.example"] {
            let own = T.message(from: Self.from("sec@north.union.example"), headers: [("Mail-Reply-To", "<\(reply)>")])
            #expect(T.findings(own, envelope, policy: policy).isEmpty, "\(reply)")
        }
        // Mail-Followup-To is left alone: mutt fills it with a mailing list's address itself.
        let followup = T.message(from: Self.from("sec@north.union.example"), headers: [("Mail-Followup-To", "<list@lists.example>")])
        #expect(T.findings(followup, envelope, policy: policy).isEmpty)
    }

    @Test("a member's Reply-To to a union address or their own personal address passes")
    func replyToOwnOrUnion() throws {
        let policy = try Self.policy()
        let envelope = T.submission(login: "nsec", from: "sec@north.union.example")
        for reply in ["jo.personal@mail.example", "office@north.union.example", "gs@union.example"] {
            let message = T.message(from: Self.from("sec@north.union.example"), replyTo: [MailboxAddress(name: nil, address: reply)])
            #expect(T.findings(message, envelope, policy: policy).isEmpty, "\(reply)")
        }
    }
}

/// Postfix's `recipient_delimiter`: jo+branch@ is jo@ to the login map and to the login of the
/// same name, as `reject_sender_login_mismatch` looks it up.
@Suite struct AddressExtensionTests {
    typealias T = ImpersonationTests

    static func policy(delimiter: String? = nil) throws -> Policy {
        let directory = Fixtures.directory + (delimiter.map { "\nrecipient_delimiter: \"\($0)\"\n" } ?? "")
        return try Policy.parse(Fixtures.files(
            directory: directory,
            defaults: Fixtures.defaults + "\n  impersonation-login-mismatch: {action: reject}\n"))
    }

    static func rules(login: String, as address: String, policy: Policy) -> [String] {
        Array(T.rules(T.message(from: [MailboxAddress(name: "Jo", address: address)]), T.submission(login: login, from: address), policy: policy))
    }

    @Test("an address with an extension belongs to whoever owns it without one")
    func extensionsFollowTheirAddress() throws {
        let policy = try Self.policy()
        #expect(Self.rules(login: "jo", as: "jo+branch@union.example", policy: policy).isEmpty)
        #expect(Self.rules(login: "nsec", as: "sec+news@north.union.example", policy: policy).isEmpty, "the login map, without the extension")
        #expect(Self.rules(login: "ssec", as: "sec+news@north.union.example", policy: policy) == ["impersonation-login-mismatch"])
        #expect(Self.rules(login: "jo", as: "bob+jo@union.example", policy: policy) == ["impersonation-login-mismatch"], "the extension is not the owner")
        #expect(Self.rules(login: "jo", as: "+jo@union.example", policy: policy) == ["impersonation-login-mismatch"])
        let twoDelimiters = try Self.policy(delimiter: "+-")
        #expect(Self.rules(login: "jo", as: "jo-branch@union.example", policy: twoDelimiters).isEmpty)
    }

    @Test("with no delimiter an extension is part of another address")
    func noDelimiter() throws {
        let policy = try Self.policy(delimiter: "")
        #expect(Self.rules(login: "jo", as: "jo+branch@union.example", policy: policy) == ["impersonation-login-mismatch"])
        #expect(Self.rules(login: "jo", as: "jo@union.example", policy: policy).isEmpty)
    }

    @Test("a delimiter made of letters is refused with the reason")
    func badDelimiter() {
        let problems = Policy.lint(Fixtures.files(directory: Fixtures.directory + "\nrecipient_delimiter: \"x\"\n"))
        #expect(problems.contains { $0.message.contains("recipient_delimiter 'x' must be the characters that start an address extension") })
    }
}
