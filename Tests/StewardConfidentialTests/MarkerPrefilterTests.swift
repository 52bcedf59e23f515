import StewardCore
@testable import StewardPolicy
import StewardTestSupport
import Testing

/// The marker search passes over text whose bytes hold no marker's first word (what lets a
/// workbook of half a million cells be read in time). That shortcut must never change an
/// answer: every text it skips has no marking line by the full rule.
@Suite("The marker search's prefilter changes no answer")
struct MarkerPrefilterTests {
    let search = Self.search()

    /// The marker search of the shipped policy's London branch, or with its marker rule's
    /// options replaced by `options`.
    static func search(options: [String: RuleOptionValue]? = nil) -> MarkerSearch {
        let envelope = Envelope(sender: Mail.member, recipients: [Mail.outsider], authUser: "clee", clientAddress: "127.0.0.1")
        var settings = Mail.policy.settings(for: "london")
        if let options { settings.rules[ConfidentialFamily.markerRule.id]?.options = options }
        return MarkerSearch(context: RuleContext(envelope: envelope, direction: .outgoing, directory: Mail.policy.directory, settings: settings))
    }

    /// Words that make markings, pieces of them, look-alikes and separators, in several cases.
    static let vocabulary = [
        "confidential", "Confidential", "CONFIDENTIAL", "CONFIDENTIALLY", "confidentiality", "Private", "PRIVATE", "private",
        "restricted", "RESTRICTED", "Embargo", "EMBARGOED", "embargoes", "until", "Not", "for", "circulation", "CIRCULATION",
        "Strictly", "highly", "and", "personal", "-", ":", "|", "[", "]", "(", ")", "*", "–", "\t", "  ", "\r\n", "12",
        "note", "cb91ce37", "741786.99", "Non-Confidential", "CONFID\u{200D}ENTIAL", "naïve", "EMBAR", "GOED", "Sensitive",
        "in", "confidence", "Secret", "SECRET", "Internal", "only", "OFFICIAL", "official-sensitive",
    ]

    /// Builds 20,000 texts of up to six words of `vocabulary` and checks that none the prefilter
    /// skips has a marking line by the full search. Both sides must be well represented, so
    /// the comparison means something.
    static func compare(_ search: MarkerSearch, vocabulary: [String], seed: UInt64) {
        var generator = SplitMix64(seed: seed)
        var skipped = 0, marked = 0
        for _ in 0..<20_000 {
            let count = Int(generator.next() % 6) + 1
            let text = (0..<count).map { _ in vocabulary[Int(generator.next() % UInt64(vocabulary.count))] }
                .joined(separator: generator.next() % 3 == 0 ? "" : " ")
            let marks = MarkerText.lines(of: text).contains { line in
                [DocumentText.Kind.body, .cell, .headerFooter, .label].contains { search.marking(in: line, kind: $0) }
            }
            if marks { marked += 1 }
            guard !search.mayMark(text) else { continue }
            skipped += 1
            #expect(!marks, "skipped a marking: \(text.debugDescription)")
        }
        #expect(skipped > 2_000 && marked > 2_000, "\(skipped) skipped, \(marked) marked")
    }

    @Test("on 20,000 texts built from marking words, a skipped text never has a marking line")
    func skippedTextsHaveNoMarking() {
        Self.compare(search, vocabulary: Self.vocabulary, seed: 0x5EED)
    }

    @Test("a branch's own markers that begin or end with punctuation: still no marking skipped")
    func punctuationMarkers() {
        let search = Self.search(options: [
            "markers": .list(["[CONFIDENTIAL]", "EMBARGO:", "-RESTRICTED-", "NOT FOR PRESS", "1ST DRAFT"]),
            "leading_markers": .list(["EMBARGOED", "(DRAFT)"]),
        ])
        let vocabulary = Self.vocabulary + ["[", "CONFIDENTIAL]", "[confidential]", "embargo:", "-restricted-", "restricted-", "Not", "press",
                                            "1st", "draft", "(draft)", "(DRAFT)x", "2", "x"]
        Self.compare(search, vocabulary: vocabulary, seed: 0xB0B)
    }

    @Test("ordinary cells are skipped; a cell with a marker word, or text past ASCII, is read")
    func examples() {
        #expect(!search.mayMark("note cb91ce37"))
        #expect(!search.mayMark("741786.99"))
        #expect(search.mayMark("strictly private"))
        #expect(search.mayMark("x\tCONFIDENTIAL"))
        #expect(search.mayMark("Embargoed until Monday"))
        // Beyond ASCII normalising can change the bytes (a zero-width joiner inside a word):
        // such text always takes the full search.
        #expect(search.mayMark("CONFID\u{200D}ENTIAL"))
        #expect(search.mayMark("café"))
    }

    /// Pieces a line is read differently from how it is written: look-alikes of other
    /// scripts, full-width and styled letters, digits and signs for letters, spaced-out
    /// letters, invisible characters, right-to-left text, and bytes of other scripts or of
    /// binary read as text.
    static let readingPieces = RandomMarkingTextTests.pieces + [
        "ＣＯＮＦＩＤＥＮＴＩＡＬ", "CОNFIDENTIAL", "ЕMBARGOED", "C0NFIDENTIAL", "CONF|DENT|AL", "c o n f i d e n t i a l",
        "E M B A R G O E D", "s t r i c t l y", "\u{202E}LAITNEDIFNOC\u{202C}", "𝐂𝐎𝐍𝐅𝐈𝐃𝐄𝐍𝐓𝐈𝐀𝐋", "Ⓒⓞⓝⓕⓘⓓⓔⓝⓣⓘⓐⓛ", "\u{81}",
        "\u{81}\u{81}\u{81}", "你好", "Привет", "Ｅｍｂａｒｇｏ", "NOT", "FOR", "RELEASE", "under", "embargo", "Note:",
    ]

    /// Each line the search passes over by its normalised words (`mayMark(_: MarkerText)`)
    /// has no marking by the full rule, in any kind of text, running or not.
    @Test("on 20,000 lines with look-alikes, spaced letters and other scripts, a line passed over never has a marking")
    func linesPassedOverHaveNoMarking() {
        var generator = SplitMix64(seed: 0x11E5_2026)
        var passedOver = 0, marked = 0
        for _ in 0..<20_000 {
            let count = Int.random(in: 1...12, using: &generator)
            let text = (0..<count).map { _ in Self.readingPieces.randomElement(using: &generator)! }
                .joined(separator: Bool.random(using: &generator) ? " " : "")
            for line in MarkerText.lines(of: text, markingWords: search.markingWords) {
                let marks = [DocumentText.Kind.body, .cell, .headerFooter, .label].contains { kind in
                    [false, true].contains { search.markingByFullRule(in: line, kind: kind, running: $0) }
                }
                if marks { marked += 1 }
                guard !search.mayMark(line) else { continue }
                passedOver += 1
                #expect(!marks, "passed over a marking: \(text.debugDescription)")
            }
        }
        #expect(passedOver > 2_000 && marked > 2_000, "\(passedOver) passed over, \(marked) marked")
    }

    @Test("a line of another script or of binary read as text is passed over; one with a marker word, however written, is not")
    func linePrefilterExamples() {
        func line(_ text: String) -> MarkerText { MarkerText.lines(of: text, markingWords: search.markingWords)[0] }
        #expect(!search.mayMark(line(String(repeating: "\u{81}", count: 1000))))
        #expect(!search.mayMark(line("Привет, как дела? 你好")))
        #expect(search.mayMark(line("CОNFIDENTIAL")))  // a Cyrillic О
        #expect(search.mayMark(line("ＣＯＮＦＩＤＥＮＴＩＡＬ")))
        #expect(search.mayMark(line("c o n f i d e n t i a l")))
        #expect(search.mayMark(line("\u{202E}LAITNEDIFNOC\u{202C}")))
        #expect(search.mayMark(line("Привет \u{81} embargoed until Monday")))
    }
}
