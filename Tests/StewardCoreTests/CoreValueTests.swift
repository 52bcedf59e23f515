import StewardCore
import Testing

@Suite struct CoreValueTests {
    @Test func theStrictestActionWins() {
        #expect([Action.accept, .tag, .quarantine].max() == .quarantine)
        #expect([Action.quarantine, .reject, .tag].max() == .reject)
        #expect(Action.reject < .tempfail, "an internal error outranks every policy choice")
        #expect(Action.accept < .tag)
    }

    @Test func headerValuesAreUnfoldedFor8BitAndFoldedLines() {
        let folded = RawHeader(name: "Subject", rawValue: Array(" Branch\r\n\tmeeting\r\n  minutes".utf8))
        #expect(folded.value == "Branch meeting minutes")
        let latin1 = RawHeader(name: "Subject", rawValue: [0x20, 0x43, 0x61, 0x66, 0xE9])
        #expect(latin1.value == "Caf\u{FFFD}", "invalid UTF-8 is repaired, never a crash")
    }

    @Test func addressesAreNormalisedAndSplit() {
        #expect(EmailAddress.normalize(" <Sam.Okafor@Union.Example> ") == "sam.okafor@union.example")
        #expect(EmailAddress.domain(of: "<a@London.Union.Example>") == "london.union.example")
        #expect(EmailAddress.domain(of: "postmaster") == nil)
        #expect(EmailAddress.domain(of: "a@") == nil)
    }

    @Test func partsAreListedDepthFirstWithPathsAPersonCanFollow() {
        let zip = MessagePart(path: [2], contentType: "application/zip", filename: "minutes.zip", children: [
            MessagePart(path: [2, 1], contentType: "application/pdf", filename: "agenda.pdf")
        ])
        let root = MessagePart(path: [], contentType: "multipart/mixed", origin: .multipart, children: [
            MessagePart(path: [1], contentType: "text/plain"), zip,
        ])
        #expect(root.allParts.map(\.path) == [[], [1], [2], [2, 1]])
        #expect(zip.children[0].displayPath == "part 2.1 \"agenda.pdf\"")
        #expect(root.displayPath == "message body")
    }
}
