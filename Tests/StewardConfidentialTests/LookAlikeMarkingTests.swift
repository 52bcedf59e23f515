import Foundation
import StewardCore
import StewardInspection
import StewardPolicy
import StewardTestSupport
import Testing

/// A marking a reader sees but a byte search would not: full-width and styled letters, letters
/// of another script that look Latin, invisible characters inside the word, unusual dashes, and
/// a text file in UTF-16 (Excel's "Unicode text"). Each beside a clean twin that must pass.
@Suite("Markings written in look-alike characters (issue 12)")
struct LookAlikeMarkingTests {
    static func rules(_ bytes: [UInt8]) throws -> [String] {
        Mail.confidential(try Mail.judge(bytes)).map(\.rule)
    }

    @Test("a marking in look-alike characters is a marking", arguments: [
        "\u{FF23}\u{FF2F}\u{FF2E}\u{FF26}\u{FF29}\u{FF24}\u{FF25}\u{FF2E}\u{FF34}\u{FF29}\u{FF21}\u{FF2C}",  // full-width
        "C\u{041E}NFID\u{0415}NTIAL",  // Cyrillic O and E
        "\u{0421}\u{041E}NFIDENTIAL",  // Cyrillic C and O
        "\u{1D402}\u{1D40E}\u{1D40D}\u{1D405}\u{1D408}\u{1D403}\u{1D404}\u{1D40D}\u{1D413}\u{1D408}\u{1D400}\u{1D40B}",  // mathematical bold
        "CONFI\u{034F}DENTIAL: pay offer",  // combining grapheme joiner
        "CONF\u{FE0F}IDENTIAL",  // variation selector
        "Con\u{FB01}dential",  // the fi ligature, alone on its line
        "Strictly Confidential \u{2212} Personal",  // minus sign
        "Strictly Confidential \u{2010} Personal",  // hyphen
        "Strictly Confidential \u{FF0D} Personal",  // full-width hyphen-minus
        "Pay offer \u{2015} Highly Confidential",  // horizontal bar
    ])
    func lookAlikes(line: String) throws {
        let bytes = Mail.message(body: "Dear Carol,\r\n\r\n\(line)\r\n\r\nThe pay figures follow.\r\n")
        #expect(try Self.rules(bytes) == ["confidential-marker"], "\(line.unicodeScalars.map { String($0.value, radix: 16) })")
    }

    @Test("ordinary text in other scripts and styles passes", arguments: [
        "\u{041A}\u{043E}\u{043D}\u{0444}\u{0438}\u{0434}\u{0435}\u{043D}\u{0446}\u{0438}\u{0430}\u{043B}\u{044C}\u{043D}\u{043E}\u{0441}\u{0442}\u{044C} \u{2014} \u{043D}\u{0430}\u{0448}\u{0430} \u{043F}\u{043E}\u{043B}\u{0438}\u{0442}\u{0438}\u{043A}\u{0430}.",  // Russian: "Confidentiality is our policy."
        "\u{039F}\u{0399} \u{03A3}\u{03A5}\u{039D}\u{0391}\u{0394}\u{0395}\u{039B}\u{03A6}\u{039F}\u{0399} \u{03A3}\u{03A5}\u{039D}\u{0395}\u{039D}\u{039F}\u{0397}\u{0398}\u{0397}\u{039A}\u{0391}\u{039D}",  // Greek capitals
        "\u{FF2D}\u{FF25}\u{FF25}\u{FF34}\u{FF29}\u{FF2E}\u{FF27} \u{FF2F}\u{FF2E} \u{FF34}\u{FF28}\u{FF35}\u{FF32}\u{FF33}\u{FF24}\u{FF21}\u{FF39}",  // full-width "MEETING ON THURSDAY"
        "We keep your details con\u{FB01}dential, as the law requires.",
        "Minutes \u{2212} agreed \u{2015} see you on Thursday",
    ])
    func ordinaryTextPasses(line: String) throws {
        #expect(try Self.rules(Mail.message(body: "Dear Carol,\r\n\(line)\r\nBest wishes\r\n")).isEmpty, "\(line)")
    }

    /// UTF-16 with a byte-order mark, as Python's "utf-16" codec and Excel's "Unicode text" write it.
    static func utf16(_ text: String) -> [UInt8] {
        [0xFF, 0xFE] + text.utf16.flatMap { [UInt8($0 & 0xFF), UInt8($0 >> 8)] }
    }

    @Test("a UTF-16 text file with no charset is read as UTF-16", arguments: [
        ("payreview.txt", "text/plain"), ("payreview.csv", "application/octet-stream"),
    ])
    func utf16TextFile(name: String, type: String) throws {
        let marked = Self.utf16("CONFIDENTIAL\r\nName,Grade,Offer\r\nA. Member,4,31000\r\n")
        #expect(try Self.rules(Mail.message(attachments: [(name, type, marked)])) == ["confidential-marker"])
        let clean = Self.utf16("Name,Grade,Offer\r\nA. Member,4,31000\r\n")
        #expect(try Self.rules(Mail.message(attachments: [(name, type, clean)])).isEmpty)
        // Read as text, not as bytes with NULs between the letters.
        let part = try #require(try Mail.inspect(Mail.message(attachments: [(name, type, marked)])).allParts.first { $0.filename == name })
        #expect(part.documentText?.segments.first?.text == "CONFIDENTIAL", "\(String(describing: part.documentText))")
    }
}

/// Places in Office files where a reader sees a marking that is not body text, and spaced-out
/// or calendar markings (issue 12). Each beside a twin with ordinary words in the same place.
@Suite("Markings in watermarks, sheet names, notes, masters, invites and spaced letters (issue 12)")
struct HiddenPlaceMarkingTests {
    static func details(_ bytes: [UInt8]) throws -> [String] {
        Mail.confidential(try Mail.judge(bytes)).map(\.detail)
    }

    @Test("a marking in a watermark, a sheet's name, an Excel note, speaker notes or a slide master counts", arguments: [
        ("watermark.docx", "watermark: \"CONFIDENTIAL\""), ("sheet-name.xlsx", "sheet name: \"CONFIDENTIAL\""),
        ("note.xlsx", "notes: \"CONFIDENTIAL\""), ("speaker-notes.pptx", "speaker notes 1: \"CONFIDENTIAL\""),
        ("slide-master.pptx", "slide master 1: \"CONFIDENTIAL\""),
    ])
    func officePlaces(file: String, place: String) throws {
        let held = try Self.details(Mail.message(attachments: [(file, "application/octet-stream", try Docs.bytes(file))]))
        #expect(held.count == 1 && held[0].contains(place), "\(held)")
        let twin = file.replacingOccurrences(of: ".", with: file.hasPrefix("watermark") ? "-draft." : "-plain.")
        #expect(try Self.details(Mail.message(attachments: [(file, "application/octet-stream", try Docs.bytes(twin))])).isEmpty, "\(twin)")
    }

    @Test("a marking spelt out letter by letter counts", arguments: [
        "C O N F I D E N T I A L", "C-O-N-F-I-D-E-N-T-I-A-L", "C.O.N.F.I.D.E.N.T.I.A.L", "S T R I C T L Y   C O N F I D E N T I A L",
        // One space throughout: the run is split back into the policy's words.
        "S T R I C T L Y C O N F I D E N T I A L", "P R I V A T E A N D C O N F I D E N T I A L",
        "s t r i c t l y c o n f i d e n t i a l", "N O T F O R C I R C U L A T I O N",
    ])
    func spacedLetters(line: String) throws {
        let held = try Self.details(Mail.message(body: "Dear Carol,\r\n\r\n\(line)\r\n\r\nThe pay figures follow.\r\n"))
        #expect(held.count == 1, "\(line): \(held)")
        #expect(try Self.details(Mail.message(subject: "\(line) - pay offer")).count == 1, "\(line)")
    }

    @Test("single letters in ordinary text pass", arguments: [
        "Options: a b c d e f, as listed in section A.", "Grades A-B-C-D-E apply from April.", "See items i. ii. and iii. of the agreement.",
        // Spaced-out words that only contain a marking's word are other words.
        "U N R E S T R I C T E D", "c o n f i d e n t i a l i t y", "P R I V A T E   L I F E",
    ])
    func lettersPass(line: String) throws {
        #expect(try Self.details(Mail.message(body: "Dear Carol,\r\n\(line)\r\nBest wishes\r\n")).isEmpty, "\(line)")
    }

    static func invite(summary: String, description: String, extra: String = "") -> [UInt8] {
        Array(("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nMETHOD:REQUEST\r\nBEGIN:VEVENT\r\nUID:1234\r\nCLASS:PRIVATE\r\n"
            + "DTSTART:20260610T100000Z\r\n\(summary)\r\n\(description)\r\n\(extra)END:VEVENT\r\nEND:VCALENDAR\r\n").utf8)
    }

    @Test("a calendar invite is read as Outlook shows it: values, folded lines joined, \\n as line breaks")
    func calendarInvite() throws {
        let cases = [
            Self.invite(summary: "SUMMARY;LANGUAGE=en-GB:Confidential: pay talks", description: "DESCRIPTION:Room 4"),
            Self.invite(summary: "SUMMARY:Pay talks", description: "DESCRIPTION:Agenda below.\\n\\nPrivate and Confidential\\n\\n1. Offer"),
            Self.invite(summary: "SUMMARY:Pay talks with management\\, papers for the meeting CONFID\r\n ENTIAL", description: "DESCRIPTION:Room 4"),
        ]
        for ics in cases {
            let held = try Self.details(Mail.message(attachments: [("invite.ics", "text/calendar; method=REQUEST", ics)]))
            #expect(held.count == 1, "\(String(decoding: ics, as: UTF8.self)): \(held)")
        }
        // An ordinary invite passes, CLASS:PRIVATE (a private appointment) included.
        let plain = Self.invite(summary: "SUMMARY:Pay talks", description: "DESCRIPTION:Agenda below.\\n1. Offer\\n2. Ballot")
        #expect(try Self.details(Mail.message(attachments: [("invite.ics", "text/calendar; method=REQUEST", plain)])).isEmpty)
    }
}
