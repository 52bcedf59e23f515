import Foundation
import StewardCore
import Testing
@testable import StewardPolicy

@Suite struct DirectoryTests {
    let policy: Policy
    init() throws { policy = try Fixtures.policy() }

    @Test func branchResolution() {
        let directory = policy.directory
        #expect(directory.branch(of: "pat@union.example") == "north", "an exact address beats its domain")
        #expect(directory.branch(of: "<Pat@Union.Example>") == "north")
        #expect(directory.branch(of: "kim@union.example") == "hq")
        #expect(directory.branch(of: "kim@north.union.example") == "north")
        #expect(directory.branch(of: "kim@leeds.north.union.example") == "north", "subdomains belong to the domain's branch")
        #expect(directory.branch(of: "kim@south.union.example") == "south")
        #expect(directory.branch(of: "kim@other.union.example") == "hq", "longest matching domain: union.example")
        #expect(directory.branch(of: "kim@elsewhere.example") == nil)
        #expect(directory.branch(of: "kim@notunion.example") == nil)
        #expect(!directory.isUnionDomain("fakeunion.example"))
    }

    @Test func branchesInvolved() {
        let directory = policy.directory
        #expect(directory.branches(involvedIn: Envelope(sender: "a@elsewhere.example", recipients: ["b@elsewhere.example"])) == ["hq"])
        #expect(directory.branches(involvedIn: Envelope(sender: "", recipients: ["b@south.union.example"])) == ["south"])
        #expect(directory.branches(involvedIn: Envelope(
            sender: "x@south.union.example", recipients: ["pat@union.example", "y@south.union.example", "z@elsewhere.example"]
        )) == ["north", "south"])
        #expect(directory.branches(involvedIn: Envelope(sender: "gs@union.example", recipients: ["a@x.example"])) == ["hq"])
    }

    @Test func officials() {
        #expect(policy.directory.seniorOfficials(of: "north").map(\.name) == ["North Sec"])
        #expect(policy.directory.official(at: "GS@union.example")?.role == "General Secretary")
    }

    @Test func reviewAdminsAndTheBranchesOfficialsServe() throws {
        let text = Fixtures.directory.replacingOccurrences(
            of: "\nlogins:",
            with: "\n  - {name: Gen Sec, address: gs@union.example, role: North Adviser, branch: north}\nreview_admins: [Postmaster@Union.Example]\nlogins:")
        let directory = try Policy.parse(Fixtures.files(directory: text)).directory
        #expect(directory.isReviewAdmin("postmaster@union.example"))
        #expect(!directory.isReviewAdmin("gs@union.example"))
        #expect(directory.branchesServed(by: "GS@union.example") == ["hq", "north"], "an official listed twice serves both branches")
        #expect(directory.branchesServed(by: "sec@south.union.example") == ["south"])
        #expect(directory.branchesServed(by: "member@south.union.example").isEmpty)

        let bad = Fixtures.directory.replacingOccurrences(of: "\nlogins:", with: "\nreview_admins: [postmaster]\nlogins:")
        let problems = Policy.lint(Fixtures.files(directory: bad))
        #expect(problems.contains { $0.message.contains("review admin 'postmaster' is not an e-mail address") })
    }

    @Test func loginMapFileAndLoginsCombine() {
        let directory = policy.directory
        #expect(directory.login("nsec", maySendAs: "sec@north.union.example"))
        #expect(directory.login("helper", maySendAs: "sec@north.union.example"))
        #expect(directory.login("ssec", maySendAs: "anyone@south.union.example"), "@domain key")
        #expect(directory.login("gsec", maySendAs: "shared@union.example"), "continuation line")
        #expect(directory.login("nsec", maySendAs: "shared@union.example"))
        #expect(directory.login("gsec", maySendAs: "gs@union.example"), "from directory.yaml logins")
        #expect(!directory.login("nsec", maySendAs: "gs@union.example"))
        #expect(directory.logins(allowedToSendAs: "nobody@union.example").isEmpty)
        #expect(directory.addresses(for: "nsec") == ["sec@north.union.example", "shared@union.example"])
    }

    @Test func loginMapParserDirectly() {
        var log = ProblemLog()
        let entries = LoginMapParser.parse(PolicyFile(path: "m", text: "# c\n\na@x.example\tl1,l2 l3\r\n  , l4\n@y.example l5\n"), log: &log)
        #expect(log.problems.isEmpty)
        #expect(entries.map(\.key) == ["a@x.example", "@y.example"])
        #expect(entries.first?.logins == ["l1", "l2", "l3", "l4"])
        #expect(entries.map(\.line) == [3, 5])
    }
}

@Suite struct NetworkTests {
    @Test func parsesAddresses() {
        #expect(IPAddress("192.0.2.1")?.bytes == [192, 0, 2, 1])
        #expect(IPAddress("2001:db8::1")?.bytes.count == 16)
        #expect(IPAddress("IPv6:2001:db8::1") == IPAddress("2001:db8::1"))
        #expect(IPAddress("[::1]") == IPAddress("::1"))
        #expect(IPAddress("fe80::1%eth0") == IPAddress("fe80::1"))
        #expect(IPAddress("::ffff:192.0.2.1") == IPAddress("192.0.2.1"))
        #expect(IPAddress("1:2:3:4:5:6:7:8")?.description == "1:2:3:4:5:6:7:8")
        for bad in ["", "1.2.3", "1.2.3.256", "1.2.3.4.5", "::1::", "1:2:3:4:5:6:7:8:9", "12345::", "g::1", "01.2.3.4x"] {
            #expect(IPAddress(bad) == nil, "\(bad)")
        }
    }

    @Test func cidrMatching() throws {
        let v4 = try #require(NetworkRange("10.1.0.0/16"))
        #expect(v4.contains(IPAddress("10.1.255.3")!))
        #expect(!v4.contains(IPAddress("10.2.0.1")!))
        #expect(!v4.contains(IPAddress("::1")!))
        let v6 = try #require(NetworkRange("2001:db8:10::/48"))
        #expect(v6.contains(IPAddress("2001:db8:10:ffff::9")!))
        #expect(!v6.contains(IPAddress("2001:db8:11::1")!))
        let odd = try #require(NetworkRange("192.0.2.77/25"))
        #expect(odd.description == "192.0.2.0/25")
        #expect(NetworkRange("::1")?.contains(IPAddress("::1")!) == true)
        #expect(NetworkRange("::ffff:127.0.0.0/104")?.contains(IPAddress("127.0.0.9")!) == true)
        #expect(NetworkRange("0.0.0.0/0")?.contains(IPAddress("203.0.113.5")!) == true)
        #expect(NetworkRange("10.0.0.0/33") == nil)
        #expect(NetworkRange("10.0.0.0/") == nil)
        #expect(NetworkRange("::/129") == nil)
    }
}

@Suite struct DirectionTests {
    let resolver: DirectionResolver
    init() throws { resolver = DirectionResolver(directory: try Fixtures.policy().directory) }

    @Test func authenticatedMail() {
        let external = Envelope(sender: "a@union.example", recipients: ["b@union.example", "c@elsewhere.example"],
                                authUser: "a", clientAddress: "198.51.100.7")
        #expect(resolver.direction(of: external) == .outgoing)
        var internalOnly = external
        internalOnly.recipients = ["b@union.example", "c@north.union.example"]
        #expect(resolver.direction(of: internalOnly) == .internal)
    }

    @Test func unionNetworks() {
        #expect(resolver.direction(of: Envelope(sender: "a@union.example", recipients: ["x@elsewhere.example"], clientAddress: "192.0.2.9")) == .outgoing)
        #expect(resolver.direction(of: Envelope(sender: "a@union.example", recipients: ["x@union.example"], clientAddress: "2001:db8:10::25")) == .internal)
        #expect(resolver.direction(of: Envelope(sender: "a@union.example", recipients: ["x@union.example"], clientAddress: "IPv6:2001:db8:10::25")) == .internal)
        #expect(resolver.direction(of: Envelope(sender: "a@union.example", recipients: ["x@union.example"], clientAddress: "2001:db8:11::25")) == .incoming)
    }

    @Test func localSubmission() {
        #expect(resolver.direction(of: Envelope(sender: "cron@union.example", recipients: ["x@elsewhere.example"])) == .outgoing)
        #expect(resolver.direction(of: Envelope(sender: "cron@union.example", recipients: ["x@union.example"], clientAddress: "")) == .internal)
    }

    @Test func externalMail() {
        // A forged union sender from outside is still incoming.
        #expect(resolver.direction(of: Envelope(sender: "gs@union.example", recipients: ["x@union.example"], clientAddress: "198.51.100.7")) == .incoming)
        #expect(resolver.direction(of: Envelope(sender: "a@elsewhere.example", recipients: ["x@union.example"], authUser: "", clientAddress: "not an ip")) == .incoming)
    }
}
