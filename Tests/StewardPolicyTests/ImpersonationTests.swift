import Foundation
import StewardCore
import Testing
@testable import StewardPolicy
import StewardEngine
import StewardTestSupport

/// The impersonation family (clause 14) against the shipped Policies/ (officials Alex Morgan,
/// General Secretary; Sam Okafor and Morag Campbell, Branch Secretaries; Chris Lee, Assistant
/// Branch Secretary; login clee owns chris.lee@ and london.office@london.union.example).
@Suite struct ImpersonationTests {
    static let shipped: Policy = {
        do { return try Policy.parse(PolicyDirectoryReader.read(Fixtures.shippedPolicies)) } catch { fatalError("\(error)") }
    }()

    static func message(
        from: [MailboxAddress] = [], sender: [MailboxAddress] = [], replyTo: [MailboxAddress] = [],
        headers: [(String, String)] = [], text: String = "Dear member, the meeting is on Thursday."
    ) -> InspectedMessage {
        var raw = headers.map { RawHeader(name: $0.0, rawValue: Array(" \($0.1)".utf8)) }
        raw.append(RawHeader(name: "Subject", rawValue: Array(" Meeting".utf8)))
        var addresses: [String: [MailboxAddress]] = [:]
        if !from.isEmpty { addresses["from"] = from }
        if !sender.isEmpty { addresses["sender"] = sender }
        if !replyTo.isEmpty { addresses["reply-to"] = replyTo }
        let body = MessagePart(path: [], contentType: "text/plain", content: Array(text.utf8), text: text)
        return InspectedMessage(headers: raw, root: body, size: 200, addresses: addresses)
    }

    static func incoming(from sender: String, client: String = "198.51.100.7", name: String? = nil) -> Envelope {
        Envelope(sender: sender, recipients: ["bob@london.union.example"], clientAddress: client, clientName: name)
    }

    static func submission(login: String, from sender: String, to recipient: String = "carol@partner.example") -> Envelope {
        Envelope(sender: sender, recipients: [recipient], authUser: login, clientAddress: "127.0.0.1")
    }

    /// Impersonation findings only, as (rule, detail).
    static func findings(_ message: InspectedMessage, _ envelope: Envelope, policy: Policy = shipped) -> [Finding] {
        Evaluator(policy: policy).evaluate(message, envelope: envelope).findings.filter { $0.kind == "impersonation" }
    }

    static func rules(_ message: InspectedMessage, _ envelope: Envelope, policy: Policy = shipped) -> Set<String> {
        Set(findings(message, envelope, policy: policy).map(\.rule))
    }

    static func policy(_ rules: String) throws -> Policy {
        try Fixtures.policy(defaults: Fixtures.defaults + "\n" + rules)
    }

    // MARK: Logins

    @Test func aMemberSendingAsTheirOwnAddressIsFine() {
        let own = Self.message(from: [MailboxAddress(name: "Chris Lee", address: "chris.lee@london.union.example")])
        let verdict = Evaluator(policy: Self.shipped).evaluate(own, envelope: Self.submission(login: "clee", from: "chris.lee@london.union.example"))
        #expect(verdict.action == .accept, "\(verdict.findings)")
        #expect(verdict.findings.isEmpty)
    }

    @Test func aMemberSendingAsAnotherMemberIsRejectedWithAReplyThatSaysWhy() throws {
        let forged = Self.message(from: [MailboxAddress(name: "Lab", address: "general.secretary@union.example")])
        let verdict = Evaluator(policy: Self.shipped).evaluate(
            forged, envelope: Self.submission(login: "clee", from: "general.secretary@union.example"))
        #expect(verdict.action == .reject)
        let finding = try #require(verdict.findings.first { $0.rule == "impersonation-login-mismatch" })
        #expect(finding.clause == "14")
        #expect(finding.detail.contains("the login clee sent as general.secretary@union.example"))
        let reply = try #require(verdict.reply)
        #expect(reply.code == "550" && reply.status == "5.7.1")
        #expect(reply.text.contains("your login is not allowed to use"))
        #expect(reply.text.contains("clause 14"))
        // Internal mail too (clause 11): to another member.
        let internalMail = Evaluator(policy: Self.shipped).evaluate(
            forged, envelope: Self.submission(login: "clee", from: "general.secretary@union.example", to: "bob@london.union.example"))
        #expect(internalMail.direction == .internal)
        #expect(internalMail.action == .reject)
    }

    @Test func namesQuotedInFindingsAreOneLine() {
        let message = Self.message(from: [MailboxAddress(name: "Alex Morgan\r\nX-Evil: 1", address: "x@mail.example")])
        let detail = Self.findings(message, Self.incoming(from: "x@mail.example")).first { $0.rule == "impersonation-official-name" }?.detail
        #expect(detail?.contains("\"Alex Morgan  X-Evil: 1\"") == true, "\(detail ?? "none")")
    }

    @Test func theHeaderFromAndSenderAreCheckedNotOnlyTheEnvelope() {
        let fromForged = Self.message(from: [MailboxAddress(address: "sam.okafor@union.example")])
        #expect(Self.rules(fromForged, Self.submission(login: "clee", from: "chris.lee@london.union.example"))
            == ["impersonation-login-mismatch"])
        let senderForged = Self.message(
            from: [MailboxAddress(address: "chris.lee@london.union.example")],
            sender: [MailboxAddress(address: "secretary@scotland.union.example")])
        let details = Self.findings(senderForged, Self.submission(login: "clee", from: "chris.lee@london.union.example")).map(\.detail)
        #expect(details.count == 1)
        #expect(details.first?.contains("secretary@scotland.union.example (Sender)") == true)
    }

    @Test func sharedRoleAddressesAndSameNamedLoginsAreOwned() throws {
        let office = Self.message(from: [MailboxAddress(name: "London Office", address: "london.office@london.union.example")])
        #expect(Self.rules(office, Self.submission(login: "clee", from: "london.office@london.union.example")).isEmpty)
        // Not in the map: the login of the same name owns it, and only that login.
        let bob = Self.message(from: [MailboxAddress(address: "bob@london.union.example")])
        #expect(Self.rules(bob, Self.submission(login: "bob", from: "bob@london.union.example")).isEmpty)
        #expect(Self.rules(bob, Self.submission(login: "alice", from: "bob@london.union.example")) == ["impersonation-login-mismatch"])
        // Switched off, only the map counts: bob is then no one's.
        let strict = try Self.policy("  impersonation-login-mismatch: {action: reject, login_owns_local_part: false}")
        let south = Self.message(from: [MailboxAddress(address: "bob@north.union.example")])
        #expect(Self.rules(south, Self.submission(login: "bob", from: "bob@north.union.example"), policy: strict)
            == ["impersonation-login-mismatch"])
    }

    @Test func outsideAddressesBelongToALoginOnlyThroughTheLoginMap() {
        // Issue 12: Postfix's reject_sender_login_mismatch for any address, not only the union's.
        let personal = Self.message(from: [MailboxAddress(name: "Chris", address: "chris@home.example")])
        #expect(Self.rules(personal, Self.submission(login: "clee", from: "chris@home.example")) == ["impersonation-login-mismatch"])
    }

    // MARK: Unauthenticated mail from the union's networks

    @Test func unauthenticatedInsideMailIsCheckedOnlyWhenSwitchedOnAndNotFromATrustedRelay() throws {
        let claims = Self.message(from: [MailboxAddress(address: "gs@union.example")])
        let fromDesk = Envelope(sender: "gs@union.example", recipients: ["x@elsewhere.example"], clientAddress: "192.0.2.50")
        let fromRelay = Envelope(sender: "gs@union.example", recipients: ["x@elsewhere.example"], clientAddress: "192.0.2.1")
        let off = try Fixtures.policy()
        #expect(Self.rules(claims, fromDesk, policy: off).isEmpty, "off by default")
        let on = try Self.policy("  impersonation-unauthenticated-inside: {action: quarantine, trusted_relays: [192.0.2.1/32]}")
        let findings = Self.findings(claims, fromDesk, policy: on)
        #expect(findings.map(\.rule) == ["impersonation-unauthenticated-inside"])
        #expect(findings.first?.detail.contains("from 192.0.2.50, which is not a trusted relay") == true)
        // Internal forwarding by the union's own relay.
        #expect(Self.rules(claims, fromRelay, policy: on).isEmpty)
        // Locally submitted mail (no client address) is the server itself.
        #expect(Self.rules(claims, Envelope(sender: "gs@union.example", recipients: ["x@elsewhere.example"]), policy: on).isEmpty)
    }

    // MARK: Spoofed union domains (incoming)

    @Test func mailFromOutsideClaimingAUnionAddressIsASpoof() {
        let spoof = Self.message(from: [MailboxAddress(name: "Alex Morgan", address: "general.secretary@union.example")])
        let verdict = Evaluator(policy: Self.shipped).evaluate(spoof, envelope: Self.incoming(from: "bounce@bulk.example"))
        #expect(verdict.direction == .incoming)
        #expect(verdict.action == .quarantine)
        let spoofs = verdict.findings.filter { $0.rule == "impersonation-spoofed-union-domain" }
        #expect(spoofs.count == 1)
        #expect(spoofs.first?.detail.contains("From claims general.secretary@union.example") == true)
        // The envelope sender alone is enough.
        let envelopeOnly = Self.message(from: [MailboxAddress(address: "news@partner.example")])
        #expect(Self.rules(envelopeOnly, Self.incoming(from: "payroll@london.union.example")) == ["impersonation-spoofed-union-domain"])
        // Ordinary outside mail is not.
        let outside = Self.message(from: [MailboxAddress(name: "Carol", address: "carol@partner.example")])
        #expect(Self.rules(outside, Self.incoming(from: "carol@partner.example")).isEmpty)
    }

    @Test func aPassFromATrustedAuthservIDLetsUnionMailFromOutsideThrough() throws {
        let policy = try Self.policy("  impersonation-spoofed-union-domain: {action: quarantine, trusted_authserv_ids: [mx.union.example]}")
        let from = [MailboxAddress(address: "news@union.example")]
        let envelope = Self.incoming(from: "bounces@esp.example")
        func with(_ results: String...) -> InspectedMessage {
            Self.message(from: from, headers: results.map { ("Authentication-Results", $0) })
        }
        #expect(Self.rules(with("mx.union.example; dmarc=pass (p=reject dis=none) header.from=union.example"), envelope, policy: policy).isEmpty)
        #expect(Self.rules(with("mx.union.example 1; dkim=pass (2048-bit key) header.d=union.example header.s=s1; spf=fail smtp.mailfrom=esp.example"), envelope, policy: policy).isEmpty)
        // Not trusted, failing, or for another domain: still a spoof.
        #expect(!Self.rules(with("evil.example; dmarc=pass header.from=union.example"), envelope, policy: policy).isEmpty)
        #expect(!Self.rules(with("mx.union.example; dmarc=fail header.from=union.example"), envelope, policy: policy).isEmpty)
        #expect(!Self.rules(with("mx.union.example; dkim=pass header.d=esp.example"), envelope, policy: policy).isEmpty)
        // A forged pass below the trusted server's own header does not count.
        #expect(!Self.rules(with("mx.union.example; dmarc=fail header.from=union.example",
                                 "mx.union.example; dmarc=pass header.from=union.example"), envelope, policy: policy).isEmpty)
        // With no trusted id configured, nobody's header is believed.
        #expect(!Self.rules(with("mx.union.example; dmarc=pass header.from=union.example"), envelope).isEmpty)
    }

    @Test func anAllowedSenderAndSourcePairMaySendAsTheUnion() throws {
        let policy = try Self.policy("""
          impersonation-spoofed-union-domain:
            action: quarantine
            allowed_senders: ["payslips@union.example 203.0.113.0/24", "@north.union.example mailer.payroll.example"]
        """)
        let payslip = Self.message(from: [MailboxAddress(name: "Payroll", address: "payslips@union.example")])
        #expect(Self.rules(payslip, Self.incoming(from: "payslips@union.example", client: "203.0.113.9"), policy: policy).isEmpty)
        #expect(!Self.rules(payslip, Self.incoming(from: "payslips@union.example", client: "198.51.100.7"), policy: policy).isEmpty)
        let north = Self.message(from: [MailboxAddress(address: "pay@north.union.example")])
        #expect(Self.rules(north, Self.incoming(from: "pay@north.union.example", name: "out1.mailer.payroll.example"), policy: policy).isEmpty)
        #expect(!Self.rules(north, Self.incoming(from: "pay@north.union.example", name: "mailer.payroll.example.evil.example"), policy: policy).isEmpty)
    }

    @Test func authenticationResultsParsing() throws {
        let header = try #require(AuthenticationResults(
            #"MX.Union.Example 1 (comment; with semicolon); dkim=pass (good "sig") header.d=union.example header.s="s 1"; dmarc/1=FAIL reason="x; y" header.from=union.example; spf=none"#))
        #expect(header.authservID == "mx.union.example")
        #expect(header.results.map(\.method) == ["dkim", "dmarc", "spf"])
        #expect(header.results[0].properties["header.d"] == "union.example")
        #expect(header.results[0].properties["header.s"] == "s 1")
        #expect(header.results[1].result == "fail")
        #expect(header.results[1].properties["header.from"] == "union.example")
        #expect(AuthenticationResults("mx.example; none")?.results.isEmpty == true)
        #expect(AuthenticationResults("  ") == nil)
    }

    // MARK: Officials' names

    @Test(arguments: [
        "Alex Morgan", "ALEX  MORGAN", "Morgan, Alex", "Álex Mórgan", "\u{0410}lex M\u{043E}rgan", "AIex Morgan",
        "Alex Morgan (General Secretary)", "General Secretary", "Priya Shah", "Assistant General Secretary",
        "Example Union", "Chris Lee, Assistant Branch Secretary",
    ])
    func anOfficialsNameOrTitleOnAnotherAddressIsCaught(name: String) {
        let message = Self.message(from: [MailboxAddress(name: name, address: "urgent.request@mail.example")])
        let found = Self.findings(message, Self.incoming(from: "urgent.request@mail.example"))
        #expect(found.map(\.rule).contains("impersonation-official-name"), "\(name): \(found)")
        #expect(found.first?.detail.contains("urgent.request@mail.example, an address that is not theirs") == true)
    }

    @Test(arguments: [
        ("Alex Turner", "alex@partner.example"),  // shares a first name
        ("Alex", "alex@partner.example"),
        ("Morgan Stanley Payroll", "payroll@partner.example"),
        ("Secretary of the Partner Society", "secretary@partner.example"),
        ("Alexander Morgan-Smith", "ams@partner.example"),
    ])
    func ordinaryNamesAreNotCaught(name: String, address: String) {
        let message = Self.message(from: [MailboxAddress(name: name, address: address)])
        #expect(Self.rules(message, Self.incoming(from: address)).isEmpty)
    }

    @Test func officialsMayUseTheirNamesOnTheirOwnAndTheirRoleAddresses() {
        func rules(_ name: String, _ address: String, login: String) -> Set<String> {
            Self.rules(Self.message(from: [MailboxAddress(name: name, address: address)]),
                       Self.submission(login: login, from: address))
        }
        #expect(rules("Alex Morgan, General Secretary", "general.secretary@union.example", login: "amorgan").isEmpty)
        #expect(rules("Alex Morgan", "office@union.example", login: "amorgan").isEmpty, "office@ is amorgan's role address")
        #expect(rules("Chris Lee, Assistant Branch Secretary", "chris.lee@london.union.example", login: "clee").isEmpty)
        #expect(rules("Branch Secretary", "secretary@scotland.union.example", login: "mcampbell").isEmpty)
        #expect(rules("Example Union London Office", "london.office@london.union.example", login: "clee").isEmpty)
        // A member using an official's title on their own address.
        #expect(rules("General Secretary", "bob@london.union.example", login: "bob") == ["impersonation-official-name"])
    }

    @Test func aMailingListThatRewritesFromIsNotAnImpersonator() {
        let list = Self.message(
            from: [MailboxAddress(name: "Alex Morgan via Branch News", address: "branch-news@lists.partner.example")],
            headers: [("List-Id", "Branch News <branch-news.lists.partner.example>"),
                      ("List-Post", "<mailto:branch-news@lists.partner.example>")])
        #expect(Self.rules(list, Self.incoming(from: "branch-news-bounces@lists.partner.example")).isEmpty)
        // The same name without the list headers is caught.
        let bare = Self.message(from: [MailboxAddress(name: "Alex Morgan via Branch News", address: "branch-news@lists.partner.example")])
        #expect(Self.rules(bare, Self.incoming(from: "x@lists.partner.example")) == ["impersonation-official-name"])
    }

    @Test func branchesCanProtectMoreNames() throws {
        let policy = try Self.policy("  impersonation-official-name: {action: quarantine, protected_names: [\"Membership Team\", \"Head of Legal <legal@union.example>\"]}")
        let team = Self.message(from: [MailboxAddress(name: "Membership  Team", address: "renewals@mail.example")])
        #expect(Self.rules(team, Self.incoming(from: "renewals@mail.example"), policy: policy) == ["impersonation-official-name"])
        let legal = Self.message(from: [MailboxAddress(name: "Head of Legal", address: "legal@union.example")])
        #expect(Self.rules(legal, Envelope(sender: "legal@union.example", recipients: ["kim@north.union.example"], authUser: "legal", clientAddress: "192.0.2.9"), policy: policy).isEmpty)
    }

    @Test func aPartnerWhosePeopleShareATitleCanBeAllowed() throws {
        let partner = Self.message(from: [MailboxAddress(name: "Jo Bloggs, Branch Secretary", address: "jo@partner-union.example")])
        let envelope = Self.incoming(from: "jo@partner-union.example")
        #expect(Self.rules(partner, envelope) == ["impersonation-official-name"])
        let policy = try Self.policy("  impersonation-official-name: {action: quarantine, allowed_domains: [partner-union.example]}")
        let branchSecretary = Self.message(from: [MailboxAddress(name: "Jo Bloggs, Branch Secretary", address: "jo@partner-union.example")])
        #expect(Self.rules(branchSecretary, envelope, policy: policy).isEmpty)
    }

    @Test func aDisplayNameShowingAnotherAddressIsCaught() {
        let message = Self.message(from: [MailboxAddress(name: "general.secretary@union.example", address: "x@mail.example")])
        let found = Self.findings(message, Self.incoming(from: "x@mail.example"))
        #expect(found.map(\.rule).contains("impersonation-address-in-name"))
        #expect(found.contains { $0.detail == "From shows the address general.secretary@union.example in its name but is really from x@mail.example" })
        let honest = Self.message(from: [MailboxAddress(name: "carol@partner.example", address: "carol@partner.example")])
        #expect(Self.rules(honest, Self.incoming(from: "carol@partner.example")).isEmpty)
    }

    // MARK: Look-alike domains

    @Test(arguments: [
        ("ceo@un\u{0456}on.example", "look-alike characters"),  // Cyrillic і
        ("ceo@xn--unon-m9d.example", "look-alike characters"),  // the same, as punycode
        ("ceo@unoin.example", "one character away"),
        ("ceo@unlon.example", "one character away"),
        ("ceo@union.example.evil.example", "in front of another domain"),
        ("ceo@london.union.example.evil.example", "in front of another domain"),
        ("ceo@union.org", "with another ending"),
        ("ceo@union.co.uk", "with another ending"),
        ("ceo@mail.uni0n.example", "look-alike characters"),
        ("payroll@union-example.com", "written as union-example"),
        ("payroll@unionexample.org", "written as unionexample"),
        ("payroll@mail.union-example.co", "written as union-example"),
        ("payroll@union.example-login.com", "starts a name with the union's domain"),
        ("payroll@union-example-payroll.com", "written as union-example"),
        ("payroll@myunion.example", "with a login, payroll or help word added"),
        ("payroll@union-hr.example", "with a login, payroll or help word added"),
        ("payroll@mail.secure-union.example", "with a login, payroll or help word added"),
        ("payroll@unionpayroll.example", "with a login, payroll or help word added"),
        ("payroll@my-union-portal.example", "with a login, payroll or help word added"),
        ("payroll@myunionlogin.example", "with a login, payroll or help word added"),
        ("payroll@union-it-helpdesk.example", "with a login, payroll or help word added"),
        ("payroll@union-sign-in.example", "with a login, payroll or help word added"),
        ("payroll@union-payroll-2026.example", "with a login, payroll or help word added"),
        ("payroll@unlon-login.example", "with a login, payroll or help word added"),
        ("payroll@un\u{00ED}on-hr.example", "with a login, payroll or help word added"),
        ("payroll@union-it-team.example", "with a login, payroll or help word added"),
        ("payroll@union-login-uk.example", "with a login, payroll or help word added"),
        ("payroll@union-strike-pay.example", "with a login, payroll or help word added"),
        ("payroll@xn--myunon-svf.example", "with a login, payroll or help word added"),  // myunіon, Cyrillic і
        ("payroll@union-p\u{0430}yroll.example", "with a login, payroll or help word added"),  // Cyrillic а
        ("payroll@uni0n-hr.example", "with a login, payroll or help word added"),
        ("payroll@union365.example", "with a login, payroll or help word added"),
        ("payroll@union-m365.example", "with a login, payroll or help word added"),
    ])
    func lookalikeSenderDomainsAreCaught(address: String, why: String) {
        let message = Self.message(from: [MailboxAddress(address: address)])
        let found = Self.findings(message, Self.incoming(from: "bounce@bulk.example")).filter { $0.rule == "impersonation-lookalike-domain" }
        #expect(found.count == 1, "\(address)")
        #expect(found.first?.detail.contains(why) == true, "\(found)")
    }

    @Test func lookalikesInReplyToAndLinksAreCaught() {
        let message = Self.message(
            from: [MailboxAddress(address: "carol@partner.example")],
            replyTo: [MailboxAddress(address: "carol@unoin.example")],
            text: "Renew here: <a href=\"https://login.union.example.evil.example/renew\">https://union.example/renew</a> or www.union.example")
        let details = Self.findings(message, Self.incoming(from: "carol@partner.example")).filter { $0.rule == "impersonation-lookalike-domain" }.map(\.detail)
        #expect(details.count == 2, "\(details)")
        #expect(details.contains { $0.hasPrefix("Reply-To: unoin.example") })
        #expect(details.contains { $0.hasPrefix("a link in the message: login.union.example.evil.example") })
    }

    @Test("a look-alike link written as browsers still follow it is caught", arguments: [
        "<a href=\"https:unoin.example/renew\">https://union.example/renew</a>",
        "<a href=\"https:/unoin.example/renew\">https://union.example/renew</a>",
        "<a href=\"https://un\noin.example/renew\">https://union.example/renew</a>",
        "<a href=\"ht&#9;tps://un&#10;oin.example/renew\">https://union.example/renew</a>",
    ])
    func lookalikeLinksWrittenOddlyAreCaught(link: String) {
        let message = Self.message(from: [MailboxAddress(address: "carol@partner.example")], text: "Renew here: \(link)")
        let details = Self.findings(message, Self.incoming(from: "carol@partner.example")).filter { $0.rule == "impersonation-lookalike-domain" }.map(\.detail)
        #expect(details.contains { $0.hasPrefix("a link in the message: unoin.example") }, "\(link): \(details)")
    }

    @Test func unionDomainsPartnersAndAllowedLookalikesAreNotCaught() throws {
        let ordinary = Self.message(
            from: [MailboxAddress(address: "kim@scotland.union.example")],
            text: "See https://www.union.example/news and https://partner.example/ and mailto:info@onion-router.example, https://union.partner.org/ "
                + "and https://union-examples-of-good-practice.org/, https://example-union.org/ and https://myunionexample.org/")
        #expect(Self.rules(ordinary, Self.submission(login: "kim", from: "kim@scotland.union.example")).isEmpty)
        let partner = Self.message(from: [MailboxAddress(address: "info@unison.example")])
        #expect(Self.rules(partner, Self.incoming(from: "info@unison.example")) == ["impersonation-lookalike-domain"])
        let policy = try Self.policy("  impersonation-lookalike-domain: {action: quarantine, allowed_domains: [unison.example]}")
        #expect(Self.rules(partner, Self.incoming(from: "info@unison.example"), policy: policy).isEmpty)
        let tight = try Self.policy("  impersonation-lookalike-domain: {action: quarantine, max_edit_distance: 0}")
        #expect(Self.rules(partner, Self.incoming(from: "info@unison.example"), policy: tight).isEmpty)
    }

    @Test("the union's name with another word, or a service word under another ending, is someone else's", arguments: [
        "news@reunion.example", "news@communion.example", "news@union-jack.example", "news@credit-union.example", "news@unionist.example",
        "news@myunion.org", "news@union-hr.org", "news@credit-union-online.example", "news@students-union-help.example",
        "news@union-street-office.example", "news@uniondrive.example", "news@theunion.example", "news@unionpay.example",
        "news@union-legal-services.example", "news@union-benefits.example", "news@team-union.example", "news@union-app.example",
        "news@unionvote.example", "news@unionmembers.example", "news@union-pensions.example", "news@union-security.example",
        "news@onion-router.example", "news@union-uk.example", "news@union-members.example", "news@union-ballot.example",
    ])
    func nameWithOtherWordsIsNotCaught(address: String) {
        let message = Self.message(from: [MailboxAddress(address: address)])
        #expect(Self.rules(message, Self.incoming(from: address)).isEmpty, "\(address)")
    }

    @Test("random domains made of the union's name, service words, look-alike letters and digits never stop the look-alike check")
    func randomCousinDomains() {
        let lookalikes = LookalikeDomains(domains: ["union.example"])
        let pieces = ["union", "un\u{0456}on", "unlon", "my", "hr", "login", "-", "--", "0", "1", "2026", "\u{00E9}", "xn--", "uk", "team",
                      "it", "services", "credit", "a", "\u{0301}", ".", "reunion", "payroll", "\u{FF0E}"]
        var generator = SplitMix64(seed: 0xD0_3A1E)
        for _ in 0..<3000 {
            let label = (0..<Int.random(in: 1...8, using: &generator)).map { _ in pieces.randomElement(using: &generator)! }.joined()
            _ = lookalikes.resemblance(of: label + ".example", maxEditDistance: 1)
        }
        #expect(lookalikes.resemblance(of: "union-hr.example", maxEditDistance: 1) != nil)
    }

    @Test func editDistanceCountsASwapAsOneEdit() {
        func distance(_ a: String, _ b: String) -> Int {
            LookalikeDomains.editDistance(Array(a.unicodeScalars), Array(b.unicodeScalars), limit: 3)
        }
        #expect(distance("union", "union") == 0)
        #expect(distance("union", "unoin") == 1)
        #expect(distance("union", "unions") == 1)
        #expect(distance("union", "onion") == 1)
        #expect(distance("union", "xyz") == 4)
    }

    // MARK: Reply-To divergence

    @Test func replyToOutsideTheUnionFromAUnionOrOfficialFromIsCaught() throws {
        let policy = try Self.policy("  impersonation-spoofed-union-domain: {action: quarantine, trusted_authserv_ids: [mx.union.example]}")
        let message = Self.message(
            from: [MailboxAddress(address: "news@union.example")], replyTo: [MailboxAddress(address: "claims@mail.example")],
            headers: [("Authentication-Results", "mx.union.example; dmarc=pass header.from=union.example")])
        let found = Self.findings(message, Self.incoming(from: "news@union.example"), policy: policy)
        #expect(found.map(\.rule) == ["impersonation-reply-divergence"])
        #expect(found.first?.detail == "From claims the union address news@union.example, but Reply-To sends replies to claims@mail.example, outside the union")
        // Replies to the union are fine; a member who logged in may not send replies to an
        // outside mailbox their login does not own (issue 12, LoginOwnershipTests).
        let inside = Self.message(from: [MailboxAddress(address: "news@union.example")], replyTo: [MailboxAddress(address: "office@union.example")],
                                  headers: [("Authentication-Results", "mx.union.example; dmarc=pass header.from=union.example")])
        #expect(Self.rules(inside, Self.incoming(from: "news@union.example"), policy: policy).isEmpty)
        let member = Self.message(from: [MailboxAddress(address: "bob@north.union.example")], replyTo: [MailboxAddress(address: "bob@home.example")])
        #expect(Self.rules(member, Envelope(sender: "bob@north.union.example", recipients: ["x@elsewhere.example"], authUser: "bob", clientAddress: "192.0.2.9"), policy: policy)
            == ["impersonation-reply-divergence"])
        // An official's name with replies going elsewhere.
        let official = Self.message(from: [MailboxAddress(name: "Sam Okafor", address: "sam@mail.example")],
                                    headers: [("Return-Path", "<payments@other.example>")])
        #expect(Self.rules(official, Self.incoming(from: "sam@mail.example")) == ["impersonation-official-name", "impersonation-reply-divergence"])
    }

    // MARK: ICU

    @Test func confusableSkeletonsAndIDNA() {
        #expect(Confusables.skeleton("p\u{0430}yp\u{0430}l") == Confusables.skeleton("paypal"))
        #expect(Confusables.skeleton("rn") == Confusables.skeleton("m"))
        #expect(Confusables.skeleton("union") != Confusables.skeleton("onion"))
        #expect(Confusables.unicodeDomain("xn--unon-m9d.example") == "un\u{0456}on.example")
        #expect(Confusables.unicodeDomain("UNION.Example") == "union.example")
        #expect(NameFolding.words("  Morgan,\tÁLEX ") == NameFolding.words("morgan alex"))
        #expect(NameFolding.words("\u{0410}lex") == NameFolding.words("Alex"))
    }
}
