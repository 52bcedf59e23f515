import Foundation
import StewardCore
import Testing

/// Damaged and hostile containers get a verdict in bounded time; what cannot be read is held.
@Suite struct AttachmentBadInputTests {
    let judge = Judge()

    @Test func truncatedZipIsHeld() throws {
        let zip = try Files.zip([("a.pdf", Files.pdf("")), ("b.exe", try Files.pe())])
        let cut = Array(zip.prefix(zip.count / 2))
        let verdict = try judge.verdict(Mail.attached("cut.zip", cut))
        #expect(verdict.action >= .quarantine, "\(verdict.findings)")
        #expect(verdict.findings.contains { $0.rule == "inspection-limit" || $0.rule == "executable-attachment" })
    }

    @Test func truncatedTarGzAndSevenZipAreHeld() throws {
        for name in ["clam.tar.gz", "clam.7z", "clam.cab"] {
            let whole = try Files.clam(name)
            let verdict = try judge.verdict(Mail.attached(name, Array(whole.prefix(whole.count - 20))))
            #expect(verdict.action >= .quarantine, "\(name): \(verdict.findings)")
        }
    }

    @Test func absurdSizesInHeaders() throws {
        // A tar header claiming an 8 GB member, with nothing behind it.
        var tar = try Files.python("""
            import tarfile, io
            t = tarfile.open("out", "w")
            info = tarfile.TarInfo("big.bin"); info.size = 1
            t.addfile(info, io.BytesIO(b"x")); t.close()
            """)
        let size = Array(String(8 * 1024 * 1024 * 1024, radix: 8).utf8)
        for (offset, byte) in (size + [0]).enumerated() { tar[124 + offset] = byte }
        // Fix the header checksum so libarchive believes the header.
        for index in 148..<156 { tar[index] = 0x20 }
        let sum = tar[0..<512].reduce(0) { $0 + Int($1) }
        for (offset, byte) in (Array(String(sum, radix: 8).utf8).leftPad(6) + [0, 0x20]).enumerated() { tar[148 + offset] = byte }
        let start = ContinuousClock.now
        let verdict = try judge.verdict(Mail.attached("big.tar", tar))
        #expect(ContinuousClock.now - start < .seconds(10))
        #expect(verdict.action >= .quarantine, "\(verdict.findings)")
    }

    @Test func centralDirectoryDisagreesWithLocalHeaders() throws {
        // The local header says "notes.txt", the central directory says "notes.exe" (same length).
        var zip = try Files.zip([("notes.txt", try Files.pe())])
        let local = Array("notes.txt".utf8)
        let first = try #require((0...(zip.count - local.count)).first { Array(zip[$0..<($0 + local.count)]) == local })
        let second = try #require(((first + 1)...(zip.count - local.count)).first { Array(zip[$0..<($0 + local.count)]) == local })
        for (offset, byte) in Array("notes.exe".utf8).enumerated() { zip[second + offset] = byte }
        let verdict = try judge.verdict(Mail.attached("notes.zip", zip))
        #expect(verdict.action >= .quarantine, "\(verdict.findings)")
        #expect(verdict.findings.contains { $0.rule == "executable-attachment" }, "the program is found whichever name is believed")
    }

    @Test func corruptPDFAndOLE() throws {
        var pdf = Files.pdf("/OpenAction << /S /JavaScript /JS (x")
        pdf = Array(pdf.prefix(60))
        #expect(try judge.verdict(Mail.attached("a.pdf", pdf)).action != .tempfail)
        let unterminated = Array("%PDF-1.4\n1 0 obj << /Length 5 >>\nstream\n".utf8) + [UInt8](repeating: 0x41, count: 1000)
        #expect(try judge.findings(Mail.attached("b.pdf", unterminated)) == [])
        let ole = Array(Files.ole(streams: ["_VBA_PROJECT"]).prefix(600))
        #expect(try judge.verdict(Mail.attached("c.doc", ole)).action == .accept, "cut before the VBA name: nothing to see")
        let garbage = OLEGarbage.bytes
        #expect(try judge.verdict(Mail.attached("d.xls", garbage)).action != .tempfail)
    }

    @Test func damagedTNEFIsHeld() throws {
        let tnef = try Files.clam("clam.tnef")
        let verdict = try judge.verdict(Mail.attached("winmail.dat", Array(tnef.prefix(5000)), type: "application/ms-tnef"))
        #expect(verdict.findings.contains { $0.rule == "inspection-limit" && $0.detail.contains("TNEF") }, "\(verdict.findings)")
    }
}

enum OLEGarbage {
    static let bytes: [UInt8] = [0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1] + (0..<4096).map { UInt8(truncatingIfNeeded: $0 &* 2_654_435_761 >> 7) }
}

extension Array where Element == UInt8 {
    func leftPad(_ width: Int) -> [UInt8] { count >= width ? self : [UInt8](repeating: 0x30, count: width - count) + self }
}
