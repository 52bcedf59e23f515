import Foundation
import StewardCore
import Testing

/// The policy's reading of markings after the second probe (issue 12): words spelled with
/// digits or signs, words joined by dashes, more spacings, embargo phrasings, reply prefixes of
/// more languages and gateways' banners; and the false holds the first version made in running
/// text: a wrapped sentence's last word, an aside in brackets, a field whose value is a marker.
/// Each beside benign twins that must pass.
@Suite("Markings as a reader reads them: spellings, banners, wrapped lines (issue 12)")
struct MarkingReadingTests {
    static func held(subject: String = "Notes", body: String = "Hello,\r\nplease see the notes.\r\n") throws -> [String] {
        Mail.confidential(try Mail.judge(Mail.message(subject: subject, body: body))).map(\.detail)
    }

    static func heldLine(_ line: String) throws -> [String] {
        try held(body: "Hello,\r\n\r\n\(line)\r\n\r\nThe pay offer is 3%.\r\n")
    }

    @Test("a marker's word spelled with digits or signs is held", arguments: [
        "C0nfidential", "CONF|DENT|AL", "R3STRICTED", "Not F0r Circulati0n", "$TRICTLY C0NFIDENTIAL", "Confident!al",
        "|RESTRICTED|", "Members 0nly",
    ])
    func spelledWords(line: String) throws {
        #expect(try Self.heldLine(line).count == 1, "\(line)")
        #expect(try Self.held(subject: "\(line) - pay offer").count == 1, "\(line)")
    }

    @Test("codes and signs that spell no marker pass", arguments: [
        "Room A1, B4 and C3 on floor 5", "Meeting|Agenda|Minutes", "Order C0NF-1D3 shipped", "Our confidentia1ity pledge",
        "Email me at restricted@partner.example about parking", "Password: R3str1ct3d!",
    ])
    func spelledWordsPass(line: String) throws {
        #expect(try Self.heldLine(line).isEmpty, "\(line)")
    }

    @Test("the words of a marking joined by en or em dashes are held", arguments: [
        "NOT–FOR–CIRCULATION", "Do—Not—Forward", "For–Internal–Use–Only",
    ])
    func dashJoins(line: String) throws {
        #expect(try Self.heldLine(line).count == 1, "\(line)")
    }

    @Test("two words joined by a dash are an adjective and pass", arguments: [
        "Members–only discounts at the gym this month", "Our members—only offer is back",
    ])
    func dashJoinsPass(line: String) throws {
        #expect(try Self.heldLine(line).isEmpty, "\(line)")
    }

    @Test("letters spaced out with commas, semicolons or four spaces are held", arguments: [
        "C, O, N, F, I, D, E, N, T, I, A, L", "C;O;N;F;I;D;E;N;T;I;A;L", "C    O    N    F    I    D    E    N    T    I    A    L",
    ])
    func moreSpacing(line: String) throws {
        #expect(try Self.heldLine(line).count == 1, "\(line)")
    }

    @Test("more embargo phrasings are held", arguments: [
        "Under strict embargo until 10:00 Friday", "Embargoed for release at 00:01 GMT", "Not for release until Monday 9am",
        "NOT FOR RELEASE", "Strict embargo: 10am Thursday",
    ])
    func embargoPhrasings(line: String) throws {
        #expect(try Self.heldLine(line).count == 1, "\(line)")
    }

    @Test("a reply about a release or the union's embargo passes", arguments: [
        "Under the embargo we refuse all overtime.", "Not for release yet, we are still drafting it.", "Release notes for the app",
    ])
    func embargoPhrasingsPass(line: String) throws {
        #expect(try Self.heldLine(line).isEmpty, "\(line)")
    }

    @Test("a marked subject behind other languages' prefixes or a gateway's banner is held", arguments: [
        "ΑΠ: Confidential - pay offer", "ΣΧΕΤ: Confidential - pay offer", "回复: Confidential - pay offer", "转发：Confidential - pay offer",
        "Doorst: Confidential - pay offer", "Továbbítás: Confidential - pay offer", "VS: Antw: Confidential - pay offer",
        "**EXTERNAL** Confidential - pay offer", "*EXTERNAL* Confidential - pay offer", "(EXTERNAL) Confidential - pay offer",
        "EXTERNAL EMAIL: Confidential - pay offer", "CAUTION: EXTERNAL SENDER: Confidential - pay offer", "RE: Not for release until Monday",
    ])
    func morePrefixes(subject: String) throws {
        #expect(try Self.held(subject: subject).count == 1, "\(subject)")
    }

    @Test("a reply about confidentiality in another language passes", arguments: [
        "回复: our confidentiality policy", "**EXTERNAL** Confidential waste collection dates", "ΑΠ: Members only discount at the gym",
        "(EXTERNAL) RE: Embargo – what it means for members",
    ])
    func morePrefixesPass(subject: String) throws {
        #expect(try Self.held(subject: subject).isEmpty, "\(subject)")
    }

    @Test("a wrapped sentence's last word alone on its line passes", arguments: [
        "Hello,\r\nThe contents of this message are strictly\r\nconfidential.\r\nRegards\r\n",
        "You wrote:\r\n> Access to the car park on Fridays is\r\n> restricted\r\n> until further notice.\r\n",
        "The minutes of the hearing will be kept\r\nin confidence\r\nby the branch.\r\n",
        "Parking behind the office is for\r\nmembers only\r\nfrom Monday.\r\n",
        "“Everything you tell us is kept strictly\r\nconfidential.”\r\n",
    ])
    func wrappedLinesPass(body: String) throws {
        #expect(try Self.held(body: body).isEmpty, "\(body)")
    }

    @Test("a marking alone on its line that starts with a capital or is disguised is held, also quoted", arguments: [
        "Confidential", "> Confidential", "Private and confidential", "In Confidence", "c0nfidential", "c o n f i d e n t i a l",
        "cоnfidential",  // a Cyrillic о
    ])
    func aloneCapitalised(line: String) throws {
        #expect(try Self.heldLine(line).count == 1, "\(line)")
    }

    @Test("a subject that is only a marker in small letters is held")
    func lowerCaseSubject() throws {
        #expect(try Self.held(subject: "confidential").count == 1)
        #expect(try Self.held(subject: "Pay offer: confidential").count == 1)
    }

    @Test("an aside in brackets passes; a bracketed marking with a capital or at an end of the line is held")
    func brackets() throws {
        for line in ["Call me (in confidence) about the case.", "Send the form (members only) to the office by Friday."] {
            #expect(try Self.heldLine(line).isEmpty, "\(line)")
        }
        for line in ["The report (Confidential) is attached.", "[confidential] budget for next year", "Budget for next year (confidential)"] {
            #expect(try Self.heldLine(line).count == 1, "\(line)")
        }
    }

    @Test("a field whose value is a marker counts only when the field is a classification")
    func fields() throws {
        for line in [
            "Entry: members only", "Bar prices: members only", "Parking: restricted", "Who can come: members only", "Message: Members only",
            "Important: Members only",
        ] {
            #expect(try Self.heldLine(line).isEmpty, "\(line)")
        }
        for line in ["Classification: Confidential", "Security classification: Restricted", "Status: in confidence", "Pay offer - confidential"] {
            #expect(try Self.heldLine(line).count == 1, "\(line)")
        }
    }

    // A review of the first version of these rules found the cases below.

    @Test("words spelled with a sign first, two-letter words, signs past ASCII and joiners with spaces are held", arguments: [
        "|nternal use only", "3mbargoed until 10am Monday", "0fficial sensitive", "!nternal use only", "D0 NOT FORWARD", "1N CONFIDENCE",
        "CONFIDENTIA1", "R€STRICTED", "¢ONFIDENTIAL", "CONFIDEN+IAL", "NOT - FOR - CIRCULATION", "NOT – FOR – CIRCULATION",
        "NOT|FOR|CIRCULATION", "D0–N0T–F0RWARD", "C 0 N F I D E N T I A L", "C=O=N=F=I=D=E=N=T=I=A=L",
        "C     O     N     F     I     D     E     N     T     I     A     L",
    ])
    func reviewedSpellings(line: String) throws {
        #expect(try Self.heldLine(line).count == 1, "\(line)")
    }

    @Test("a spelled word is quoted with the case of the letters beside it")
    func spelledQuote() throws {
        let held = try Self.held(subject: "C0nfidential - pay offer")
        #expect(held.first?.contains("\"Confidential - pay offer\"") == true, "\(held)")
    }

    @Test("more banners, prefixes and calendar answers before a marked subject are dropped", arguments: [
        "EXTERNAL - ", "EXTERNAL EMAIL - ", "{EXTERNAL} ", "⚠ EXTERNAL: ", "***SPAM*** ", "External Sender | ", "CAUTION - EXTERNAL SENDER: ",
        "EXTERNE: ", "Ateb: ", "Ответ: ", "Пересл: ", "Re - ", "FW- ", "Απ: ", "Σχετ: ", "Accepted: ", "Reminder: ",
    ])
    func reviewedPrefixes(prefix: String) throws {
        #expect(try Self.held(subject: prefix + "Confidential - pay offer").count == 1, "\(prefix)")
    }

    @Test("a list item or a Reply in brackets is no banner", arguments: ["(i) members only offer at the gym", "(R) Members only nights are back"])
    func notBanners(subject: String) throws {
        #expect(try Self.held(subject: subject).isEmpty, "\(subject)")
    }

    @Test("more embargo phrasings, also after a separator or in brackets, are held", arguments: [
        "Embargoed til Friday", "Not for release prior to Friday", "Not for release ahead of Friday", "Embargoed to 10.00 Friday",
        "Embargoed 5 June", "Embargo: 5th June 2027", "Pay offer – embargoed until Friday", "Pay offer (not for release until Friday)",
    ])
    func reviewedEmbargoes(line: String) throws {
        #expect(try Self.heldLine(line).count == 1, "\(line)")
    }

    @Test("wrapped sentences about a release or the union's embargo pass", arguments: [
        "We asked the minister, and as far as we know it is\r\nnot for release until the Chancellor's statement.\r\n",
        "You wrote:\r\n> The report is\r\n> not for release before 9.30 on Thursday, so please wait.\r\n",
        "Members at the depot voted to put overtime\r\nunder strict embargo until the dispute is settled.\r\n",
        "Members vote: embargo until pay is restored\r\n", "The branch - embargo on cover continues\r\n",
    ])
    func reviewedEmbargoesPass(body: String) throws {
        #expect(try Self.held(body: body).isEmpty, "\(body)")
    }

    @Test("a marking between blank lines, a titled field, a forwarded subject or a quoted forward in running text is held", arguments: [
        "Hello,\r\n\r\nprivate and confidential\r\n\r\nThe pay offer is 3%.\r\n", "Hello,\r\n\r\nNote: Strictly Confidential\r\nThe pay offer is 3%.\r\n",
        "Hello,\r\nClassification level: Confidential\r\nThe pay offer is 3%.\r\n",
        "See below.\r\n\r\nFrom: Kim\r\nSubject: Confidential - pay offer\r\n\r\nThe pay offer is 3%.\r\n",
        "See below.\r\n> FW: Confidential - pay offer\r\n> The pay offer is 3%.\r\n",
    ])
    func reviewedRunningText(body: String) throws {
        #expect(try Self.held(body: body).count == 1, "\(body)")
    }

    @Test("a single capitalised word after a colon is a field", arguments: ["Parking: Restricted", "Password: R3str1ct3d!", "Subject: members only social"])
    func singleWordFields(line: String) throws {
        #expect(try Self.held(body: "Hello,\r\n\(line)\r\nBest wishes\r\n").isEmpty, "\(line)")
    }

    @Test("a marker's word with marks, symbols or faux Cyrillic for letters is held", arguments: [
        "CONF¡DENT¡AL", "CONFǃDENTǃAL", "CONF│DENT│AL", "CONF¦DENT¦AL", "©ONFIDENTIAL", "C∅NFIDENTIAL", "C○NFIDENTIAL", "ЯESTRICTED",
        "ИOT FOR CIRCULATION", "CΘNFIDENTIAL", "I∩TERNAL USE ONLY", "†OP SECRET RESTRIC†ED", "CØNFIDENTIAL", "DO NOT FØRWARD",
        "CONFIDENTIAŁ", "R∈STRICTED", "I⋂TERNAL USE ONLY", "Cθnfidential", "C⭕NFIDENTIAL", "CONF║DENT║AL", "C O N F ¡ D E N T ¡ A L",
        "C│O│N│F│I│D│E│N│T│I│A│L", "C ✓ O ✓ N ✓ F ✓ I ✓ D ✓ E ✓ N ✓ T ✓ I ✓ A ✓ L", "NOT│FOR│CIRCULATION", "DO ✓ NOT ✓ FORWARD",
        "C 🔒 O 🔒 N 🔒 F 🔒 I 🔒 D 🔒 E 🔒 N 🔒 T 🔒 I 🔒 A 🔒 L", "C@NFIDENTIAL", "INTERNAL│ONLY", "MEMBERS ✦ ONLY", "IN ✦ CONFIDENCE", "© O N F I D E N T I A L", "Я E S T R I C T E D",
        "C-Θ-N-F-I-D-E-N-T-I-A-L", "R E S T R I C ⊤ E D", "R € S T R I C T E D",
        "C │ O │ N │ F │ I │ D │ E │ N │ T │ I │ A │ L", "C × O × N × F × I × D × E × N × T × I × A × L", "CӨNFIDENTIAL", "CONFłDENTłAL",
        "ᑕᗝᑎᖴIᗪᗴᑎTIᗩᒪ", "ƦΣƧƬƦIᄃƬΣD", "₵Ø₦₣ł₫Ɇ₦₮ł₳Ⱡ",
    ])
    func marksForLetters(line: String) throws {
        #expect(try Self.heldLine(line).count == 1, "\(line)")
        #expect(try Self.held(subject: line).count == 1, "\(line)")
    }

    @Test("marks, symbols and Cyrillic or Greek words that spell no marker pass", arguments: [
        "¡Hola! Nos vemos el viernes", "Пересл: ЯБЛОКО", "Привет, это новости", "Ω Restaurant booking", "∪NRESTRICTED access",
        "Members: ∑ total 5", "CON†ROL of the pay budget", "© 2026 Example Union", "ΘΕΣΣΑΛΟΝΙΚΗ conference", "ŁÓDŹ branch visit",
        "│ Fri 20 Jun │ Quiz night │ Members only │", "┃ Car park B ┃ 40 spaces ┃ Restricted ┃", "│ Counselling line │ Free │ Confidential │",
        "Home │ News │ Events │ Members only", "Pay offer │ Confidential",
    ])
    func marksSpellingNoMarker(line: String) throws {
        #expect(try Self.heldLine(line).isEmpty, "\(line)")
        #expect(try Self.held(subject: line).isEmpty, "\(line)")
    }

    @Test("a marking after a shape used as a list bullet stands alone on its line", arguments: ["● Confidential", "■ Strictly Confidential", "▪ Internal only"])
    func bulletShapes(line: String) throws {
        #expect(try Self.heldLine(line).count == 1, "\(line)")
    }

    @Test("a tick, a box or an arrow marks an option or a link, not a marking", arguments: [
        "Our helpline is:\r\n✓ Free\r\n✓ Confidential\r\n✓ Open 24/7\r\n", "Please tick one:\r\n☐ Confidential\r\n☐ Can be shared\r\n",
        "Quick links:\r\n► News\r\n► Events\r\n► Members only\r\n", "Room booking:\r\n◉ restricted\r\n○ available\r\n",
        "Key:\r\n◆ Members only\r\n◇ Open to all\r\n",
    ])
    func ticksAndArrows(body: String) throws {
        #expect(try Self.held(body: body).isEmpty, "\(body)")
    }

    @Test("a field is a classification when its name says so, or a titled marking says more than who may come in", arguments: [
        "Distribution list: Internal only", "Handling instructions: Do not forward", "Distribution of this email: internal only",
        "Caveat: internal only", "Security classification of attachment: do not forward", "Venue: Strictly Confidential",
        "Prices: Commercial in Confidence", "Access: Internal Use Only", "Document status: Members only", "Document status: Restricted",
        "Security classification: members only", "Recipients: Not for circulation", "Status: Restricted", "Security: Restricted",
        "Current status: Confidential", "Report status: Restricted", "Security level: Confidential", "Business impact level: Restricted",
        "Document handling: Do not forward", "Information class: Restricted", "Email category: Internal only", "Case status: Confidential",
        "Handling: Restricted", "Distribution status: Restricted", "Board pack status: Confidential", "GPMS level: Restricted",
        "Tribunal bundle status: Confidential", "Special handling instructions: Do not forward", "Applied label: Confidential",
        "Purview label: Confidential", "Pay offer status: Confidential", "Secrecy level: Confidential", "Protective marking: Restricted",
        "Label applied: Confidential", "Label name: Confidential", "Labels: Confidential", "Press status: Not for publication",
        "Leeds site status: Confidential", "Member status: Confidential", "Pay level: Confidential", "Complaints handling: Confidential",
        "Hardship fund distribution: Internal only",
    ])
    func classificationFieldNames(line: String) throws {
        #expect(try Self.held(body: "Hello,\r\n\(line)\r\nBest wishes\r\n").count == 1, "\(line)")
    }

    @Test("a sentence ending in a colon, a room, a course or who may come in is no classification", arguments: [
        "The status of the bar on the night is: members only", "Entry: members only", "Bar prices: members only",
        "Entry: Members Only", "Admission: Members Only", "Open to: Members Only", "Car parking: Restricted Access",
        "Level 2 parking: restricted", "Class bookings: members only", "Document library: members only", "Security course: members only",
        "Circulation desk: restricted", "Status update: in confidence", "Audience: members only", "Recipients: members only",
        "Yoga class: Members only", "Car sharing: Members only", "Sensitivity training: Members only", "Summer BBQ: Members Only",
        "Suitable for: Members Only", "Next month we are starting a new Saturday yoga class: members only.", "Privacy: Members only",
        "Photo sharing: Restricted", "Age restrictions: Restricted", "Visibility: members only", "Distribution: members only", "Entry restrictions: Members Only", "Distribution of free tickets: Members only", "Leaflet distribution: Members only",
        "Salary level: Confidential", "Parking status: Restricted", "Cash handling: Restricted", "Vacancy status: Internal only",
        "Room class: Restricted", "Baggage handling: Restricted", "Building access status: Restricted", "Cash handling level: Restricted",
        "Leaflet distribution: Restricted", "Photo sharing status: Restricted", "Note: parking status: Restricted",
        "Step-free access level: Restricted", "Road marking: Restricted", "Label printer: internal use only",
    ])
    func longFieldNames(line: String) throws {
        #expect(try Self.held(body: "Hello,\r\n\(line)\r\nBest wishes\r\n").isEmpty, "\(line)")
    }

    @Test("a negated marking says the opposite, in capitals too", arguments: [
        "NOT EMBARGOED – for immediate use", "NOT EMBARGOED", "NOT CONFIDENTIAL", "NON-CONFIDENTIAL", "Not confidential – please share widely",
        "NOT INTERNAL ONLY", "Not-restricted",
    ])
    func negatedMarkings(line: String) throws {
        #expect(try Self.held(body: "Hello,\r\n\(line)\r\nBest wishes\r\n").isEmpty, "\(line)")
        #expect(try Self.held(subject: line).isEmpty, "\(line)")
    }

    @Test("a no, a yes-or-no or the UN before a marking does not negate it", arguments: [
        "Draft submission to the UN – CONFIDENTIAL", "Accept the offer: yes or no – CONFIDENTIAL", "To strike or not – CONFIDENTIAL briefing",
        "For publication: No – CONFIDENTIAL", "UN CONFIDENTIAL",
    ])
    func notNegations(line: String) throws {
        #expect(try Self.held(body: "Hello,\r\n\(line)\r\nBest wishes\r\n").count == 1, "\(line)")
    }

    @Test("a dash after a place, money or transport is a field's; after anything else a tag", arguments: [
        ("Parking – restricted", false), ("Salary - Confidential", false), ("Parking status | Restricted", false),
        ("Pay offer – confidential", true), ("Board papers - Restricted", true), ("NOT EMBARGOED – CONFIDENTIAL", true),
        ("Parking – Strictly Confidential", true), ("Closure of the Leeds site – confidential", true),
        ("Benevolent fund – Confidential", true), ("Item 4 – Pay – Confidential", true), ("Bottom line – confidential", true),
        ("Notes for the press – not for publication", true),
    ])
    func dashAfterAField(line: String, held: Bool) throws {
        #expect(try Self.held(body: "Hello,\r\n\(line)\r\nBest wishes\r\n").count == (held ? 1 : 0), "\(line)")
    }

    @Test("a phone number's note in brackets is about the number; a document's is a marking", arguments: [
        ("Tel: 020 7946 0000 ext 2345 (internal only)", false), ("Mobile: 07700 900123 (not for circulation)", false),
        ("Budget 2026 (Confidential)", true), ("Pay offer (confidential)", true), ("Ext 2345 (INTERNAL ONLY)", true),
        ("Membership list 2026 (internal only)", true), ("Direct line: +44 (0)20 7946 0000 (not for circulation)", false),
        ("Call me on x4471 (internal only)", false), ("Notes of meeting 12.03.2026 (confidential)", true),
        ("Pay offer 2025-2026 (confidential)", true), ("Notes 12.03.2026 [confidential]", true), ("ref 1234567 (do not forward)", true),
        ("Settlement offer £25000.00 (confidential)", true), ("Member no. 00123456 (confidential)", true), ("See line 4 (restricted)", true),
        ("Option x 2 (confidential)", true), ("Tel 020 7946 0000 (internal only)", false),
    ])
    func numberNotes(line: String, held: Bool) throws {
        #expect(try Self.held(body: "Best wishes,\r\nJo\r\n\(line)\r\n").count == (held ? 1 : 0), "\(line)")
    }

    @Test("capitals that mark what may be read are held, in a sentence too", arguments: [
        "This report is RESTRICTED to the executive.", "This email is RESTRICTED and must not be forwarded.",
        "The minutes are CONFIDENTIAL on every page.", "This is MEMBERS ONLY.", "Circulation is RESTRICTED: branch officers only.",
        "This document is RESTRICTED in its entirety.", "The attached list is RESTRICTED from today and must not be shared.",
    ])
    func markingCapitals(line: String) throws {
        #expect(try Self.held(body: "Hello all,\r\n\(line)\r\nBest wishes\r\n").count == 1, "\(line)")
    }
}
