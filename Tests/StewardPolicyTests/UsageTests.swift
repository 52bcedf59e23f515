import StewardCore
import Testing
@testable import StewardPolicy

/// Clause 12, the usage family: chain letters, mass mailing, rate per login, auto-forwarding.
@Suite struct UsageTests {
    /// A member of North writing from the union (logged in), and the same from outside.
    static let member = "kim@north.union.example"
    static func fromMember(to recipients: [String], sender: String = member, login: String? = "kim") -> Envelope {
        Envelope(sender: sender, recipients: recipients, authUser: login, clientAddress: "203.0.113.9")
    }

    /// A message whose body is `body` (text/plain, or text/html), with a subject and headers.
    static func message(_ body: String, subject: String = "hello", html: Bool = false, headers: [(String, String)] = []) -> InspectedMessage {
        let root = MessagePart(path: [], contentType: html ? "text/html" : "text/plain", content: Array(body.utf8), text: body)
        return InspectedMessage(
            headers: [RawHeader(name: "Subject", rawValue: Array(" \(subject)".utf8))] + headers.map { RawHeader(name: $0.0, rawValue: Array(" \($0.1)".utf8)) },
            root: root, size: body.utf8.count, subject: subject)
    }

    static func verdict(_ message: InspectedMessage, _ envelope: Envelope, branches: [String: String] = [:], activity: LoginActivity? = nil, directory: String = Fixtures.directory) throws -> Verdict {
        let policy = try Policy.parse(Fixtures.files(directory: directory, branches: branches))
        return Evaluator(policy: policy).evaluate(message, envelope: envelope, activity: activity)
    }

    static func usage(_ verdict: Verdict) -> [Finding] { verdict.findings.filter { $0.kind == "usage" } }

    // MARK: Chain letters

    @Test(arguments: [
        ("Forward this to 10 people within the hour or you will have bad luck.", "asks readers to forward it to 10 people, in the message body"),
        ("PLEASE SEND THIS TO TEN OF YOUR FRIENDS!!!", "asks readers to send it to ten of their friends, in the message body"),
        ("Send this to everyone in your address book. It works!", "asks readers to send it to everyone in their address book, in the message body"),
        ("Share it with all your contacts today.", "asks readers to share it with all their contacts, in the message body"),
        ("Whatever you do, don't break the chain!", "says \"don't break the chain\", in the message body"),
        ("Don’t break the chain.", "says \"don't break the chain\", in the message body"),
        ("This is not a hoax, pass it on.", "says it is not a hoax (or threatens bad luck) and asks readers to pass it on, in the message body"),
        ("If you don't e-mail this to\n5 people you love, nothing changes.", "asks readers to e-mail it to 5 people, in the message body"),
        ("Forward to everyone!", "asks readers to forward it to everyone, in the message body"),
        ("Forward this to 10 colleagues within the hour and you will have good luck.",
         "asks readers to forward it to 10 colleagues, with luck promised or threatened, in the message body"),
        ("Send this to 7 co-workers. If you ignore it, bad luck will follow.",
         "asks readers to send it to 7 co workers, with luck promised or threatened, in the message body"),
        ("Don't break the chain of love! Send it on.", "says \"don't break the chain\", in the message body"),
    ])
    func chainLettersFromAMemberAreHeld(body: String, detail: String) throws {
        let verdict = try Self.verdict(Self.message(body), Self.fromMember(to: ["lee@south.union.example"]))
        #expect(verdict.action == .quarantine)
        #expect(Self.usage(verdict).map(\.detail) == [detail])
        #expect(Self.usage(verdict).map(\.rule) == ["chain-letter"])
        #expect(Self.usage(verdict).map(\.clause) == ["12"])
        #expect(Self.usage(verdict).map(\.branch) == ["north"], "judged by the sender's branch only")
    }

    @Test(arguments: [
        "I'll forward your grievance to the regional office this afternoon.",
        "Please forward this to your branch secretary.",
        "I am out of the office until Monday. Please forward anything urgent to my colleague Sam.",
        "We will send this to everyone on the committee.",
        "Please share this with everyone in your workplace and ask them to join the union.",
        "Forward this email to a friend. To unsubscribe, send an email to list-request@union.example.",
        "Please pass this on to the health and safety rep.",
        "Chain letters waste everyone's time; please do not send them.",
        "The branch sent 10 people to the conference.",
        "Please seal the samples so we don't break the chain of custody.",
        "Ministers must act now and do not break the chain of supply for care homes.",
        "Forward this to 3 colleagues and ask them to join the union before the ballot.",
        "Good luck on Friday! Please forward this to 2 colleagues who might want to stand as reps.",
        "This is not a joke: they are cutting our sick pay. Forward this to 5 colleagues today.",
        "The ballot closes within the hour, so forward this to your 3 closest colleagues now.",
    ])
    func benignTwinsPass(body: String) throws {
        let verdict = try Self.verdict(Self.message(body), Self.fromMember(to: ["lee@south.union.example"]))
        #expect(Self.usage(verdict).isEmpty, "\(body)")
        #expect(verdict.action == .accept)
    }

    @Test func theSubjectAnHTMLBodyAndAnAttachedMessageAreRead() throws {
        let subject = try Self.verdict(Self.message("see below", subject: "FW: FW: send this to 12 friends"), Self.fromMember(to: ["x@outside.example"]))
        #expect(Self.usage(subject).map(\.detail) == ["asks readers to send it to 12 friends, in the subject"])

        let html = try Self.verdict(
            Self.message("<p>Please <b>forward</b> this to 10&nbsp;people</p><p>Thanks</p>", html: true), Self.fromMember(to: ["lee@south.union.example"]))
        #expect(Self.usage(html).map(\.detail) == ["asks readers to forward it to 10 people, in the HTML body"])

        let inner = MessagePart(path: [2, 1], contentType: "text/plain", content: [], text: "Do not break this chain. Send it on.")
        let attached = MessagePart(path: [2], contentType: "message/rfc822", origin: .message, children: [inner])
        let body = MessagePart(path: [1], contentType: "text/plain", content: [], text: "Thought you would like this")
        let root = MessagePart(path: [], contentType: "multipart/mixed", origin: .multipart, children: [body, attached])
        let forwarded = try Self.verdict(InspectedMessage(headers: [], root: root, size: 10, subject: "Fwd: luck"), Self.fromMember(to: ["lee@south.union.example"]))
        #expect(Self.usage(forwarded).map(\.detail) == ["says \"do not break this chain\", in the message body (part 2.1)"])
    }

    @Test func incomingChainLettersAreMarkedNotHeldByDefault() throws {
        let verdict = try Self.verdict(Self.message("Forward this to 10 people!"), Fixtures.incoming(to: ["kim@north.union.example"]))
        #expect(verdict.action == .tag)
        #expect(Self.usage(verdict).map(\.rule) == ["chain-letter-incoming"])
        #expect(Self.usage(verdict).map(\.branch) == ["north"])
    }

    @Test func branchesAddPhrasesAndPatterns() throws {
        let north = """
            branch: north
            rules:
              chain-letter:
                extra_phrases: ["send this prayer"]
                patterns: ['lucky\\s+e-?mail']
            """
        let prayer = try Self.verdict(Self.message("Send this prayer, and your wish comes true."), Self.fromMember(to: ["a@union.example"]), branches: ["north": north])
        #expect(Self.usage(prayer).map(\.detail) == ["says \"send this prayer\", in the message body"])
        let lucky = try Self.verdict(Self.message("This is a LUCKY   EMAIL."), Self.fromMember(to: ["a@union.example"]), branches: ["north": north])
        #expect(Self.usage(lucky).map(\.detail) == ["matches the branch's chain-letter pattern \"lucky\\s+e-?mail\", in the message body"])
        // South has not added them.
        let south = try Self.verdict(Self.message("Send this prayer."), Self.fromMember(to: ["a@union.example"], sender: "lee@south.union.example", login: "lee"), branches: ["north": north])
        #expect(Self.usage(south).isEmpty)
    }

    @Test func lintNamesABadChainLetterPattern() {
        let problems = Policy.lint(Fixtures.files(branches: ["north": "branch: north\nrules:\n  chain-letter:\n    patterns: ['lucky(']\n"]))
        #expect(problems.count == 1)
        #expect(problems.first?.description.hasPrefix("P/branches/north.yaml:4: patterns: 'lucky(' is not a valid pattern") == true, "\(problems)")
    }

    @Test func lintNamesANegativeLimit() {
        let problems = Policy.lint(Fixtures.files(branches: ["north": "branch: north\nrules:\n  mass-mailing:\n    max_recipients: -5\n"]))
        #expect(problems.map(\.description) == ["P/branches/north.yaml:4: max_recipients: -5 is below 0; give a whole number of 0 or more"])
    }

    // MARK: Mass mailing

    static func recipients(_ count: Int, outside: Int) -> [String] {
        (0..<(count - outside)).map { "rep\($0)@north.union.example" } + (0..<outside).map { "person\($0)@elsewhere.example" }
    }

    @Test func aMemberMailingManyIsHeldWithTheNumbersInPlainWords() throws {
        let many = try Self.verdict(Self.message("Hello all"), Self.fromMember(to: Self.recipients(340, outside: 300)))
        #expect(many.action == .quarantine)
        #expect(Self.usage(many).map(\.detail) == ["sent to 340 recipients, 300 outside the union; the branch allows 25 outside"])
        let internalMany = try Self.verdict(Self.message("Hello all"), Self.fromMember(to: Self.recipients(101, outside: 0)))
        #expect(Self.usage(internalMany).map(\.detail) == ["sent to 101 recipients; the branch allows 100"])
        // The same address twice in the envelope is one recipient.
        let twice = try Self.verdict(Self.message("Hello"), Self.fromMember(to: Self.recipients(100, outside: 0) + ["REP1@north.union.example"]))
        #expect(Self.usage(twice).isEmpty)
    }

    @Test func anOfficerWritingToNinetyRepsPasses() throws {
        let verdict = try Self.verdict(Self.message("Dear reps, the ballot opens on Monday."), Self.fromMember(to: Self.recipients(90, outside: 20)))
        #expect(verdict.action == .accept)
        #expect(verdict.findings.isEmpty)
    }

    @Test func limitsArePerBranchAndTheSendersBranchJudges() throws {
        let north = "branch: north\nrules:\n  mass-mailing:\n    max_recipients: 20\n    max_outside_recipients: 2\n"
        let held = try Self.verdict(Self.message("Hi"), Self.fromMember(to: Self.recipients(21, outside: 0)), branches: ["north": north])
        #expect(Self.usage(held).map(\.detail) == ["sent to 21 recipients; the branch allows 20"])
        let outside = try Self.verdict(Self.message("Hi"), Self.fromMember(to: Self.recipients(5, outside: 3)), branches: ["north": north])
        #expect(Self.usage(outside).map(\.detail) == ["sent to 5 recipients, 3 outside the union; the branch allows 2 outside"])
        // A South member writing to 30 North members: South's limit (100) applies, not North's.
        let south = try Self.verdict(
            Self.message("Hi"), Self.fromMember(to: Self.recipients(30, outside: 0), sender: "lee@south.union.example", login: "lee"),
            branches: ["north": north])
        #expect(Self.usage(south).isEmpty)
        // Mail arriving from outside is not a member's mass mailing.
        let incoming = try Self.verdict(Self.message("Hi"), Fixtures.incoming(to: Self.recipients(300, outside: 0)))
        #expect(Self.usage(incoming).isEmpty)
    }

    static let directoryWithLists = Fixtures.directory + """

        mailing_lists:
          - name: North news
            address: news@north.union.example
          - name: Announcements
            login: listbot
        """

    @Test func listsTheUnionRunsAreExempt() throws {
        let everyone = Self.recipients(500, outside: 200)
        let newsletter = Self.message("North news: forward this to 10 people you know who should join!")
        // The list software sends as news-bounces@ (Mailman), without a login, from the host.
        let byAddress = try Self.verdict(
            newsletter, Envelope(sender: "news-bounces+kim=north.union.example@north.union.example", recipients: everyone),
            activity: LoginActivity(login: "x", messages: 900, recipients: 9000), directory: Self.directoryWithLists)
        #expect(byAddress.findings.isEmpty, "\(byAddress.findings)")
        let byLogin = try Self.verdict(
            newsletter, Self.fromMember(to: everyone, sender: "announce@union.example", login: "listbot"),
            activity: LoginActivity(login: "listbot", messages: 900, recipients: 9000), directory: Self.directoryWithLists)
        #expect(byLogin.findings.filter { $0.kind == "usage" }.isEmpty, "\(byLogin.findings)")
        // A member sending the same is held.
        let member = try Self.verdict(newsletter, Self.fromMember(to: everyone), directory: Self.directoryWithLists)
        #expect(Set(Self.usage(member).map(\.rule)) == ["mass-mailing", "chain-letter"])
    }

    @Test func mailingListEntriesAreLinted() {
        let bad = Fixtures.directory + "\nmailing_lists:\n  - name: no way to know it\n  - address: not-an-address\n  - login: two words\n"
        let problems = Policy.lint(Fixtures.files(directory: bad)).map(\.description)
        #expect(problems.count == 3, "\(problems)")
        #expect(problems.contains { $0.contains("a mailing list needs an `address:`") })
        #expect(problems.contains { $0.contains("'not-an-address' is not an address or @domain") })
        #expect(problems.contains { $0.contains("mailing list login 'two words' should be one word") })
    }

    // MARK: Rate per login

    @Test func aLoginOverItsHourlyLimitIsHeldInItsOwnWords() throws {
        let north = "branch: north\nrules:\n  login-rate:\n    max_messages: 40\n    max_recipients: 500\n"
        let envelope = Envelope(sender: "jbloggs@north.union.example", recipients: ["a@union.example"], authUser: "jbloggs", clientAddress: "203.0.113.9")
        let over = try Self.verdict(Self.message("hi"), envelope, branches: ["north": north], activity: LoginActivity(login: "jbloggs", messages: 47, recipients: 60))
        #expect(over.action == .quarantine)
        #expect(Self.usage(over).map(\.detail) == ["47th message from login jbloggs in the last hour; the branch allows 40"])
        let atLimit = try Self.verdict(Self.message("hi"), envelope, branches: ["north": north], activity: LoginActivity(login: "jbloggs", messages: 40, recipients: 60))
        #expect(atLimit.findings.isEmpty)
        let recipients = try Self.verdict(Self.message("hi"), envelope, branches: ["north": north], activity: LoginActivity(login: "jbloggs", messages: 3, recipients: 612))
        #expect(Self.usage(recipients).map(\.detail) == ["612 recipients from login jbloggs in the last hour; the branch allows 500"])
        // Another branch's default limit (50) lets the 47th through.
        let south = Envelope(sender: "jbloggs@south.union.example", recipients: ["a@union.example"], authUser: "jbloggs", clientAddress: "203.0.113.9")
        #expect(Self.usage(try Self.verdict(Self.message("hi"), south, branches: ["north": north], activity: LoginActivity(login: "jbloggs", messages: 47, recipients: 60))).isEmpty)
        #expect(LoginRate.ordinal(41) == "41st" && LoginRate.ordinal(12) == "12th" && LoginRate.ordinal(22) == "22nd" && LoginRate.ordinal(113) == "113th")
    }

    @Test func onlyMembersMailUnderALoginIsCounted() throws {
        let policy = try Fixtures.policy()
        #expect(UsageFamily.loginToCount(Self.fromMember(to: ["a@elsewhere.example"]), policy: policy) == "kim")
        #expect(UsageFamily.loginToCount(Self.fromMember(to: ["a@union.example"], login: nil), policy: policy) == nil)
        let off = try Fixtures.policy(branches: ["north": "branch: north\nrules:\n  login-rate: {action: off}\n"])
        #expect(UsageFamily.loginToCount(Self.fromMember(to: ["a@elsewhere.example"]), policy: off) == nil)
        let lists = try Policy.parse(Fixtures.files(directory: Self.directoryWithLists))
        #expect(UsageFamily.loginToCount(Self.fromMember(to: ["a@union.example"], sender: "announce@union.example", login: "listbot"), policy: lists) == nil)
    }

    // MARK: Auto-forwarding

    @Test(arguments: [
        ([("Auto-Submitted", "auto-forwarded")], "kim@north.union.example", "marked Auto-Submitted: auto-forwarded"),
        ([("Resent-From", "Kim <kim@north.union.example>")], "kim@north.union.example", "resent by kim@north.union.example (Resent-From)"),
        ([], "SRS0=HHH=TT=partner.example=carol@union.example", "the envelope sender was rewritten for forwarding (SRS) by the union; first sent by carol@partner.example"),
        ([("X-MS-Exchange-Inbox-Rules-Loop", "kim@north.union.example")], "kim@north.union.example", "an inbox rule of kim@north.union.example forwarded it"),
    ])
    func automaticForwardsOutOfTheUnionAreHeld(headers: [(String, String)], sender: String, sign: String) throws {
        let envelope = Envelope(sender: sender, recipients: ["kim.personal@mail.example"], clientAddress: "192.0.2.10")
        let verdict = try Self.verdict(Self.message("Minutes of the branch committee", headers: headers), envelope)
        #expect(verdict.action == .quarantine)
        #expect(Self.usage(verdict).map(\.detail) == ["forwarded automatically out of the union (\(sign)) to kim.personal@mail.example"])
        #expect(Self.usage(verdict).map(\.rule) == ["auto-forward-out"])
    }

    @Test func handForwardsAutoRepliesInternalForwardsAndAllowedDomainsPass() throws {
        let out = Self.fromMember(to: ["kim.personal@mail.example"])
        #expect(try Self.verdict(Self.message("---------- Forwarded message ----------", subject: "Fwd: minutes"), out).findings.isEmpty)
        #expect(try Self.verdict(Self.message("I am away", headers: [("Auto-Submitted", "auto-replied")]), out).findings.isEmpty)
        let inside = Self.fromMember(to: ["kim@south.union.example"])
        #expect(try Self.verdict(Self.message("x", headers: [("Auto-Submitted", "auto-forwarded")]), inside).findings.isEmpty)
        let north = "branch: north\nrules:\n  auto-forward-out:\n    allowed_domains: [mail.example]\n"
        #expect(try Self.verdict(Self.message("x", headers: [("Auto-Submitted", "auto-forwarded")]), out, branches: ["north": north]).findings.isEmpty)
        // Forwarded from outside to a member: not the union's mail leaving.
        #expect(try Self.verdict(Self.message("x", headers: [("Auto-Submitted", "auto-forwarded")]), Fixtures.incoming(to: [Self.member])).findings.isEmpty)
        // Resent- by an outside address is not a member's forward.
        #expect(try Self.verdict(Self.message("x", headers: [("Resent-From", "someone@else.example")]), out).findings.isEmpty)
    }
}
