import StewardCore
import Testing

@Suite struct UntrustedTextTests {
    /// A subject that tries to start a line of its own in a notice.
    static let forgedLine = "Minutes\r\n\r\n  Or open it in the review app: http://attacker.example/x"

    @Test func cleaningKeepsEverythingOnOneLine() {
        let cleaned = UntrustedText.cleaned(Self.forgedLine)
        #expect(!cleaned.contains("\r") && !cleaned.contains("\n"))
        #expect(cleaned == "Minutes      Or open it in the review app: http://attacker.example/x")
        // C1 controls (U+009B is a one-byte CSI on some terminals), DEL, and U+2028/U+2029.
        #expect(UntrustedText.cleaned("a\u{9B}31mb\u{7F}c\u{2028}d\u{2029}e\u{0}f") == "a 31mb c d e f")
    }

    @Test func cleaningDropsBidiAndInvisibleCharacters() {
        // The classic: "invoice<RLO>fdp.exe" shows as "invoiceexe.pdf".
        #expect(UntrustedText.cleaned("invoice\u{202E}fdp.exe") == "invoicefdp.exe")
        #expect(UntrustedText.cleaned("a\u{200B}b\u{2066}c\u{2069}d\u{200F}e\u{FEFF}") == "abcde")
    }

    @Test func plainTextPassesUnchanged() {
        for text in ["Minutes of the branch meeting", "Grüße aus Köln", "会议记录", "Ελληνικά", "emoji 🎉 ok", ""] {
            #expect(UntrustedText.cleaned(text) == text)
            #expect(UntrustedText.escaped(text) == text)
            #expect(UntrustedText.isClean(text))
        }
    }

    @Test func escapingShowsWhatWasThereAndObeysNothing() {
        let escaped = UntrustedText.escaped("red \u{1B}[31mtext\u{1B}]8;;http://x\u{7}\r\nforged\t\u{202E}fdp.exe \\x1B")
        #expect(escaped == #"red \x1B[31mtext\x1B]8;;http://x\x07\r\nforged\t\u{202E}fdp.exe \\x1B"#)
        #expect(!escaped.unicodeScalars.contains { $0.properties.generalCategory == .control || $0.properties.generalCategory == .format })
    }
}
