import StewardCore
@testable import StewardInspection
import Testing

/// Base64 encoded words read each on its own, as Outlook and Thunderbird read them. GMime
/// carries its decoder's state from one word to the next, so a padded first word
/// (`Q09ORkk=` is "CONFI") hid the rest of a subject, a display name or a file name.
@Suite struct EncodedWordTests {
    let inspector = Inspector()

    @Test func eachBase64WordIsDecodedOnItsOwnAndMultibyteCharactersJoinAcrossWords() {
        #expect(EncodedWords.decoded(Array("=?utf-8?B?Q09ORkk=?= =?utf-8?B?REVOVElBTA==?=".utf8)) == "CONFIDENTIAL")
        #expect(EncodedWords.decoded(Array("=?utf-8?B?Q09ORkk?= =?UTF-8?b?REVOVElBTA?=".utf8)) == "CONFIDENTIAL")
        #expect(EncodedWords.decoded(Array(" =?utf-8?B?Q09ORkk=?=\r\n =?utf-8?B?REVOVElBTA==?=".utf8)) == "CONFIDENTIAL")
        // "Café", its é (C3 A9) split across two words: the bytes join before the charset is read.
        #expect(EncodedWords.decoded(Array("=?utf-8?B?Q2Fmww==?= =?utf-8?B?qQ==?=".utf8)) == "Café")
        #expect(EncodedWords.decoded(Array("=?iso-8859-1?B?Sm9lcmcgSvZyZw==?= and =?utf-8?Q?J=C3=B6rg?=".utf8)) == "Joerg Jörg and Jörg")
        // Many starts of words that never end: read once each, not to the end of the value.
        let unended = String(repeating: "=?a?B?x ", count: 25_000)
        #expect(EncodedWords.normalised(unended) == unended)
        // Not encoded words: left as written.
        #expect(EncodedWords.normalised("Price =? 5 ?B? x") == "Price =? 5 ?B? x")
    }

    @Test func subjectsClassificationHeadersNamesAndFileNamesReadWhole() throws {
        let bytes = Fixture.crlf([
            "From: =?utf-8?B?R2VuZXJhbA==?= =?utf-8?B?IFNlY3JldGFyeQ==?= <gs@freemail.example>",
            "To: bob@union.example",
            "Subject: =?utf-8?B?Q09ORkk=?= =?utf-8?B?REVOVElBTA==?=",
            "X-Classification: =?utf-8?B?UkVTVFJJ?= =?utf-8?B?Q1RFRA==?=",
            "MIME-Version: 1.0",
            "Content-Type: multipart/mixed; boundary=\"b\"",
            "",
            "--b",
            "Content-Type: text/plain",
            "",
            "Hello",
            "--b",
            "Content-Type: text/plain; name=\"=?utf-8?B?bWludXRlcw==?= =?utf-8?B?Lmpz?=\"",
            "Content-Disposition: attachment; filename=\"=?utf-8?B?bWludXRlcw==?= =?utf-8?B?Lmpz?=\"",
            "",
            "alert(1)",
            "--b--",
            "",
        ])
        let message = try inspector.inspect(bytes: bytes)
        #expect(message.subject == "CONFIDENTIAL")
        #expect(message.headers.first { $0.name == "X-Classification" }?.decoded == "RESTRICTED")
        #expect(message.addresses["from"] == [MailboxAddress(name: "General Secretary", address: "gs@freemail.example")])
        #expect(message.root.allParts.contains { $0.filename == "minutes.js" }, "\(message.root.allParts.map(\.filename))")
    }
}
