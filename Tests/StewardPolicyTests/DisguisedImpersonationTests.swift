import StewardCore
import Testing

/// Impersonation a reader would believe but the folding missed, found by an attacker's probe
/// (issue 12): official names in full-width or small-capital letters, with an invisible Hangul
/// filler or reversed by a right-to-left override, and a union address written with a
/// full-width dot or a zero-width space. Each beside a benign twin.
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
        "Ａｌｅｘ Ｍｏｒｇａｎ", "Alex ᴍᴏʀɢᴀɴ", "Alex\u{3164}Morgan", "\u{202E}nagroM xelA\u{202C}",
    ])
    func disguisedNames(name: String) {
        let message = ImpersonationTests.message(from: [MailboxAddress(name: name, address: "x@mail.example")])
        #expect(Self.rules(message, ImpersonationTests.incoming(from: "x@mail.example")).contains("impersonation-official-name"), "\(name)")
    }

    @Test("ordinary names with the same characters pass", arguments: ["Ａｌｅｘ Ｇｒｅｅｎ", "Alex ᴍᴏᴏʀᴇ", "Zoë Morgan-Smith", "\u{202E}htimS naJ\u{202C}"])
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

    @Test("the union's own domain with a trailing dot, and names that only contain the word, pass", arguments: [
        "kim@scotland.union.example.", "jo@reunion.example", "jo@unionised.example", "info@credit-union.example", "jo@students-union.example",
    ])
    func ordinaryDomains(address: String) {
        let found = Self.lookalikes(from: address)
        #expect(!found.contains { !$0.contains("another ending") }, "\(found)")
    }

    @Test("the union's domain, or one made to look like it, shown as the name of an outside address is held", arguments: [
        ("london.union.example", "impersonation-address-in-name"), ("Payroll (union.example)", "impersonation-address-in-name"),
        ("UNION.EXAMPLE.", "impersonation-address-in-name"), ("un\u{0456}on.example Payroll", "impersonation-address-in-name"),  // a Cyrillic і
        ("https://london.union.example", "impersonation-address-in-name"), ("www.union.example/payroll", "impersonation-address-in-name"),
        ("“union.example”", "impersonation-address-in-name"), ("union[.]example", "impersonation-address-in-name"),
        ("union\u{FF0E}example", "impersonation-address-in-name"), ("union\u{200B}.example", "impersonation-address-in-name"),
        ("union.example|Payroll", "impersonation-address-in-name"),
    ])
    func domainAsName(name: String, rule: String) {
        let message = ImpersonationTests.message(from: [MailboxAddress(name: name, address: "payroll@elsewhere.example")])
        #expect(Self.rules(message, ImpersonationTests.incoming(from: "payroll@elsewhere.example")).contains(rule), "\(name)")
    }

    @Test("a domain name in a display name that is not the union's, or on the union's own address, passes")
    func domainAsNamePasses() {
        for (name, address) in [
            ("Acme Ltd (acme.example)", "sales@acme.example"), ("Dr.Smith", "smith@clinic.example"), ("J.R. Lee", "jr@mail.example"),
            ("london.union.example", "office@london.union.example"),
            // Dotted words that are no domain of the union's.
            ("Union.Learning Rep", "carol@college.example"), ("Credit Union.News", "news@creditunion.example"), ("Union.Ex", "x@mail.example"),
            ("unoin.example", "x@mail.example"), ("Mark.Onion", "mark@mail.example"),
        ] {
            let message = ImpersonationTests.message(from: [MailboxAddress(name: name, address: address)])
            // (The last comes from outside with the union's address, which another rule holds.)
            let rules = Self.rules(message, ImpersonationTests.incoming(from: address))
            #expect(!rules.contains("impersonation-address-in-name") && !rules.contains("impersonation-lookalike-domain"), "\(name) <\(address)>: \(rules)")
        }
    }

    @Test("a double-barrelled name that contains an official's passes; the official's name hyphenated is held")
    func doubleBarrelled() {
        for (name, held) in [
            ("Sam Okafor-Jones", false), ("Jones-Sam Okafor", false), ("Sam Okafor\u{2013}Jones", false), ("Sam Okafor\u{2010}Jones", false),
            ("Sam-Okafor", true), ("Sam Okafor - Branch Secretary", true), ("Sam Okafor-GS", true), ("Alex Morgan-Union", true),
            ("Sam Okafor-Okafor", true),
        ] {
            let message = ImpersonationTests.message(from: [MailboxAddress(name: name, address: "x@mail.example")])
            let rules = Self.rules(message, ImpersonationTests.incoming(from: "x@mail.example"))
            #expect(rules.contains("impersonation-official-name") == held, "\(name): \(rules)")
        }
    }
}
