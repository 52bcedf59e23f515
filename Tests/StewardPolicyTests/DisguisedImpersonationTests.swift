import StewardCore
import Testing

/// Impersonation a reader would believe but the folding missed, found by an attacker's probe
/// (issue 12): official names in full-width or small-capital letters, with an invisible Hangul
/// filler or reversed by a right-to-left override, the title in its usual shorthand, a union
/// address written with a full-width dot or a zero-width space, the union's name as a word of
/// a domain under its ending, and a union address in Sender ("on behalf of"). Each beside a
/// benign twin.
@Suite("Disguised impersonation (issue 12)")
struct DisguisedImpersonationTests {
    static func rules(_ message: InspectedMessage, _ envelope: Envelope) -> [String] {
        ImpersonationTests.findings(message, envelope).map(\.rule)
    }

    /// The look-alike domain findings for mail from `address`, as details.
    static func lookalikes(from address: String) -> [String] {
        let message = ImpersonationTests.message(from: [MailboxAddress(address: address)])
        return ImpersonationTests.findings(message, ImpersonationTests.incoming(from: "bounce@bulk.example"))
            .filter { $0.rule == "impersonation-lookalike-domain" }.map(\.detail)
    }

    @Test("an official's name or title written to look the same is held", arguments: [
        "Ａｌｅｘ Ｍｏｒｇａｎ", "Alex ᴍᴏʀɢᴀɴ", "Alex\u{3164}Morgan", "\u{202E}nagroM xelA\u{202C}", "Gen Sec", "Gen. Sec.", "Asst Gen Sec",
    ])
    func disguisedNames(name: String) {
        let message = ImpersonationTests.message(from: [MailboxAddress(name: name, address: "x@mail.example")])
        #expect(Self.rules(message, ImpersonationTests.incoming(from: "x@mail.example")).contains("impersonation-official-name"), "\(name)")
    }

    @Test("ordinary names with the same characters pass", arguments: ["Ａｌｅｘ Ｇｒｅｅｎ", "Alex ᴍᴏᴏʀᴇ", "Gen Z Society", "Sec. of the Chess Club"])
    func ordinaryNames(name: String) {
        let message = ImpersonationTests.message(from: [MailboxAddress(name: name, address: "x@mail.example")])
        #expect(Self.rules(message, ImpersonationTests.incoming(from: "x@mail.example")).isEmpty, "\(name)")
    }

    @Test("a union address written so only IDNA's mapping makes it the union's is a look-alike", arguments: [
        "general.secretary@union\u{FF0E}example", "general.secretary@union\u{3002}example", "general.secretary@union\u{200B}.example",
    ])
    func mappedUnionAddress(address: String) {
        let found = Self.lookalikes(from: address)
        #expect(found.contains { $0.contains("look-alike characters") }, "\(found)")
    }

    @Test("the union's name as a word of a domain under the union's ending is a look-alike", arguments: [
        "jo@scotland-union.example", "jo@union-mail.example", "jo@mail.my-union.example",
    ])
    func unionNameAsAWord(address: String) {
        let found = Self.lookalikes(from: address)
        #expect(found.contains { $0.contains("as a word") }, "\(found)")
    }

    @Test("the union's own domain with a trailing dot, and names that only contain the word, pass", arguments: [
        "kim@scotland.union.example.", "jo@reunion.example", "jo@unionised.example", "jo@union-mail.org",
    ])
    func ordinaryDomains(address: String) {
        let found = Self.lookalikes(from: address)
        #expect(!found.contains { !$0.contains("another ending") }, "\(found)")
    }

    @Test("a union address in Sender on mail from outside is held; an outside Sender passes")
    func senderOnBehalfOf() {
        let forged = ImpersonationTests.message(
            from: [MailboxAddress(name: "Events", address: "events@mail.example")],
            sender: [MailboxAddress(name: "Alex Morgan", address: "general.secretary@union.example")])
        let found = ImpersonationTests.findings(forged, ImpersonationTests.incoming(from: "events@mail.example"))
        #expect(found.contains { $0.rule == "impersonation-spoofed-union-domain" && $0.detail.hasPrefix("Sender claims general.secretary@union.example") }, "\(found)")
        let list = ImpersonationTests.message(
            from: [MailboxAddress(name: "Events", address: "events@mail.example")],
            sender: [MailboxAddress(address: "bounces@mail.example")])
        #expect(Self.rules(list, ImpersonationTests.incoming(from: "bounces@mail.example")).isEmpty)
    }
}
