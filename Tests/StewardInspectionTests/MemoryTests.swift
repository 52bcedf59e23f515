#if os(Linux)
import Foundation
import StewardCore
import StewardInspection
import StewardTestSupport
import Testing

@Suite("Inspection: memory is released per message")
struct MemoryTests {
    @Test func repeatedInspectionsDoNotGrowMemory() throws {
        // A 512 KiB attachment: leaking the GMime message (with its copy of the bytes) or the
        // decoded content would grow the process by over 200 MB across 200 more messages.
        var payload = Fixture.pdf
        payload += [UInt8](repeating: 0x20, count: 512 * 1024)
        let bytes = Fixture.crlf(Fixture.multipart(boundary: "m", headers: Fixture.envelopeHeaders, parts: [
            ["Content-Type: text/plain; charset=iso-8859-1", "", "caf\u{E9}"],
            Fixture.attachment(type: "application/pdf", filename: "big.pdf", bytes: payload),
        ]))
        let inspected = try Inspector().inspect(bytes: bytes)
        #expect(inspected.root.children[1].content.count == payload.count)

        // Measured in a `steward check` process of its own: the test process's own memory
        // also holds what the tests running beside this one allocate.
        let directory = try TemporaryDirectory("memory")
        let file = directory.path("message.eml")
        try Data(bytes).write(to: URL(fileURLWithPath: file))
        func peak(messages: Int) throws -> Int {
            let run = try Command.runMeasuringPeakMemory(
                [PackagePaths.stewardBinary.path, "check", "--policy", PackagePaths.policies.path, "--format", "json"]
                    + Array(repeating: file, count: messages))
            #expect(run.status == 0, "\(run.output)")
            #expect(run.output.split(separator: "\n").count == messages)
            return run.peakBytes
        }
        let few = try peak(messages: 20)
        let many = try peak(messages: 220)
        #expect(many - few < 48 << 20, "peak \(many >> 20) MB for 220 messages against \(few >> 20) MB for 20")
    }
}
#endif
