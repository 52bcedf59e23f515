@testable import StewardInspection
import Testing

@Suite("Uudecode")
struct UudecodeTests {
    @Test func decodesClassicExample() {
        let blocks = Uudecode.blocks(in: Array("begin 644 cat.txt\n#0V%T\n`\nend\n".utf8), byteBudget: 100, maxBlocks: 10)
        #expect(blocks == [UuencodedBlock(filename: "cat.txt", bytes: Array("Cat".utf8), truncated: false)])
    }

    @Test func handlesCrlfAndMissingEnd() {
        let blocks = Uudecode.blocks(in: Array("begin 0755 run.sh\r\n#0V%T\r\n".utf8), byteBudget: 100, maxBlocks: 10)
        #expect(blocks.map(\.filename) == ["run.sh"])
        #expect(blocks.first?.bytes == Array("Cat".utf8))
    }

    @Test func ignoresProseThatStartsWithBegin() {
        let text = Array("begin the meeting at 7\nbegin 99 x\nbegin 644\n".utf8)
        #expect(Uudecode.blocks(in: text, byteBudget: 100, maxBlocks: 10).isEmpty)
    }

    @Test func stopsAtBudget() {
        let blocks = Uudecode.blocks(in: Array("begin 644 cat.txt\n#0V%T\n`\nend\n".utf8), byteBudget: 2, maxBlocks: 10)
        #expect(blocks.first?.bytes == Array("Ca".utf8))
        #expect(blocks.first?.truncated == true)
    }
}
