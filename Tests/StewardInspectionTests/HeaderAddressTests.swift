import StewardCore
import StewardInspection
import Testing

@Suite("Inspection: decoded From, Sender, Reply-To and Mail-Reply-To")
struct HeaderAddressTests {
    let inspector = Inspector()

    @Test func encodedWordsQuotingCommentsAndGroupsAreDecoded() throws {
        let bytes = Fixture.crlf([
            "From: =?UTF-8?B?0JBsZXggTW9yZ2Fu?= <Urgent@Mail.Example>",  // "Аlex Morgan", Cyrillic А
            "Sender: \"Morgan, Alex\" <alex@mail.example> (the real one)",
            "Reply-To: Team: a@one.example, \"B, Bee\" <b@two.example>;, =?iso-8859-1?q?J=F6rg?= <j@three.example>",
            "Mail-Reply-To: =?UTF-8?Q?North_Office?= <North.Office@Freemail.Example> (replies here)",
            // An encoded word that decodes to a quote must not swallow the address after it.
            "Mail-Reply-To: =?us-ascii?q?=22North_Office?= <second@freemail.example>",
            "To: bob@union.example",
            "Subject: Payment",
            "",
            "Please pay.",
            "",
        ])
        let message = try inspector.inspect(bytes: bytes)
        #expect(message.addresses["from"] == [MailboxAddress(name: "\u{0410}lex Morgan", address: "urgent@mail.example")])
        #expect(message.addresses["sender"] == [MailboxAddress(name: "Morgan, Alex", address: "alex@mail.example")])
        #expect(message.addresses["reply-to"] == [
            MailboxAddress(address: "a@one.example"), MailboxAddress(name: "B, Bee", address: "b@two.example"),
            MailboxAddress(name: "Jörg", address: "j@three.example"),
        ])
        #expect(message.addresses["mail-reply-to"] == [
            MailboxAddress(name: "North Office", address: "north.office@freemail.example"),
            MailboxAddress(name: "\"North Office", address: "second@freemail.example"),
        ])
        #expect(message.linkHosts.isEmpty)
    }

    @Test func linkHostsComeFromTextAndHTMLParts() throws {
        let bytes = Fixture.crlf(Fixture.envelopeHeaders + [
            "MIME-Version: 1.0",
            "Content-Type: text/html; charset=utf-8",
            "",
            "<p><a href=\"https://union.example.evil.example/login\">union.example</a></p>",
            "",
        ])
        #expect(try inspector.inspect(bytes: bytes).linkHosts == ["union.example.evil.example"])
    }

    @Test("a From whose only content is an encoded word spelling an address reads as that address (Mailsploit)")
    func fromEncodedAsAnAddress() throws {
        for from in [
            "=?utf-8?B?Z2VuZXJhbC5zZWNyZXRhcnlAdW5pb24uZXhhbXBsZQ==?=", "=?utf-8?q?=3Cgeneral=2Esecretary=40union=2Eexample=3E?=",
            // Mailsploit's own form: the address, a NUL, then the sender's real domain.
            "=?utf-8?b?Z2VuZXJhbC5zZWNyZXRhcnlAdW5pb24uZXhhbXBsZQA=?=@evil.example",
            "=?utf-8?q?general=2Esecretary=40union=2Eexample=2C?=@evil.example",
        ] {
            let bytes = Fixture.crlf(["From: \(from)", "To: bob@union.example", "Subject: Payment", "", "Please pay.", ""])
            let message = try inspector.inspect(bytes: bytes)
            #expect(message.addresses["from"]?.map(\.address) == ["general.secretary@union.example"], "\(from)")
        }
        // A name that is not an address, with no address, is read as no address.
        let named = try inspector.inspect(bytes: Fixture.crlf(["From: =?utf-8?q?Alex_Morgan?=", "To: bob@union.example", "", "Hi", ""]))
        #expect(named.addresses["from"]?.contains { $0.address.contains("@") } != true)
    }
}
