import Foundation
import StewardCore
import Testing

/// PowerPoint 97–2003 stores embedded objects and its VBA project as compound files inside
/// `ExOleObjStg` records, usually zlib-compressed: a program or macros inside are found only
/// by unpacking them.
@Suite struct PowerPointObjectTests {
    let judge = Judge()

    static func u16(_ value: UInt16) -> [UInt8] { [UInt8(value & 0xFF), UInt8(value >> 8)] }
    static func u32(_ value: UInt32) -> [UInt8] { u16(UInt16(value & 0xFFFF)) + u16(UInt16(value >> 16)) }

    /// A .ppt whose "PowerPoint Document" stream holds a document record and one
    /// `ExOleObjStg` with `storage` (compressed as PowerPoint does when `compressed`).
    static func presentation(embedding storage: [UInt8], compressed: Bool) throws -> [UInt8] {
        var stream = u16(0x000F) + u16(0x03E8) + u32(8) + [UInt8](repeating: 0, count: 8)
        if compressed {
            let packed = try Files.python(
                "import zlib; open('out', 'wb').write(zlib.compress(open('in', 'rb').read()))", inputs: ["in": storage])
            stream += u16(0x0010) + u16(0x1011) + u32(UInt32(4 + packed.count)) + u32(UInt32(storage.count)) + packed
        } else {
            stream += u16(0x0000) + u16(0x1011) + u32(UInt32(storage.count)) + storage
        }
        stream += [UInt8](repeating: 0, count: max(0, 4096 - stream.count))
        return try Files.compoundFile([("PowerPoint Document", stream), ("Current User", [UInt8](repeating: 0, count: 60))])
    }

    @Test func clamPresentationCarryingAProgramIsHeld() throws {
        #expect(try judge.findings(Mail.attached("clam.ppt", try Files.clam("clam.ppt")))
            == [#"office-macro: part 2 "clam.ppt": Office document with an embedded Windows program (OLE package)"#])
    }

    @Test(arguments: [true, false])
    func aMacroProjectStoredInAPresentationIsFound(_ compressed: Bool) throws {
        let project = try Files.compoundFile([("_VBA_PROJECT", [0xCC, 0x61, 0xFF, 0xFF, 0x00]), ("dir", [UInt8](repeating: 1, count: 300))])
        let bytes = try Self.presentation(embedding: project, compressed: compressed)
        #expect(try judge.findings(Mail.attached("slides.ppt", bytes)) == [#"office-macro: part 2 "slides.ppt": Office macros (VBA project)"#])
    }

    @Test func anEmbeddedSpreadsheetOrNoObjectPasses() throws {
        let sheet = try Files.compoundFile([("Workbook", Self.u16(0x0809) + Self.u16(16) + [UInt8](repeating: 0, count: 16) + Self.u16(0x000A) + Self.u16(0))])
        #expect(try judge.findings(Mail.attached("slides.ppt", Self.presentation(embedding: sheet, compressed: true))) == [])
        #expect(try judge.findings(Mail.attached("slides.ppt", Self.presentation(embedding: [], compressed: false))) == [])
    }

    @Test func aDamagedCompressedObjectGetsAVerdict() throws {
        let project = try Files.compoundFile([("_VBA_PROJECT", [0xCC, 0x61]), ("dir", [UInt8](repeating: 1, count: 300))])
        var bytes = try Self.presentation(embedding: project, compressed: true)
        // The stream starts in sector 0 (file offset 512); the zlib data follows the document
        // record (16 bytes), the object's header (8) and its unpacked size (4). Garble it.
        let zlib = 512 + 16 + 8 + 4
        #expect(bytes[zlib] == 0x78, "zlib header where expected")
        for index in (zlib + 4)..<(zlib + 40) { bytes[index] ^= 0x5A }
        let verdict = try judge.verdict(Mail.attached("slides.ppt", bytes))
        #expect([.accept, .quarantine].contains(verdict.action))
    }
}
