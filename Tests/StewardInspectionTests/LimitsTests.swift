import Foundation
import StewardCore
import StewardInspection
import Testing

@Suite("Inspection: limits are findings, not crashes")
struct LimitsTests {
    /// A multipart nested `depth` levels deep with a PNG at the bottom.
    static func nested(depth: Int) -> [UInt8] {
        var text = "From: a@branch.example\r\nSubject: deep\r\nMIME-Version: 1.0\r\n"
        for level in 0..<depth {
            text += "Content-Type: multipart/mixed; boundary=\"b\(level)\"\r\n\r\n--b\(level)\r\n"
        }
        text += "Content-Type: image/png\r\nContent-Transfer-Encoding: base64\r\n\r\n" + Fixture.base64(Fixture.png) + "\r\n"
        for level in stride(from: depth - 1, through: 0, by: -1) {
            text += "--b\(level)--\r\n"
        }
        return Array(text.utf8)
    }

    @Test func nested200DeepReachesDepthLimit() throws {
        let start = ContinuousClock.now
        let message = try Inspector().inspect(bytes: Self.nested(depth: 200))
        #expect(ContinuousClock.now - start < .seconds(5))
        let depthFindings = message.limitsReached.filter { $0.kind == .depth }
        #expect(depthFindings.count == 1)
        #expect(depthFindings.first?.detail.contains("deeper than 30 levels") == true)
        let deepest = message.allParts.map(\.path.count).max()
        #expect(deepest == 30)
        #expect(message.allParts.count == 31)
        #expect(!message.allParts.contains { $0.trueType == "image/png" })
    }

    @Test func nested200DeepIsWalkedFullyWhenAllowed() throws {
        // GMime parses 200 levels, and the walk (iterative) reaches the PNG at the bottom.
        let message = try Inspector(limits: InspectionLimits(maxDepth: 500)).inspect(bytes: Self.nested(depth: 200))
        #expect(message.limitsReached.isEmpty)
        let png = try #require(message.allParts.last)
        #expect(png.path == Array(repeating: 1, count: 200))
        #expect(png.content.bytes(upTo: .max) == Fixture.png)
        #expect(png.trueType == "image/png")
    }

    @Test func nestedThousandsDeepDoesNotCrash() throws {
        let start = ContinuousClock.now
        let message = try Inspector().inspect(bytes: Self.nested(depth: 3000))
        #expect(ContinuousClock.now - start < .seconds(20))
        #expect(message.limitsReached.map(\.kind) == [.depth])
    }

    @Test func gmimeBoundsItsOwnNesting() throws {
        // Even with no depth limit of ours, GMime's recursive parser stops nesting on its own
        // (at 1024 levels in GMime 3.2), so a hostile 20,000-deep message cannot exhaust the stack.
        let start = ContinuousClock.now
        let message = try Inspector(limits: InspectionLimits(maxDepth: 1_000_000, maxParts: 1_000_000))
            .inspect(bytes: Self.nested(depth: 20_000))
        #expect(ContinuousClock.now - start < .seconds(20))
        #expect(message.allParts.count < 2_000)
        #expect(message.allParts.count > 500)
    }

    @Test func attachedMessagesCountAsNesting() throws {
        var text = ""
        for _ in 0..<5 { text += "Subject: fwd\r\nContent-Type: message/rfc822\r\n\r\n" }
        text += "Subject: bottom\r\nContent-Type: text/plain\r\n\r\nbottom\r\n"
        let message = try Inspector(limits: InspectionLimits(maxDepth: 3)).inspect(bytes: Array(text.utf8))
        #expect(message.allParts.map(\.origin) == [.message, .message, .message, .message])
        #expect(message.allParts.last?.path == [1, 1, 1])
        #expect(message.limitsReached.map(\.kind) == [.depth])
        #expect(message.limitsReached.first?.detail.contains("part 1.1.1") == true)
    }

    @Test func tooManyParts() throws {
        let parts = (1...50).map { ["Content-Type: text/plain", "", "part \($0)"] }
        let bytes = Fixture.crlf(Fixture.multipart(boundary: "many", parts: parts))
        let message = try Inspector(limits: InspectionLimits(maxParts: 10)).inspect(bytes: bytes)
        #expect(message.allParts.count == 10)
        #expect(message.root.children.map { $0.text } == (1...9).map { "part \($0)" })
        #expect(message.limitsReached.count == 1)
        let finding = try #require(message.limitsReached.first)
        #expect(finding.kind == .parts)
        #expect(finding.detail.contains("maxParts 10"))
        #expect(finding.detail.contains("part 10"))
    }

    @Test func decodedBytesOverLimit() throws {
        let first = [UInt8](repeating: 0x41, count: 80)
        let second = [UInt8](repeating: 0x42, count: 80)
        let bytes = Fixture.crlf(Fixture.multipart(boundary: "big", parts: [
            Fixture.attachment(type: "application/octet-stream", filename: "a.bin", bytes: first),
            Fixture.attachment(type: "application/octet-stream", filename: "b.bin", bytes: second),
            Fixture.attachment(type: "image/png", filename: "c.png", bytes: Fixture.png),
        ]))
        let message = try Inspector(limits: InspectionLimits(maxDecodedBytes: 100)).inspect(bytes: bytes)
        let leaves = message.root.children
        #expect(leaves.map(\.filename) == ["a.bin", "b.bin", "c.png"])
        #expect(leaves[0].content.bytes(upTo: .max) == first)
        #expect(leaves[1].content.bytes(upTo: .max) == [UInt8](repeating: 0x42, count: 20))
        #expect(leaves[2].content.isEmpty)
        #expect(leaves[2].trueType == nil)
        #expect(message.limitsReached.map(\.kind) == [.bytes])
        #expect(message.limitsReached.first?.detail.contains("b.bin") == true)
    }

    @Test func decodedBytesExactlyAtLimitIsNotAFinding() throws {
        let bytes = Fixture.crlf(Fixture.multipart(boundary: "x", parts: [
            Fixture.attachment(type: "image/png", filename: "c.png", bytes: Fixture.png),
        ]))
        let message = try Inspector(limits: InspectionLimits(maxDecodedBytes: Fixture.png.count)).inspect(bytes: bytes)
        #expect(message.limitsReached.isEmpty)
        #expect(message.root.children.first?.content.bytes(upTo: .max) == Fixture.png)
    }

    @Test func uuencodedBlocksCountTowardsLimits() throws {
        let body = "begin 644 one.txt\n#0V%T\n`\nend\nbegin 644 two.txt\n#0V%T\n`\nend\n"
        let bytes = Array("Content-Type: text/plain\n\n\(body)".utf8)
        let message = try Inspector(limits: InspectionLimits(maxParts: 2)).inspect(bytes: bytes)
        #expect(message.root.children.map(\.filename) == ["one.txt"])
        #expect(message.limitsReached.map(\.kind) == [.parts])
    }

    @Test func timeoutThrows() {
        let bytes = Fixture.crlf(Fixture.multipart(boundary: "t", parts: [["Content-Type: text/plain", "", "x"]]))
        #expect {
            try Inspector(limits: InspectionLimits(timeoutSeconds: 0)).inspect(bytes: bytes)
        } throws: { error in
            (error as? InspectionError)?.code == .timeout
        }
    }
}
