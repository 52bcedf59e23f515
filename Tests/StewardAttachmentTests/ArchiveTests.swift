import Foundation
import StewardCore
import Testing

/// Archives of every kind, opened at any depth; their files judged by true type.
@Suite struct ArchiveTests {
    let judge = Judge()

    @Test func zipHoldingARenamedProgramIsFoundByContent() throws {
        let zip = try Files.zip([("notes.txt", Array("agenda".utf8)), ("agenda.pdf", try Files.pe())])
        let findings = try judge.findings(Mail.attached("minutes.zip", zip, type: "application/zip"))
        #expect(findings.contains(#"executable-attachment: part 2 "minutes.zip" > "agenda.pdf": Windows executable (PE32) named as .pdf"#), "\(findings)")
        #expect(findings.contains(#"misleading-file-name: part 2 "minutes.zip" > "agenda.pdf": Windows executable (PE32) named as .pdf"#), "\(findings)")
    }

    @Test func zipOfHarmlessFilesPasses() throws {
        let zip = try Files.zip([("notes.txt", Array("agenda".utf8)), ("minutes.pdf", Files.pdf("")), ("sheet.docx", try Files.ooxml(macro: false))])
        #expect(try judge.findings(Mail.attached("papers.zip", zip)) == [])
    }

    /// Every archive format ClamAV ships a test file for that libarchive reads: the program inside is found.
    @Test(arguments: ["clam.zip", "clam.7z", "clam.cab", "clam.tar.gz", "clam.exe.bz2", "clam.newc.cpio", "clam.odc.cpio", "clam.bin-le.cpio", "clam.bz2.zip", "clam.tnef"])
    func clamArchives(_ name: String) throws {
        let findings = try judge.findings(Mail.attached(name, try Files.clam(name)))
        #expect(findings.contains { $0.hasPrefix("executable-attachment: part 2 \"\(name)\" > ") && $0.contains("Windows executable (PE32)") }, "\(findings)")
    }

    /// ARJ and deflate64 zips: libarchive cannot read them, so they are held as not inspected.
    @Test(arguments: ["clam.arj", "clam.d64.zip"])
    func unreadableArchivesAreHeld(_ name: String) throws {
        let verdict = try judge.verdict(Mail.attached(name, try Files.clam(name)))
        #expect(verdict.action >= .quarantine)
        #expect(verdict.findings.contains { $0.rule == "inspection-limit" && $0.detail.contains("cannot be read") }, "\(verdict.findings)")
    }

    @Test func zipInsideSevenZipInsideTarGz() throws {
        let inner = try Files.zip([("run.js", Array("WScript.Echo('x')".utf8))])
        let sevenZip = try Files.run(["7z", "a", "-bd", "mid.7z", "inner.zip"], inputs: ["inner.zip": inner], output: "mid.7z")
        let tgz = try Files.python("""
            import tarfile
            with tarfile.open("out", "w:gz") as t:
                t.add("mid.7z")
            """, inputs: ["mid.7z": sevenZip])
        let findings = try judge.findings(Mail.attached("outer.tar.gz", tgz))
        #expect(findings == [#"risky-file-name: part 2 "outer.tar.gz" > "mid.7z" > "inner.zip" > "run.js": named as .js, a script Windows runs when it is opened"#])
    }

    @Test(arguments: ["xz", "bz2", "gz"])
    func compressedSingleFilesAreOpened(_ ext: String) throws {
        let mode = ext == "gz" ? "gzip" : ext == "bz2" ? "bz2" : "lzma"
        let packed = try Files.python("import \(mode)\nopen('out','wb').write(\(mode).compress(open('in','rb').read()))", inputs: ["in": try Files.pe()])
        let findings = try judge.findings(Mail.attached("invoice.pdf.\(ext)", packed))
        #expect(findings.contains(#"executable-attachment: part 2 "invoice.pdf.\#(ext)" > "invoice.pdf": Windows executable (PE32) named as .pdf"#), "\(findings)")
    }

    @Test func isoImageIsOpenedAndItsNameFlagged() throws {
        guard Command.exists("xorriso") else { throw TestFailure("xorriso missing (scripts/install-deps)") }
        let iso = try Files.run(["xorriso", "-as", "mkisofs", "-quiet", "-J", "-o", "out.iso", "dir"], inputs: ["dir/setup.exe": try Files.pe()], output: "out.iso")
        let findings = try judge.findings(Mail.attached("photos.iso", iso))
        #expect(findings.contains { $0.hasPrefix("executable-attachment: part 2 \"photos.iso\" > ") && $0.lowercased().contains("setup.exe") }, "\(findings)")
        #expect(findings.contains { $0.hasPrefix("risky-file-name: part 2 \"photos.iso\": named as .iso") }, "\(findings)")
    }

    // MARK: Encryption

    @Test func passwordZipIsHeldAndNotCalledMalware() throws {
        let zip = try Files.run(["zip", "-q", "-P", "secret", "out.zip", "payslip.pdf"], inputs: ["payslip.pdf": Files.pdf("")], output: "out.zip")
        let verdict = try judge.verdict(Mail.attached("payslip.zip", zip))
        #expect(verdict.action >= .quarantine)
        let detail = try #require(verdict.findings.first { $0.rule == "encrypted-attachment" }?.detail)
        #expect(detail.hasPrefix(#"part 2 "payslip.zip": password-protected zip archive (1 of 1 files encrypted); it cannot be checked"#))
        #expect(detail.contains("does not mean it is harmful"))
        #expect(!detail.lowercased().contains("malware") && !detail.lowercased().contains("virus"))
    }

    @Test func passwordZipStillShowsRiskyNames() throws {
        let zip = try Files.run(["zip", "-q", "-P", "secret", "out.zip", "invoice.vbs"], inputs: ["invoice.vbs": Array("MsgBox 1".utf8)], output: "out.zip")
        #expect(try judge.rules(Mail.attached("invoice.zip", zip)) == ["encrypted-attachment", "risky-file-name"])
    }

    @Test(arguments: [false, true])
    func passwordSevenZipIsHeld(_ hiddenNames: Bool) throws {
        let arguments = ["7z", "a", "-bd", "-psecret"] + (hiddenNames ? ["-mhe=on"] : []) + ["out.7z", "a.txt"]
        let archive = try Files.run(arguments, inputs: ["a.txt": Array("hello".utf8)], output: "out.7z")
        let verdict = try judge.verdict(Mail.attached("files.7z", archive))
        #expect(verdict.findings.map(\.rule) == ["encrypted-attachment"], "\(verdict.findings)")
        #expect(verdict.findings.first?.detail.contains("password-protected 7z archive") == true)
    }

    // MARK: Limits

    @Test func zipBombIsHeldAsNotInspected() throws {
        let bomb = try Files.python("""
            import zipfile
            with zipfile.ZipFile("out", "w", zipfile.ZIP_DEFLATED) as z:
                z.writestr("zeros.bin", b"\\0" * (20 * 1024 * 1024))
            """)
        #expect(bomb.count < 100_000)
        let verdict = try Judge(limits: InspectionLimits(maxExpandedBytes: 2 * 1024 * 1024)).verdict(Mail.attached("report.zip", bomb))
        #expect(verdict.action >= .quarantine)
        #expect(verdict.findings.map(\.detail) == [#"could not be inspected: part 2 "report.zip": archives in the message unpack to more than 2097152 bytes (limit max_expanded_bytes); it may be an archive bomb"#])
    }

    @Test func tooManyMembersIsHeld() throws {
        let zip = try Files.python("""
            import zipfile
            with zipfile.ZipFile("out", "w") as z:
                for i in range(50): z.writestr("f%d.txt" % i, "x")
            """)
        let verdict = try Judge(limits: InspectionLimits(maxArchiveMembers: 20)).verdict(Mail.attached("many.zip", zip))
        #expect(verdict.findings.map(\.rule) == ["inspection-limit"])
        #expect(verdict.findings.first?.detail.contains("limit max_archive_members") == true)
        #expect(try Judge().findings(Mail.attached("many.zip", zip)) == [], "within the shipped limit")
    }

    @Test func archivesNestedTooDeepAreHeld() throws {
        var archive = try Files.zip([("a.txt", Array("x".utf8))])
        for level in 0..<5 { archive = try Files.zip([("level\(level).zip", archive)]) }
        let deep = try Judge(limits: InspectionLimits(maxArchiveDepth: 3)).verdict(Mail.attached("deep.zip", archive))
        #expect(deep.findings.map(\.rule) == ["inspection-limit"])
        #expect(deep.findings.first?.detail.contains("limit max_archive_depth") == true, "\(deep.findings)")
        #expect(try Judge().findings(Mail.attached("deep.zip", archive)) == [])
    }

    @Test("archives nested 12 to 32 deep with small members are inspected in full by the shipped limits", arguments: [12, 32])
    func deepNestingInspected(levels: Int) throws {
        var archive = try Files.zip([("tool.exe", try Files.pe())])
        for level in 1..<levels { archive = try Files.zip([("level\(level).zip", archive)]) }
        let findings = try Judge().findings(Mail.attached("deep.zip", archive))
        #expect(findings.contains { $0.hasPrefix("executable-attachment:") && $0.contains("\"tool.exe\"") }, "\(findings)")
        #expect(!findings.contains { $0.hasPrefix("inspection-limit:") }, "\(findings)")
    }

    @Test("past the depth limit the message is held, with what was seen above it still reported")
    func pastDepthLimitReportsWhatWasSeen() throws {
        var archive = try Files.zip([("deepest.txt", Array("x".utf8))])
        for level in 1..<6 { archive = try Files.zip([("level\(level).zip", archive)]) }
        archive = try Files.zip([("top.exe", try Files.pe()), ("nested.zip", archive)])
        let findings = try Judge(limits: InspectionLimits(maxArchiveDepth: 4)).verdict(Mail.attached("deep.zip", archive)).findings
        #expect(Set(findings.map(\.rule)) == ["inspection-limit", "executable-attachment"])
        // Filed under the unsafe-attachment family, naming the archive where the limit was reached.
        let limit = try #require(findings.first { $0.rule == "inspection-limit" })
        #expect(limit.kind == "unsafe-attachment")
        #expect(limit.detail.contains(#"part 2 "deep.zip" > "nested.zip" > "level5.zip" > "level4.zip" > "level3.zip""#), "\(limit.detail)")
    }

    @Test func limitsAreSetInDefaultYAML() throws {
        let text = try String(contentsOf: PackagePathsURL.defaultYAML, encoding: .utf8)
            .replacingOccurrences(of: "max_archive_members: 2000", with: "max_archive_members: 3")
        #expect(text.contains("max_archive_members: 3"))
        let zip = try Files.zip((0..<5).map { ("f\($0).txt", Array("x".utf8)) })
        #expect(try Judge(defaultsFile: text).rules(Mail.attached("five.zip", zip)) == ["inspection-limit"])
    }
}

import StewardTestSupport

enum PackagePathsURL {
    static var defaultYAML: URL { PackagePaths.policies.appendingPathComponent("default.yaml") }
}
