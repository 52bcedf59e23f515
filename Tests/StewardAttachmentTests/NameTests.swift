import Foundation
import StewardCore
import Testing

/// Names that lie, and files judged by true type whatever the name or declared type says.
@Suite struct NameTests {
    let judge = Judge()
    let script = Array("var s = new ActiveXObject('WScript.Shell');".utf8)

    @Test func programNamedAsPDFWithDeclaredPDFType() throws {
        let findings = try judge.findings(Mail.attached("invoice.pdf", try Files.pe(), type: "application/pdf"))
        #expect(findings == [
            #"executable-attachment: part 2 "invoice.pdf": Windows executable (PE32) named as .pdf"#,
            #"misleading-file-name: part 2 "invoice.pdf": Windows executable (PE32) named as .pdf"#,
        ])
    }

    @Test func doubleExtension() throws {
        let findings = try judge.findings(Mail.attached("report.pdf.exe", try Files.pe()))
        #expect(findings == [
            #"executable-attachment: part 2 "report.pdf.exe": Windows executable (PE32) named as .exe behind .pdf"#,
            #"misleading-file-name: part 2 "report.pdf.exe": double extension .pdf.exe: it looks like a .pdf file but is opened as .exe"#,
        ])
    }

    @Test func doubleExtensionWithSpacesOnAScript() throws {
        let findings = try judge.findings(Mail.attached("minutes.docx        .js", script))
        #expect(findings.contains(#"risky-file-name: part 2 "minutes.docx        .js": named as .js, a script Windows runs when it is opened"#), "\(findings)")
        #expect(findings.contains { $0.hasPrefix("misleading-file-name:") && $0.contains("double extension .docx.js") }, "\(findings)")
    }

    @Test func rightToLeftOverride() throws {
        // Shows as "invoice_exe.pdf"? No: "invoice_" + RLO + "fdp.exe" shows as "invoice_exe.pdf".
        let name = "invoice_\u{202E}fdp.exe"
        let findings = try judge.findings(Mail.message([Mail.Attachment(
            filename: name, bytes: try Files.pe(),
            nameHeaders: ["Content-Type: application/octet-stream", "Content-Disposition: attachment; filename*=UTF-8''invoice_%E2%80%AEfdp.exe"]
        )]))
        #expect(findings.contains(#"executable-attachment: part 2 "invoice_<U+202E>fdp.exe": Windows executable (PE32) named as .exe"#), "\(findings)")
        #expect(findings.contains(#"misleading-file-name: part 2 "invoice_<U+202E>fdp.exe": the name holds the hidden character U+202E (right-to-left override), so it shows differently from what it is; its real ending is .exe"#), "\(findings)")
    }

    @Test(arguments: ["\u{2067}", "\u{200B}", "\u{200F}"])
    func otherHiddenCharacters(_ character: String) throws {
        let findings = try judge.findings(Mail.attached("scan\(character).pdf", Files.pdf("")))
        #expect(findings.count == 1)
        #expect(findings.first?.hasPrefix("misleading-file-name:") == true, "\(findings)")
    }

    @Test(arguments: ["update.exe.", "update.exe . .", "update.js "])
    func trailingDotsAndSpaces(_ name: String) throws {
        let rules = try judge.rules(Mail.attached(name, name.contains("js") ? script : try Files.pe()))
        #expect(rules.contains("misleading-file-name"))
        #expect(rules.contains(name.contains("js") ? "risky-file-name" : "executable-attachment"))
    }

    @Test(arguments: ["RUN.JS", "Payroll.VBS", "Setup.Hta", "data.PS1"])
    func upperCaseExtensionsAreStillCaught(_ name: String) throws {
        #expect(try judge.rules(Mail.attached(name, script)) == ["risky-file-name"])
    }

    @Test(arguments: ["js", "jse", "vbs", "vbe", "wsf", "wsh", "ps1", "bat", "cmd", "hta", "scr", "com", "cpl", "reg", "chm", "iso", "img", "vhd"])
    func riskyExtensionsByName(_ ext: String) throws {
        let findings = try judge.findings(Mail.attached("file.\(ext)", Array("text that could be anything".utf8)))
        #expect(findings.count == 1)
        #expect(findings.first?.hasPrefix("risky-file-name: part 2 \"file.\(ext)\": named as .\(ext), ") == true, "\(findings)")
    }

    @Test func nameOnlyInRFC2231Continuations() throws {
        let findings = try judge.findings(Mail.message([Mail.Attachment(
            filename: "", bytes: script,
            nameHeaders: [
                "Content-Type: application/octet-stream",
                "Content-Disposition: attachment;\r\n filename*0=\"quarterly-acc\";\r\n filename*1=\"ounts.j\";\r\n filename*2=\"s\"",
            ]
        )]))
        #expect(findings == [#"risky-file-name: part 2 "quarterly-accounts.js": named as .js, a script Windows runs when it is opened"#])
    }

    @Test func nameOnlyInRFC2047Word() throws {
        let findings = try judge.findings(Mail.message([Mail.Attachment(
            filename: "", bytes: script,
            nameHeaders: ["Content-Type: application/octet-stream; name=\"=?UTF-8?B?cGF5c2xpcC52YnM=?=\"", "Content-Disposition: attachment"]
        )]))
        #expect(findings == [#"risky-file-name: part 2 "payslip.vbs": named as .vbs, a script Windows runs when it is opened"#])
    }

    @Test func programWithNoNameAndHarmlessDeclaredType() throws {
        let findings = try judge.findings(Mail.message([Mail.Attachment(
            filename: "", bytes: try Files.pe(), nameHeaders: ["Content-Type: image/png"]
        )]))
        #expect(findings == ["executable-attachment: part 2: Windows executable (PE32) with no file name"])
    }

    @Test(arguments: [
        ("clam_ISmsi_int.exe", "Windows executable"), ("clam.chm", "Windows compiled help (CHM)"),
    ])
    func clamPrograms(_ name: String, _ what: String) throws {
        let findings = try judge.findings(Mail.attached(name, try Files.clam(name)))
        #expect(findings.contains { $0.hasPrefix("executable-attachment: part 2 \"\(name)\": \(what)") }, "\(findings)")
    }

    @Test func elfAndShellScriptByContent() throws {
        let elf = try Array(Data(contentsOf: URL(fileURLWithPath: "/bin/true")))
        #expect(try judge.findings(Mail.attached("photo.jpg", elf)).contains(#"executable-attachment: part 2 "photo.jpg": Linux program (ELF) named as .jpg"#))
        let shell = Array("#!/bin/sh\nrm -rf ~\n".utf8)
        #expect(try judge.rules(Mail.attached("tidy.txt", shell, type: "text/plain")).contains("executable-attachment"))
    }

    @Test func javaArchiveAndShortcut() throws {
        let jar = try Files.python("""
            import zipfile
            with zipfile.ZipFile("out", "w") as z:
                z.writestr("META-INF/MANIFEST.MF", "Manifest-Version: 1.0\\nMain-Class: A\\n")
                z.writestr("A.class", b"\\xca\\xfe\\xba\\xbe\\x00\\x00\\x00\\x34")
            """)
        let findings = try judge.findings(Mail.attached("tool.zip", jar))
        #expect(findings.contains { $0.hasPrefix("executable-attachment:") && $0.contains("Java program") }, "\(findings)")
        // A Windows shortcut: header size 0x4C and the shell link class id.
        var lnk: [UInt8] = [0x4C, 0, 0, 0, 0x01, 0x14, 0x02, 0, 0, 0, 0, 0, 0xC0, 0, 0, 0, 0, 0, 0, 0x46]
        lnk += [UInt8](repeating: 0, count: 0x4C - lnk.count)
        #expect(try judge.findings(Mail.attached("agenda.pdf", lnk)).contains { $0.contains("Windows shortcut (.lnk) named as .pdf") })
    }

    // MARK: Tuning

    @Test func branchMayAllowAnExtensionOrBlockMore() throws {
        let allow = "branch: london\nrules:\n  risky-file-name:\n    allowed-extensions: [ps1]\n"
        #expect(try Judge(branchFile: allow).findings(Mail.attached("backup.ps1", script)) == [])
        #expect(try Judge(branchFile: allow).rules(Mail.attached("backup.vbs", script)) == ["risky-file-name"])
        let block = "branch: london\nrules:\n  risky-file-name:\n    blocked-extensions: [py]\n"
        #expect(try Judge(branchFile: block).rules(Mail.attached("tool.py", Array("print(1)".utf8))) == ["risky-file-name"])
        #expect(try Judge().findings(Mail.attached("tool.py", Array("print(1)".utf8))) == [])
    }

    @Test func branchMayAllowATypeOrChangeTheAction() throws {
        let allow = "branch: london\nrules:\n  executable-attachment:\n    allowed-types: [application/vnd.microsoft.portable-executable, application/x-dosexec]\n"
        #expect(try Judge(branchFile: allow).rules(Mail.attached("tool.exe", try Files.pe())) == ["risky-file-name"])
        let reject = "branch: london\nrules:\n  executable-attachment: {action: reject}\n"
        let verdict = try Judge(branchFile: reject).verdict(Mail.attached("tool.exe", try Files.pe()))
        #expect(verdict.action == .reject)
        #expect(verdict.reply?.text.contains("it carries a program that runs when opened; clause 10(f)(viii)") == true)
        let log = "branch: london\nrules:\n  encrypted-attachment: {action: log}\n"
        let zip = try Files.run(["zip", "-q", "-P", "pw", "out.zip", "a.txt"], inputs: ["a.txt": [65]], output: "out.zip")
        #expect(try Judge(branchFile: log).verdict(Mail.attached("a.zip", zip)).action == .tag)
    }
}
