import Foundation
import StewardCore
import Testing

/// Office 97–2003 files (doc, xls, ppt) password-protected the old way (RC4, or XOR
/// obfuscation): no `EncryptedPackage` stream, the streams keep their names, and only a flag
/// or a record inside them says the content cannot be read.
@Suite struct LegacyOfficeEncryptionTests {
    let judge = Judge()

    static func u16(_ value: UInt16) -> [UInt8] { [UInt8(value & 0xFF), UInt8(value >> 8)] }

    /// A Word 97 document: the WordDocument stream opens with the FIB (`wIdent` 0xA5EC, `nFib`
    /// 0xC1, language, `pnNext`, then the flags), padded past 4096 bytes as Word writes it.
    static func word(flags: UInt16) throws -> [UInt8] {
        var fib = u16(0xA5EC) + u16(0x00C1) + u16(0x6027) + u16(0x0409) + u16(0) + u16(flags)
        fib += [UInt8](repeating: 0, count: 4608 - fib.count)
        // An RC4 EncryptionHeader (version 1.1) opens the table stream of an encrypted document.
        let table: [UInt8] = flags & 0x0100 != 0 ? u16(1) + u16(1) + [UInt8](repeating: 0x5A, count: 48) : [UInt8](repeating: 0, count: 512)
        return try Files.compoundFile([("WordDocument", fib), ("1Table", table), ("SummaryInformation", [UInt8](repeating: 0, count: 200))])
    }

    /// An Excel 97 workbook: BOF (BIFF8, globals), FILEPASS when `encryption` is given
    /// (0 XOR, 1 RC4), a CODEPAGE record, EOF. Under 4096 bytes, so in the mini stream.
    static func excel(encryption: UInt16?) throws -> [UInt8] {
        var book = u16(0x0809) + u16(16) + u16(0x0600) + u16(0x0005) + [UInt8](repeating: 0, count: 12)
        if let encryption { book += u16(0x002F) + u16(6) + u16(encryption) + u16(1) + u16(1) }
        book += u16(0x0042) + u16(2) + u16(1252)
        book += u16(0x000A) + u16(0)
        return try Files.compoundFile([("Workbook", book)])
    }

    static func powerPoint(encrypted: Bool) throws -> [UInt8] {
        var streams: [(String, [UInt8])] = [
            ("PowerPoint Document", [UInt8](repeating: 0, count: 5000)), ("Current User", [UInt8](repeating: 0, count: 60)),
        ]
        if encrypted { streams.append(("EncryptedSummary", [UInt8](repeating: 0x33, count: 300))) }
        return try Files.compoundFile(streams)
    }

    static func detail(_ label: String, _ what: String) -> String {
        "encrypted-attachment: part 2 \"\(label)\": \(what); it cannot be checked without the password, so a person should look at it (this alone does not mean it is harmful)"
    }

    @Test func wordEncryptedWithRC4OrXORIsHeldAndAPlainOneIsNot() throws {
        #expect(try judge.findings(Mail.attached("minutes.doc", Self.word(flags: 0x0100 | 0x0200)))
            == [Self.detail("minutes.doc", "password-protected Word document (legacy RC4 encryption)")])
        #expect(try judge.findings(Mail.attached("minutes.doc", Self.word(flags: 0x0100 | 0x8000)))
            == [Self.detail("minutes.doc", "password-protected Word document (legacy XOR obfuscation)")])
        #expect(try judge.findings(Mail.attached("minutes.doc", Self.word(flags: 0x0200))) == [])
    }

    @Test func excelWithAFilePassRecordIsHeldAndAPlainOneIsNot() throws {
        #expect(try judge.findings(Mail.attached("budget.xls", Self.excel(encryption: 1)))
            == [Self.detail("budget.xls", "password-protected Excel workbook (legacy RC4 encryption)")])
        #expect(try judge.findings(Mail.attached("budget.xls", Self.excel(encryption: 0)))
            == [Self.detail("budget.xls", "password-protected Excel workbook (legacy XOR obfuscation)")])
        #expect(try judge.findings(Mail.attached("budget.xls", Self.excel(encryption: nil))) == [])
    }

    @Test func powerPointWithAnEncryptedSummaryIsHeldAndAPlainOneIsNot() throws {
        let findings = try judge.findings(Mail.attached("slides.ppt", Self.powerPoint(encrypted: true)))
        #expect(findings == [Self.detail("slides.ppt", "password-protected PowerPoint presentation (legacy RC4 encryption)")], "\(findings)")
        #expect(try judge.findings(Mail.attached("slides.ppt", Self.powerPoint(encrypted: false))) == [])
    }

    @Test func aCompoundFileWithBrokenSectorChainsGetsAVerdict() throws {
        var bytes = try Self.word(flags: 0x0100)
        // Point the directory at a sector past the end, and make the FAT loop on itself.
        bytes.replaceSubrange(0x30..<0x34, with: [0xFF, 0xFF, 0x00, 0x00])
        let verdict = try judge.verdict(Mail.attached("minutes.doc", bytes))
        #expect(verdict.findings.allSatisfy { $0.rule != "encrypted-attachment" })
        var looping = try Self.word(flags: 0x0100)
        let fat = 512 * (1 + Int(looping[0x4C]))
        for entry in 0..<128 { looping.replaceSubrange((fat + entry * 4)..<(fat + entry * 4 + 4), with: [UInt8(entry & 0xFF), 0, 0, 0]) }
        let loopingVerdict = try judge.verdict(Mail.attached("minutes.doc", looping))
        // Each chain walk stops after as many hops as the file has sectors; the streams' first
        // sectors are genuine, so the flag is still read.
        #expect(loopingVerdict.findings.map(\.rule) == ["encrypted-attachment"])
    }
}
