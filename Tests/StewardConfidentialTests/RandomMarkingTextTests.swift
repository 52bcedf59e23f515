import StewardTestSupport
import Testing

/// The marker search reads untrusted text byte by byte (spaced letters, signs standing in for
/// letters, symbol gaps, UTF-8 decoded by hand in `SpelledWords`). `steward-fuzz` covers
/// inspection only, so this drives the policy's reading with seeded random lines made of the
/// pieces those readings look for: an index out of range or a bad scalar would trap here.
@Suite("Random lines of letters, signs and symbols through the marker search (issue 12)")
struct RandomMarkingTextTests {
    static let pieces: [String] = [
        "C", "O", "N", "F", "I", "D", "E", "T", "A", "L", "R", "S", "M", "B", "Y", "c", "o", "n", "f", "i", "l", "r", "e",
        " ", " ", " ", "  ", "-", ".", "*", "/", "|", "~", "+", ":", ",", ";", "=", "'", "!", "$", "@", "0", "1", "3", "5", "7",
        "©", "Я", "И", "Θ", "Σ", "│", "┃", "¦", "¡", "ǃ", "†", "✓", "🔒", "●", "■", "◆", "○", "∅", "∩", "×", "€", "£", "Ø", "ł",
        "ᑕ", "ᗝ", "₵", "\u{0301}", "\u{200D}", "\u{202E}", "\u{202C}", "\u{00A0}", "漢", "字", "é", "ü", "\u{02}", "(", ")", "[",
        "]", "–", "—", "CONFIDENTIAL", "MEMBERS ONLY", "Restricted", "not for circulation", "EMBARGOED UNTIL", "Status:",
        "Distribution list:", "RE: ", "[EXTERNAL] ", "Entry:", "members", "only",
    ]

    static func line(_ generator: inout SplitMix64) -> String {
        let count = Int.random(in: 1...40, using: &generator)
        return (0..<count).map { _ in pieces.randomElement(using: &generator)! }.joined()
    }

    @Test("random lines never stop the search, and a marking after them is still found")
    func randomLines() throws {
        var generator = SplitMix64(seed: 0x5EED_2026_1205)  // the same lines on every run
        for _ in 0..<150 {
            let subject = Self.line(&generator)
            let body = (0..<30).map { _ in Self.line(&generator) }.joined(separator: "\r\n")
            // The subject and body are read whatever they hold; the marking on its own line
            // after them must still be found, so the search ran to the end.
            let held = Mail.confidential(try Mail.judge(Mail.message(
                subject: subject.filter { $0 != "\u{02}" }, body: body + "\r\n\r\nCONFIDENTIAL\r\n")))
            #expect(!held.isEmpty, "\(subject)")
        }
    }
}
