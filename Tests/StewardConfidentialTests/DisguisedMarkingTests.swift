import Foundation
import StewardCore
import Testing

/// Markings a reader sees but a byte search would miss, found by an attacker's probe of the
/// policy's reading (issue 12): reply prefixes before a tag, punctuation and symbols past ASCII
/// around the word, words joined by hyphens or underscores, small capitals, accents and other
/// marks, letters in squares, `l` and `0` among capitals, reversed text, other spacing, embargo
/// lines with a time or a qualifier. Each beside benign twins that must pass.
@Suite("Disguised markings (issue 12)")
struct DisguisedMarkingTests {
    static func held(subject: String = "Notes", body: String = "Hello,\r\nplease see the notes.\r\n", headers: [String] = []) throws -> [String] {
        Mail.confidential(try Mail.judge(Mail.message(subject: subject, extraHeaders: headers, body: body))).map(\.detail)
    }

    @Test("a marked subject behind reply and forward prefixes or a gateway's tag is held", arguments: [
        "FW: Confidential - pay offer", "RE: Confidential: pay offer", "Re: Re: Not for circulation: draft", "AW: WG: Members only: ballot",
        "[EXTERNAL] Confidential - pay offer", "RE[2]: Strictly Private and Confidential - pay", "[Fwd: Confidential - pay offer]",
    ])
    func replyPrefixes(subject: String) throws {
        #expect(try Self.held(subject: subject).count == 1, "\(subject)")
    }

    @Test("a reply about confidentiality passes", arguments: [
        "RE: Confidential waste collection dates", "FW: our confidentiality policy", "RE: [union-news] members only discount at the gym",
        // The union's own kind of embargo (a ban on overtime), in a thread.
        "RE: Embargo to continue over summer", "AW: Embargo – what it means for members",
    ])
    func replyPrefixesPass(subject: String) throws {
        #expect(try Self.held(subject: subject).isEmpty, "\(subject)")
    }

    @Test("a marking set apart by punctuation or symbols past ASCII is held", arguments: [
        "“CONFIDENTIAL”", "—CONFIDENTIAL—", "— Confidential — pay offer", "«Confidential»", "【Confidential】", "「Confidential」",
        "{Confidential}", "CONFIDENTIAL™", "‘Strictly Confidential’",
    ])
    func punctuationPastASCII(line: String) throws {
        let held = try Self.held(body: "Hello,\r\n\r\n\(line)\r\n\r\nThe pay offer is 3%.\r\n")
        #expect(held.count == 1, "\(line): \(held)")
    }

    @Test("the words of a marking joined by hyphens, dots or underscores are held", arguments: [
        "NOT-FOR-CIRCULATION", "DO_NOT_FORWARD", "For.Internal.Use.Only", "Do-Not-Forward",
    ])
    func joinedWords(line: String) throws {
        #expect(try Self.held(body: "Hello,\r\n\(line)\r\nThe pay offer is 3%.\r\n").count == 1, "\(line)")
        #expect(try Self.held(subject: "\(line): pay offer").count == 1, "\(line)")
    }

    @Test("letters that read as the marking's are held", arguments: [
        "ᴄᴏɴꜰɪᴅᴇɴᴛɪᴀʟ",  // small capitals
        "C\u{332}O\u{332}N\u{332}F\u{332}I\u{332}D\u{332}E\u{332}N\u{332}T\u{332}I\u{332}A\u{332}L\u{332}",  // underlined
        "C\u{336}ONFIDENTIA\u{336}L",  // struck through
        "ĆÖŃFÏDÉŃTÏÁL", "CONFİDENTİAL",  // accents, Turkish dotted capital I
        "🅲🅾🅽🅵🅸🅳🅴🅽🆃🅸🅰🅻",  // negative squared
        "ꓚꓳꓠꓝꓲꓓꓰꓠꓔꓲꓮꓡ",  // Lisu
        "CONFlDENTlAL", "C0NFIDENTIAL",  // l and 0 among capitals
        "\u{202E}LAITNEDIFNOC\u{202C}",  // reversed by a right-to-left override
    ])
    func lookalikeLetters(line: String) throws {
        #expect(try Self.held(body: "Hello,\r\n\(line)\r\nThe pay offer is 3%.\r\n").count == 1, "\(line)")
    }

    @Test("a marking spaced out with other spaces or separators is held", arguments: [
        "C\u{A0}O\u{A0}N\u{A0}F\u{A0}I\u{A0}D\u{A0}E\u{A0}N\u{A0}T\u{A0}I\u{A0}A\u{A0}L",  // no-break spaces
        "C\u{2009}O\u{2009}N\u{2009}F\u{2009}I\u{2009}D\u{2009}E\u{2009}N\u{2009}T\u{2009}I\u{2009}A\u{2009}L",  // thin spaces
        "C\tO\tN\tF\tI\tD\tE\tN\tT\tI\tA\tL", "C  O  N  F  I  D  E  N  T  I  A  L", "C·O·N·F·I·D·E·N·T·I·A·L",
        "C/O/N/F/I/D/E/N/T/I/A/L", "C_O_N_F_I_D_E_N_T_I_A_L", "C • O • N • F • I • D • E • N • T • I • A • L",
        // A gap of a tab among spaces, or `_` among spaces (the quick scan must not rule these out).
        "C O\tN F\tI D\tE N\tT I\tA L", "C_O N_F I_D E_N T_I A_L",
        // A single letter beside the run stays apart from it; a run may change its gap.
        "C O N F I D E N T I A L a note", "A C O N F I D E N T I A L note",
    ])
    func otherSpacing(line: String) throws {
        #expect(try Self.held(body: "Hello,\r\n\(line)\r\nThe pay offer is 3%.\r\n").count == 1, "\(line)")
    }

    @Test("embargo lines with a time first, a qualifier, or in brackets are held", arguments: [
        "EMBARGO 00:01 THURSDAY 5 JUNE", "Strictly embargoed until 10am Monday", "Embargoed 10.00 Monday", "Embargo not for release before Monday",
    ])
    func embargoes(line: String) throws {
        #expect(try Self.held(body: "Hello,\r\n\(line)\r\nThe results follow.\r\n").count == 1, "\(line)")
    }

    @Test("ordinary text with the same characters passes", arguments: [
        "“We keep this confidential,” she said.", "The embargo on overtime ended in 2019.", "Café opening times: 9–5 • Monday to Friday",
        "Our “members only” gym offer is back — see the website.", "Grades A·B·C·D·E apply.", "Postcode SW1A 1AA, flat 10l.",
        "Lisu: ꓡꓲ ꓢꓴ ꓟꓳ", "Meeting ➜ Room 4, Thursday 🙂", "Confidentiality policy (revised)", "Résumé of the unrestricted fund",
        "Press release (embargo lifted on Monday)",
        // Found by a review of the first version of these rules: emoji, arrows, bullets, other
        // separators, hyphenated adjectives and the union's own embargoes.
        "Quiz night 🎉 members only", "Bar prices → members only", "Confidential 📞 0800 123 456", "• Restricted → see HR policy",
        "Quiz night • members only", "Restricted/limited access to car park this week", "Confidential/anonymous survey: tell us about workload",
        "Parking => restricted", "Access = restricted", "# Restricted # areas on site map", "MEMBERS-ONLY DISCOUNTS THIS MONTH",
        "Discount for you - members-only", "Members voted to continue the action (embargo to be reviewed in March).",
        "Embargo 2: overtime ban continues", "And embargo not included in the deal", "Embargo to continue over summer",
        "Embargo not lifted yet", "Embargo 1973: the oil crisis explained",
    ])
    func ordinaryTextPasses(line: String) throws {
        #expect(try Self.held(body: "Hello,\r\n\(line)\r\nBest wishes\r\n").isEmpty, "\(line)")
    }

    @Test("a marked Subject among two is held, whichever one a mail program shows")
    func twoSubjects() throws {
        for (first, second) in [("CONFIDENTIAL pay offer", "Pay offer"), ("Pay offer", "CONFIDENTIAL pay offer")] {
            let bytes = Array(String(decoding: Mail.message(subject: first), as: UTF8.self)
                .replacingOccurrences(of: "Subject: \(first)\r\n", with: "Subject: \(first)\r\nSubject: \(second)\r\n").utf8)
            #expect(Mail.confidential(try Mail.judge(bytes)).count == 1, "\(first) / \(second)")
        }
        let twice = Array(String(decoding: Mail.message(subject: "Pay offer"), as: UTF8.self)
            .replacingOccurrences(of: "Subject: Pay offer\r\n", with: "Subject: Pay offer\r\nSubject: Re: pay offer\r\n").utf8)
        #expect(Mail.confidential(try Mail.judge(twice)).isEmpty)
    }

    @Test("a Sensitivity header is read as Outlook reads it, whatever joins its words")
    func sensitivitySpelling() throws {
        for value in ["Company Confidential", "company_confidential", "\"Company-Confidential\"", "COMPANY-CONFIDENTIAL"] {
            #expect(try Self.held(headers: ["Sensitivity: \(value)"]).count == 1, "\(value)")
        }
        for value in ["Personal", "Private", "Normal"] {
            #expect(try Self.held(headers: ["Sensitivity: \(value)"]).isEmpty, "\(value)")
        }
    }
}
