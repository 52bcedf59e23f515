import StewardCore
import Testing

@Suite struct CoreValueTests {
    @Test("a document's text joined is every piece's text, a line end between them, byte for byte")
    func documentTextJoined() {
        let pieces = ["Budget", "", "Grève — CONFIDENTIEL", "数据", "line\nbreak", "🙂 end"]
        for count in 0...pieces.count {
            let text = DocumentText(segments: pieces.prefix(count).map { DocumentText.Segment(kind: .cell, text: $0) })
            #expect(text.joined == pieces.prefix(count).joined(separator: "\n"))
            #expect(Array(text.joined.utf8) == Array(pieces.prefix(count).joined(separator: "\n").utf8))
        }
        // A piece's place can be replaced and its reference kept.
        var cell = DocumentText.Segment(kind: .cell, place: "", reference: "B2", text: "x")
        cell.replacePlace(with: "sheet \"Pay\", cell ")
        #expect(cell.location == "sheet \"Pay\", cell B2")
    }

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
