import Foundation
import StewardCore
@testable import StewardInspection
import StewardTestSupport
import Testing

/// The one-pass driver: every scanner sees a spooled part once, window by window, and a
/// signature that a window boundary cuts in two is still found, whichever scanner looks for it.
@Suite("Inspection: one windowed pass per part")
struct WindowedScanTests {
    /// Content in a spool file (so it is read in windows), `count` bytes of `x` with `signatures`
    /// written at the given offsets.
    static func spooled(_ count: Int, _ signatures: [(offset: Int, bytes: [UInt8])], in directory: TemporaryDirectory) throws -> PartContent {
        var bytes = [UInt8](repeating: UInt8(ascii: "x"), count: count)
        for (offset, signature) in signatures { bytes.replaceSubrange(offset..<(offset + signature.count), with: signature) }
        let file = try SpoolFile.create(in: directory.url)
        try bytes.withUnsafeBytes { try file.append($0) }
        return PartContent(file: file, offset: 0, count: bytes.count, head: Array(bytes.prefix(PartContent.headLength)))
    }

    /// Where the driver's `k`th window ends: windows hold `windowLength` new bytes after the
    /// `overlap` kept from the one before.
    static func boundary(_ k: Int, overlap: Int) -> Int { k * PartContent.windowLength + overlap }

    /// `signature` placed so that the boundary cuts it in the middle.
    static func straddling(_ signature: [UInt8], _ boundary: Int) -> (offset: Int, bytes: [UInt8]) {
        (boundary - signature.count / 2, signature)
    }

    static let program: [UInt8] = {
        // A DOS header whose e_lfanew (0x80) points at "PE\0\0".
        var header = [UInt8](repeating: 0, count: 0x84)
        header[0] = 0x4D; header[1] = 0x5A
        header[0x3C] = 0x80
        header[0x80] = 0x50; header[0x81] = 0x45
        return header
    }()

    @Test func everyScannerFindsItsSignatureAcrossAWindowBoundaryInOnePass() throws {
        let directory = try TemporaryDirectory("windowed")
        let eicar = SignatureSearch(ContentMarker.eicarSignature)
        let pdf = PDFScan.Search()
        let markup = MarkupScan.Search()
        let ole = OLEScan.Searches()
        let scanners: [any WindowScanner] = [eicar, pdf, markup] + ole.scanners
        let overlap = scanners.map(\.lookahead).max()!
        #expect(overlap == MarkupScan.lookahead)
        let content = try Self.spooled(8 << 20, [
            Self.straddling(ContentMarker.eicarSignature, Self.boundary(1, overlap: overlap)),
            Self.straddling(Array(" /JavaScript ".utf8), Self.boundary(2, overlap: overlap)),
            Self.straddling(Array("<script>".utf8), Self.boundary(3, overlap: overlap)),
            Self.straddling(OLEScan.vbaProject, Self.boundary(4, overlap: overlap)),
            Self.straddling(OLEScan.oleNative, Self.boundary(5, overlap: overlap)),
            // The PE header lies past the boundary the MZ stands before.
            (Self.boundary(6, overlap: overlap) - 8, Self.program),
        ], in: directory)
        WindowedScan.run(content, scanners)
        #expect(eicar.found)
        #expect(pdf.markers.map(\.kind) == [.pdfJavaScript])
        #expect(markup.markers.map(\.kind) == [.markupScript])
        #expect(ole.codeMarkers.map(\.kind) == [.officeMacros, .officeEmbeddedProgram])
        #expect(!ole.encryptedPackage.found)
    }

    @Test func eachScannerAloneFindsASignatureOnItsOwnBoundary() throws {
        let directory = try TemporaryDirectory("windowed-alone")
        for signature in [ContentMarker.eicarSignature, OLEScan.encryptedPackage] {
            let search = SignatureSearch(signature)
            let content = try Self.spooled(3 << 20, [Self.straddling(signature, Self.boundary(1, overlap: search.lookahead))], in: directory)
            WindowedScan.run(content, [search])
            #expect(search.found)
        }
        let pdf = PDFScan.Search()
        WindowedScan.run(try Self.spooled(3 << 20, [Self.straddling(Array(" /Launch ".utf8), Self.boundary(1, overlap: pdf.lookahead))], in: directory), [pdf])
        #expect(pdf.markers.map(\.kind) == [.pdfLaunch])
    }

    /// A scanner that records which bytes it was given to read, to show each byte is read once.
    final class Counter: WindowScanner {
        let lookahead: Int
        var read = 0
        var windows = 0
        var stopAfter: Int?

        init(lookahead: Int, stopAfter: Int? = nil) {
            self.lookahead = lookahead
            self.stopAfter = stopAfter
        }

        func consume(_ window: UnsafeBufferPointer<UInt8>, safeEnd: Int, isLast: Bool) -> Int? {
            windows += 1
            if let stopAfter, windows > stopAfter { return nil }
            read += safeEnd
            return safeEnd
        }
    }

    @Test func scannersWithDifferentLookaheadsEachReadEveryByteOnceAndOneStoppingLeavesTheOthers() throws {
        let directory = try TemporaryDirectory("windowed-count")
        let content = try Self.spooled(5 << 20 + 123, [], in: directory)
        let small = Counter(lookahead: 7), large = Counter(lookahead: 70_000), quitter = Counter(lookahead: 100, stopAfter: 1)
        WindowedScan.run(content, [small, large, quitter])
        #expect(small.read == content.count)
        #expect(large.read == content.count)
        #expect(quitter.windows == 2)
        #expect(small.windows == large.windows)

        // Content in memory is one window.
        let memory = Counter(lookahead: 7)
        WindowedScan.run(PartContent([UInt8](repeating: 1, count: 1000)), [memory])
        #expect(memory.read == 1000 && memory.windows == 1)
    }
}
