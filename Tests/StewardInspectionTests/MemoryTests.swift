#if os(Linux)
import Foundation
import StewardCore
import StewardInspection
import Testing

@Suite("Inspection: memory is released per message")
struct MemoryTests {
    /// Resident set size in bytes, from /proc/self/statm.
    static func residentBytes() -> Int {
        guard let statm = try? String(contentsOfFile: "/proc/self/statm", encoding: .utf8) else { return 0 }
        let pages = statm.split(separator: " ").dropFirst().first.flatMap { Int($0) } ?? 0
        return pages * Int(sysconf(Int32(_SC_PAGESIZE)))
    }

    @Test func repeatedInspectionsDoNotGrowMemory() throws {
        // A 512 KiB attachment: leaking the GMime message (with its copy of the bytes) or the
        // decoded content would grow the process by over 200 MB across these iterations.
        var payload = Fixture.pdf
        payload += [UInt8](repeating: 0x20, count: 512 * 1024)
        let bytes = Fixture.crlf(Fixture.multipart(boundary: "m", headers: Fixture.envelopeHeaders, parts: [
            ["Content-Type: text/plain; charset=iso-8859-1", "", "caf\u{E9}"],
            Fixture.attachment(type: "application/pdf", filename: "big.pdf", bytes: payload),
        ]))
        let inspector = Inspector()
        for _ in 0..<20 { _ = try inspector.inspect(bytes: bytes) }
        let before = Self.residentBytes()
        for _ in 0..<200 {
            let message = try inspector.inspect(bytes: bytes)
            #expect(message.root.children[1].content.count == payload.count)
        }
        let growth = Self.residentBytes() - before
        #expect(growth < 64 * 1024 * 1024, "resident memory grew by \(growth) bytes")
    }
}
#endif
