import Foundation
import StewardCore
@testable import StewardInspection
import StewardTestSupport
import Testing

/// Inputs the libFuzzer run (scripts/fuzz) found crashing inspection, kept so they never do
/// again. Each is inspected in this process: a crash here ends the test run, loudly.
@Suite struct FuzzFindingTests {
    /// Both runs of 3 December 2026 stopped on the same fault: an RTF `\u` control word with a
    /// value past 32 bits (`\u2000000080000`) trapped converting it to a Unicode scalar, which
    /// would have ended the milter on such an attachment.
    static let findings: [String: String] = [
        "crash-8b3c19fb": "RnJvbTogH2Fyb2wgPGNhcm9sQAH7cGFydG5lQHBhMm9uL3J0ZjsgbooxNmI2YjYxLW1Gcm9tOmxlY3R7XHUKDQp7XHJ0Zjh7XG9iamVjdHtcdVyKiooic21pbWUuS29aSWh2Y05BUWNDb0lIMGJuUmxiblE2L3BsYWkjRnJvbTogZSINNDQ0NDQ0NDQ0NDQ0NDQ0NDQ0NDQ0NDQ0NDQ0NDQ0NDQ0NDQ0Cg0Ke1xydGYye1xDb250blE2L3BsYWkjRnJvbTqKioqKioqKiiaKioqKioqKioqKioqKioqKioqKioqKioqKioqKXIqKioqKioqKioqKiopvbTpsZWN0e1x1Cg0Ke1xydGY4e1xvYmplY3R7XHUyMDAwMDAwMDgwMDAw",
        "crash-bbd65447": "RnJvbTpjczctbUZyb206bC5ycnRuEnJuZT0NbFJRCkZyb206IENhcm9sIDxjYf////////8bb2JqZGF0YTEPCkNvbnRlbnQtVHlwZTogYXBwbGljYXSXb24vcnRmOyBuYW3jZT3KImwucnRmIg0KDQp7XHJ0ZjB7XG9iamVjdHtcKlxvYmo6YXRhZEBwYXJ0bmVyLmV4YW1nMy0tLXBsZT4NCk1JTUUtVmVyc2lvbjogMT8tLjAPCkNvbnRlbnQtVHlwZTog////////////////////////bXUiDQoNCntccnRmMHtcb2JqZWN0e1wqXG9iajphDQp7XHJ0Zip7XG9iamVjdHtcdTY3NjUvcGtjczctbUZyb206bC50ZiK3////////////////////bXUiDQoNCntccnRmMHtcb2JqZWN0e1wqXG9iajphDQp7XHJ0ejF7XG9iamVjdHtcdTY3NjUvcGtjczctbUZyb206bC50ZiK3Cg0Ke1xydGYxe1xvYmplY3R7XHU2NzY1L3BrY3M3LW1Gcm9tOmwucnRmKQgKDXRh4WRAcGFydJWajf9iamVjdHtcdTY3MDAwMjAwMDAwMDA4MP///////zAxAQAABf//////MDUwMDD/////MDAyMP///zAwMP//",
    ]

    @Test(arguments: findings.keys.sorted()) func inspectsWithoutCrashing(_ name: String) throws {
        let bytes = try #require(Data(base64Encoded: Self.findings[name]!).map(Array.init))
        _ = try? Inspector().inspect(bytes: bytes)
    }

    /// Fuzzing run 11 (4 December 2026): GMime 3.2.13 dereferenced null copying a part's first,
    /// non-header line whose bare LF began a new read of its buffer with a CR left just before
    /// it (`g_strndup` with a length of SIZE_MAX). Without `ParserLineEnds` this ends the test
    /// process with SIGSEGV, as it ended `steward check` and would have ended the milter.
    @Test func gmimeBareLFAtReadBoundary() throws {
        let url = PackagePaths.root.appendingPathComponent("Tests/StewardInspectionTests/FuzzFindings/crash-4d16dc1e.eml")
        let bytes = try Array(Data(contentsOf: url))
        #expect(ParserLineEnds.firstBareLF(bytes) != nil)
        let inspected = try Inspector().inspect(bytes: bytes)
        #expect(inspected.size == bytes.count)
        // The same from a file (the milter's path for large mail), and as an attached message.
        _ = try Inspector().inspect(fileAt: url)
        let wrapped = "From: a@example.org\r\nTo: b@example.org\r\nSubject: fwd\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=w\r\n\r\n--w\r\nContent-Type: application/octet-stream; name=\"m.eml\"\r\nContent-Transfer-Encoding: base64\r\n\r\n" + Data(bytes).base64EncodedString(options: .lineLength76Characters) + "\r\n--w--\r\n"
        _ = try Inspector().inspect(bytes: Array(wrapped.utf8))
    }

    /// Fuzzing run 21 (4 December 2026) stopped on a timeout: a bzip2 file in a zip expanded to
    /// megabytes read as windows-1252 text through GMime's charset filter, which retries iconv
    /// after each byte windows-1252 leaves undefined; under AddressSanitizer each retry checks
    /// the whole rest of the input, so it took 87 s. windows-1252 is now a table in Swift.
    @Test func windows1252ReadsAsFoundationAndWHATWGDo() throws {
        let all = (0...255).map(UInt8.init)
        let decoded = Array(Windows1252.decode(all).unicodeScalars)
        #expect(decoded.count == 256)
        let undefined: Set<UInt8> = [0x81, 0x8D, 0x8F, 0x90, 0x9D]
        for byte in all where !undefined.contains(byte) {
            let foundation = try #require(String(data: Data([byte]), encoding: .windowsCP1252))
            #expect(String(decoded[Int(byte)]) == foundation, "byte \(byte)")
        }
        for byte in undefined { #expect(decoded[Int(byte)].value == UInt32(byte)) }
        let url = PackagePaths.root.appendingPathComponent("Tests/StewardInspectionTests/FuzzFindings/timeout-d6a7f818.eml")
        _ = try? Inspector().inspect(bytes: Array(Data(contentsOf: url)))
    }

    @Test("Bare LFs become CRLF; CRLF and lone CRs stay as they are")
    func lineEnds() {
        #expect(ParserLineEnds.crlf(Array("a\nb\r\nc\rd\n".utf8)) == Array("a\r\nb\r\nc\rd\r\n".utf8))
        #expect(ParserLineEnds.crlf(Array("\n\n".utf8)) == Array("\r\n\r\n".utf8))
        #expect(ParserLineEnds.crlf(Array("a\r\n".utf8)) == Array("a\r\n".utf8))
        #expect(ParserLineEnds.firstBareLF(Array("a\r\n".utf8)) == nil)
    }

    @Test("A file is copied with CRLF only when it has a bare LF, a CR ending one block counting for the next")
    func fileLineEnds() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("line-ends-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let crlfOnly = folder.appendingPathComponent("crlf.eml")
        try Data(Array(repeating: UInt8(ascii: "a"), count: (1 << 16) - 1) + Array("\r\nb\r\n".utf8)).write(to: crlfOnly)
        #expect(try ParserLineEnds.crlfFile(at: crlfOnly) == (crlfOnly, false))
        let bare = folder.appendingPathComponent("lf.eml")
        try Data(Array(repeating: UInt8(ascii: "a"), count: (1 << 16) - 1) + Array("\r\nb\n".utf8)).write(to: bare)
        let copy = try ParserLineEnds.crlfFile(at: bare)
        #expect(copy.isCopy)
        #expect(try Data(contentsOf: copy.url) == Data(Array(repeating: UInt8(ascii: "a"), count: (1 << 16) - 1) + Array("\r\nb\r\n".utf8)))
    }

    @Test("RTF \\u values out of range read as a space, in range as their character")
    func rtfUnicodeValues() throws {
        for (value, expected) in [("2000000080000", " "), ("-99999", " "), ("1114112", " "), ("55296", " "), ("-4064", "\u{F020}"), ("233", "é")] {
            let rtf = "{\\rtf1\\ansi before\\u\(value)?after}"
            let message = "From: a@example.org\r\nTo: b@example.org\r\nSubject: rtf\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\nContent-Type: text/plain\r\n\r\nx\r\n--b\r\nContent-Type: application/rtf; name=\"a.rtf\"\r\nContent-Disposition: attachment; filename=\"a.rtf\"\r\n\r\n\(rtf)\r\n--b--\r\n"
            let inspected = try Inspector().inspect(bytes: Array(message.utf8))
            let part = try #require(inspected.allParts.first { $0.filename == "a.rtf" })
            let text = part.documentText?.joined ?? ""
            #expect(text.contains("before" + expected + "after"), "\\u\(value): \(text)")
        }
    }
}
