import Foundation
import StewardCore
import StewardInspection
import StewardTestSupport
import Testing

/// Parts larger than the spool threshold are inspected from spool files, in windows: the same
/// findings as for small parts, signatures found where they straddle a window's end, and the
/// files gone from the spool directory.
@Suite struct LargeAttachmentTests {
    /// Bytes that are no format at all, `count` long (a 4 KB random block repeated).
    static func filler(_ count: Int, seed: UInt64 = 1) -> [UInt8] {
        var random = SplitMix64(seed: seed)
        let block = (0..<4096).map { _ in UInt8(truncatingIfNeeded: random.next()) }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(count)
        while bytes.count < count { bytes += block.prefix(count - bytes.count) }
        return bytes
    }

    /// `signature` placed so that it straddles the end of the first window a scan with
    /// `lookahead` reads from a spool file, inside `count` bytes of filler after `start`.
    static func straddling(_ signature: [UInt8], lookahead: Int, start: [UInt8] = [], count: Int = 3 << 20) -> [UInt8] {
        var bytes = start + filler(count)
        let firstRead = PartContent.windowLength + lookahead
        bytes.replaceSubrange((firstRead - signature.count / 2)..<(firstRead - signature.count / 2 + signature.count), with: signature)
        return bytes
    }

    @Test func aLargePartIsDecodedIntoASpoolFileThatIsAlreadyGoneFromTheDirectory() throws {
        let spool = try TemporaryDirectory("spool")
        let payload = Self.filler(3 << 20)
        let message = try Inspector().inspect(
            bytes: Mail.message([.init(filename: "data.bin", bytes: payload), .init(filename: "small.bin", bytes: Self.filler(1000, seed: 9))]),
            spool: ContentSpool(directory: spool.url, threshold: 64 * 1024))
        let big = message.root.children[1]
        #expect(big.content.isSpooled)
        #expect(big.content.count == payload.count)
        #expect(big.content.bytes(upTo: .max) == payload)
        #expect(big.trueType == "application/octet-stream")
        #expect(!message.root.children[2].content.isSpooled, "a part under the threshold stays in memory")
        // Unlinked on creation: nothing to clean up even while the message is still held.
        #expect(try FileManager.default.contentsOfDirectory(atPath: spool.path) == [])
    }

    @Test func allLargePartsOfAMessageShareOneSpoolFileEachInItsOwnRange() throws {
        let spool = try TemporaryDirectory("spool")
        let payloads = (0..<40).map { Self.filler(100_000 + $0, seed: UInt64($0) + 10) }
        let zip = try Files.zip([("a.bin", Self.filler(200_000, seed: 90)), ("b.bin", Self.filler(300_000, seed: 91))])
        let message = try Inspector().inspect(
            bytes: Mail.message(payloads.enumerated().map { .init(filename: "part\($0.offset).bin", bytes: $0.element) }
                + [.init(filename: "pair.zip", bytes: zip)]),
            spool: ContentSpool(directory: spool.url, threshold: 16 * 1024))
        let parts = message.allParts.filter { $0.content.isSpooled }
        #expect(parts.count == 42)
        var files = Set<ObjectIdentifier>()
        for part in parts {
            if case .file(let file, _, _, _) = part.content.storage { files.insert(ObjectIdentifier(file)) }
        }
        #expect(files.count == 1, "one descriptor per message, not one per part")
        for (index, payload) in payloads.enumerated() {
            #expect(message.root.children[index + 1].content.bytes(upTo: .max) == payload)
        }
        let members = message.root.children[41].children
        #expect(members.map(\.filename) == ["a.bin", "b.bin"])
        #expect(members[1].content.bytes(upTo: .max) == Self.filler(300_000, seed: 91))
    }

    @Test func aSpooledZipIsReadFromItsFileAndItsLargeMembersAreSpooledToo() throws {
        let spool = try TemporaryDirectory("spool")
        let zip = try Files.zip([("photos.raw", Self.filler(2 << 20, seed: 2)), ("agenda.pdf.exe", try Files.pe())])
        let message = try Inspector().inspect(
            bytes: Mail.attached("minutes.zip", zip), spool: ContentSpool(directory: spool.url, threshold: 64 * 1024))
        let archive = message.root.children[1]
        #expect(archive.children.map(\.filename) == ["photos.raw", "agenda.pdf.exe"])
        #expect(archive.children[0].content.isSpooled)
        #expect(archive.children[0].content.count == 2 << 20)
        #expect(archive.children[1].trueType == "application/vnd.microsoft.portable-executable"
            || archive.children[1].trueType == "application/x-dosexec")
        #expect(message.limitsReached.isEmpty)
    }

    @Test func findingsInLargePartsAreTheSameAsInSmallOnes() throws {
        let judge = Judge()
        // Over the 1 MB default threshold, so spooled and scanned in windows.
        let zip = try Files.zip([("photos.raw", Self.filler(2 << 20, seed: 3)), ("agenda.pdf.exe", try Files.pe())])
        #expect(try judge.rules(Mail.attached("minutes.zip", zip)).contains("executable-attachment"))
        let eicar = Self.straddling(ContentMarker.eicarSignature, lookahead: ContentMarker.eicarSignature.count - 1)
        #expect(try judge.findings(Mail.attached("data.bin", eicar)) == [#"eicar-test-signature: part 2 "data.bin": the EICAR anti-virus test signature"#])
        #expect(try judge.findings(Mail.attached("data.bin", Self.filler(3 << 20))) == [])
    }

    @Test func pdfNamesAreFoundAcrossWindowsAndStreamDataIsSkippedAcrossThem() throws {
        let judge = Judge()
        // `/JavaScript` where the first window of a spooled PDF ends.
        var script = Self.straddling(Array(" /JavaScript ".utf8), lookahead: 2048, start: Array("%PDF-1.4\n".utf8))
        script += Array("\n%%EOF\n".utf8)
        #expect(try judge.findings(Mail.attached("report.pdf", script, type: "application/pdf")) == [#"pdf-active-content: part 2 "report.pdf": PDF with JavaScript"#])
        // The same name inside a stream that runs across windows is data, not a name.
        var image = Array("%PDF-1.4\n1 0 obj << /Length 3145728 >>\nstream\n".utf8)
        image += Self.straddling(Array(" /JavaScript ".utf8), lookahead: 2048)
        image += Array("\nendstream\nendobj\n%%EOF\n".utf8)
        #expect(try judge.findings(Mail.attached("photo.pdf", image, type: "application/pdf")) == [])
    }

    @Test func aSpoolThatCannotBeWrittenFailsTheInspectionInsteadOfPassingIt() throws {
        let directory = try TemporaryDirectory("spool")
        let notADirectory = directory.url.appendingPathComponent("file")
        try Data("x".utf8).write(to: notADirectory)
        #expect(throws: InspectionError.self) {
            try Inspector().inspect(
                bytes: Mail.attached("data.bin", Self.filler(256 * 1024)),
                spool: ContentSpool(directory: notADirectory.appendingPathComponent("spool"), threshold: 64 * 1024))
        }
    }

    @Test func aPartTooLargeToReadWholeIsALimitNotAPass() throws {
        var limits = InspectionLimits()
        limits.maxWholePartBytes = 200 * 1024
        let csv = Array(String(repeating: "name,branch,role\n", count: 20_000).utf8)  // 340 KB
        let spool = try TemporaryDirectory("spool")
        let message = try Inspector(limits: limits).inspect(
            bytes: Mail.attached("members.csv", csv, type: "text/plain"), spool: ContentSpool(directory: spool.url, threshold: 64 * 1024))
        let part = message.root.children[1]
        #expect(part.text == nil)
        #expect(part.documentText == nil)
        #expect(message.limitsReached.map(\.kind) == [.bytes, .bytes])
        #expect(message.limitsReached.first?.detail.hasPrefix(#"part 2 "members.csv" holds 340000 bytes, more than can be read whole"#) == true,
                "\(message.limitsReached)")
        // Under the bound the same file is read as before.
        let small = try Inspector().inspect(bytes: Mail.attached("members.csv", csv, type: "text/plain"))
        #expect(small.limitsReached.isEmpty)
        #expect(small.root.children[1].text?.count == csv.count)
    }

    /// Peak resident memory of `steward check` on one message, from the kernel's accounting.
    static func peakMemory(checking file: String) throws -> (status: Int32, output: String, peakBytes: Int) {
        try Command.runMeasuringPeakMemory(
            [PackagePaths.stewardBinary.path, "check", "--policy", PackagePaths.policies.path, "--format", "json", file])
    }

    @Test func steward_checkNeedsNoMoreMemoryForA60MBAttachmentThanForASmallOne() throws {
        let directory = try TemporaryDirectory("peak-mail")
        let big = directory.path("big.eml")
        let small = directory.path("small.eml")
        try Data(Mail.attached("data.bin", Self.filler(60 << 20))).write(to: URL(fileURLWithPath: big))
        try Data(Mail.attached("data.bin", Self.filler(64 * 1024))).write(to: URL(fileURLWithPath: small))

        let baseline = try Self.peakMemory(checking: small)
        let large = try Self.peakMemory(checking: big)
        #expect(baseline.status == 0 && large.status == 0, "\(baseline.output) \(large.output)")
        #expect(large.output.contains(#""action":"accept""#), "\(large.output)")
        // Holding the raw message (80 MB of base64) or the decoded part (60 MB) in memory
        // could not stay under this; spooled, the difference is libmagic's look at the first
        // 7 MB and the scan windows.
        let growth = large.peakBytes - baseline.peakBytes
        #expect(growth < 40 << 20, "peak \(large.peakBytes >> 20) MB for 60 MB against \(baseline.peakBytes >> 20) MB for 64 KB")
    }
}
