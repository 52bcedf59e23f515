import StewardCore
import Testing

@Suite struct LinkHostsTests {
    @Test func hostsOfLinksInTextAndHTML() {
        let text = """
        Visit https://Login.Example.org/path?x=1, <a href="http://user@evil.example:8080/">here</a>,
        www.union.example. and mailto:someone@unіon.example (Cyrillic і).
        """
        #expect(LinkHosts.hosts(in: text) == ["login.example.org", "evil.example", "www.union.example", "unіon.example"])
    }

    @Test func capitalisedLinkStartsAreFoundWithoutAScheme() {
        #expect(LinkHosts.hosts(in: "Write to Mailto:desk@union-help.example") == ["union-help.example"])
        #expect(LinkHosts.hosts(in: "Our site: Www.Union-Help.example") == ["www.union-help.example"])
    }

    @Test func plainTextWithoutLinksHasNoHosts() {
        #expect(LinkHosts.hosts(in: "The meeting is at 18:00. Email me at bob@union.example.").isEmpty)
        #expect(LinkHosts.hosts(in: "").isEmpty)
    }

    @Test func inspectedMessagesCarryTheirLinkHosts() {
        let root = MessagePart(path: [], contentType: "text/plain", text: "see https://a.example/ and https://a.example/x")
        #expect(InspectedMessage(headers: [], root: root, size: 1).linkHosts == ["a.example"])
    }
}
