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

    @Test("hosts are read as a browser reads them", arguments: [
        ("<a href=\"https://&#117;nion.example.evil.example/\">x</a>", "union.example.evil.example"),
        ("<a href=\"https&#58;//&#x65;vil.example/\">x</a>", "evil.example"),
        ("<a href=\"https&colon;&sol;&sol;evil.example/\">x</a>", "evil.example"),
        ("https:\\\\evil.example\\login", "evil.example"),
        ("https:/\\evil.example/login", "evil.example"),
        ("https://union.example:secret@evil.example/login", "evil.example"),
        ("https://union.example%40evil.example/", "evil.example"),
        ("https://union%2Eexample.evil.example/", "union.example.evil.example"),
        ("https://union\u{3002}example/", "union\u{3002}example"),
        // A web address with fewer than two slashes: browsers still go to its host.
        ("<a href=\"https:evil.example/login\">x</a>", "evil.example"),
        ("<a href=\"HTTPS:/evil.example/login\">x</a>", "evil.example"),
        ("<a href=\"hTtP:\\evil.example\">x</a>", "evil.example"),
        ("<a href=\"wss:evil.example\">x</a>", "evil.example"),
        // Tabs and line breaks inside the attribute: browsers take them out.
        ("<a href=\"https://uni\non-example.org/login\">x</a>", "union-example.org"),
        ("<a href='ht\ttps://evil.example/'>x</a>", "evil.example"),
        ("<a href=\"h\nt\nt\np\ns\n:\n/\n/\nevil.example/\">x</a>", "evil.example"),
        ("<a href=\"https://uni&#10;on-example.org/\">x</a>", "union-example.org"),
        ("<a href = \"https:\r\n//evil.example\">x</a>", "evil.example"),
    ])
    func hostsAsBrowsersReadThem(text: String, host: String) {
        #expect(LinkHosts.hosts(in: text).contains(host), "\(text): \(LinkHosts.hosts(in: text))")
    }

    @Test("a scheme in a sentence, or a line break after a link in plain text, makes no host")
    func schemesInProse() {
        #expect(LinkHosts.hosts(in: "Note: http: is not safe; use https: instead. Meet at 10:30.").isEmpty)
        #expect(LinkHosts.hosts(in: "See https://a.example\nThanks.\nBob") == ["a.example"])
        #expect(LinkHosts.hosts(in: "Our guide: rethttp:guide.example and git+https:x.example").isEmpty)
        #expect(LinkHosts.hosts(in: "<p title=\"Line one\nline two\">Hello</p>").isEmpty)
        // A quoted passage of a plain-text reply is no attribute: its lines are not joined.
        #expect(!LinkHosts.hosts(in: "Kim wrote =\"see www.unio\nn-example.org\" and left").contains("www.union-example.org"))
    }

    @Test("ordinary links keep their hosts; text after a link is not part of it")
    func ordinaryLinks() {
        #expect(LinkHosts.hosts(in: "See https://a.example, and https://b.example; or https://c.example:8443/x") == ["a.example", "b.example", "c.example"])
        #expect(LinkHosts.hosts(in: "Tom &amp; Jerry &#38; friends, 5 &lt; 6").isEmpty)
    }

    @Test("percent-encoding that decodes to no host character ends the host; a mailto names each address; a CJK full stop ends a sentence")
    func hostEnds() {
        #expect(LinkHosts.hosts(in: "<a href=\"mailto:chris.lee@london.union.example%20\">me</a>") == ["london.union.example"])
        #expect(LinkHosts.hosts(in: "https://www.google.com/url?q=https://www.union.example%3Futm_source%3Dgcal").contains("www.union.example"))
        #expect(LinkHosts.hosts(in: "https://share.example/?url=www.union.example%2Fjoin").contains("www.union.example"))
        #expect(LinkHosts.hosts(in: "mailto:payroll@unoin.example,bob@union.example") == ["unoin.example", "union.example"])
        #expect(LinkHosts.hosts(in: "詳しくは https://union.example。次回") == ["union.example"])
    }
}
