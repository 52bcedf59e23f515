import Foundation
import StewardCore
import StewardInspection
import StewardPolicy
import StewardTestSupport
import Testing
import StewardEngine

/// The `confidential` family judged through real inspection and the shipped policy.
@Suite("Confidential markers, labels and personal data (clause 10(b))")
struct ConfidentialFamilyTests {
    static func markerFindings(_ bytes: [UInt8], to: [String] = [Mail.outsider], policy: Policy = Mail.policy) throws -> [Finding] {
        Mail.confidential(try Mail.judge(bytes, to: to, policy: policy))
    }

    /// The shipped policy with the London branch file replaced by `london`.
    static func policy(london: String) throws -> Policy {
        var files = try PolicyDirectoryReader.read(PackagePaths.policies)
        files.removeAll { $0.path.hasSuffix("branches/london.yaml") }
        files.append(PolicyFile(path: "branches/london.yaml", text: "branch: london\n" + london))
        return try Policy.parse(files)
    }

    // MARK: Only when it leaves

    @Test("a CONFIDENTIAL attachment to an outside recipient is held; the detail says what, where, and who is outside")
    func heldWhenLeaving() throws {
        let bytes = Mail.message(attachments: [("budget.xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", try Docs.bytes("budget.xlsx"))])
        let verdict = try Mail.judge(bytes, to: [Mail.colleague, Mail.outsider])
        #expect(verdict.action == .quarantine)
        let finding = try #require(Mail.confidential(verdict).first { $0.rule == "confidential-marker" })
        #expect(finding.clause == "10(b)")
        #expect(finding.detail == "attachment \"budget.xlsx\", sheet \"2027\", cell B1: \"CONFIDENTIAL — NOT FOR CIRCULATION\"; external recipients: carol@partner.example")
    }

    @Test("the same message between union addresses passes")
    func internalPasses() throws {
        let bytes = Mail.message(subject: "CONFIDENTIAL: pay offer", attachments: [("budget.xlsx", "application/octet-stream", try Docs.bytes("budget.xlsx"))])
        let verdict = try Mail.judge(bytes, to: [Mail.colleague, "gs@union.example"])
        #expect(Mail.confidential(verdict).isEmpty)
        #expect(verdict.action == .accept)
    }

    @Test("the envelope decides: an outside Bcc recipient (not in To) makes the mail leave")
    func bccCounts() throws {
        var text = String(decoding: Mail.message(subject: "[Confidential] pay offer"), as: UTF8.self)
        text = text.replacingOccurrences(of: "To: Carol <\(Mail.outsider)>", with: "To: Bob <\(Mail.colleague)>")
        let findings = try Self.markerFindings(Array(text.utf8), to: [Mail.colleague, "spy@elsewhere.example"])
        #expect(findings.map(\.rule) == ["confidential-marker"])
        #expect(findings.first?.detail.hasSuffix("external recipients: spy@elsewhere.example") == true)
    }

    @Test("a branch's partner domains may receive confidential mail")
    func partnerDomains() throws {
        let policy = try Self.policy(london: "rules:\n  confidential-marker:\n    partner_domains: [partner.example]\n")
        let bytes = Mail.message(subject: "CONFIDENTIAL: pay offer")
        #expect(try Self.markerFindings(bytes, policy: policy).isEmpty)
        #expect(try Self.markerFindings(bytes, to: ["x@other.example"], policy: policy).count == 1)
    }

    @Test("per branch: reject refuses with the clause; log lets it through tagged", arguments: [("reject", Action.reject), ("log", Action.tag)])
    func branchAction(word: String, action: Action) throws {
        let policy = try Self.policy(london: "rules:\n  confidential-marker:\n    action: \(word)\n")
        let verdict = try Mail.judge(Mail.message(subject: "CONFIDENTIAL: pay offer"), policy: policy)
        #expect(verdict.action == action)
        if action == .reject { #expect(verdict.reply?.text.contains("clause 10(b)") == true) }
    }

    // MARK: Markings, not words

    @Test("markings count", arguments: [
        "CONFIDENTIAL: pay offer", "[Confidential] pay offer", "Pay offer - confidential", "Confidential | pay offer",
        "(Strictly Confidential) minutes", "Minutes NOT FOR CIRCULATION", "cOnFiDeNtIaL: pay offer",
    ])
    func subjectMarkings(subject: String) throws {
        #expect(try Self.markerFindings(Mail.message(subject: subject)).map(\.rule) == ["confidential-marker"], "\(subject)")
    }

    @Test("words in a sentence do not", arguments: [
        "Your feedback is treated confidentially", "We keep this confidential between the committee",
        "Restrictedness of the new rota", "Confidentiality policy review",
    ])
    func subjectWords(subject: String) throws {
        #expect(try Self.markerFindings(Mail.message(subject: subject, body: "Hello.\r\nYour feedback is treated confidentially and kept confidential.\r\n")).isEmpty, "\(subject)")
    }

    @Test("a banner line in the body counts; strictness `mentions` makes a sentence count too")
    func bannerAndStrictness() throws {
        let banner = Mail.message(body: "*** Private and Confidential ***\r\n\r\nDear Carol,\r\nthe figures.\r\n")
        #expect(try Self.markerFindings(banner).first?.detail.hasPrefix("the message body: \"*** Private and Confidential ***\"") == true)
        let sentence = Mail.message(body: "Dear Carol,\r\nwe keep this confidential.\r\n")
        #expect(try Self.markerFindings(sentence).isEmpty)
        let strict = try Self.policy(london: "rules:\n  confidential-marker:\n    strictness: mentions\n")
        #expect(try Self.markerFindings(sentence, policy: strict).count == 1)
    }

    @Test("branches extend the markers with phrases and patterns, and trim them")
    func branchMarkers() throws {
        let policy = try Self.policy(london: """
            rules:
              confidential-marker:
                extra_markers: [COMMITTEE EYES ONLY]
                patterns: ['project\\s+orchid']
                ignore_markers: [restricted]
            """)
        #expect(try Self.markerFindings(Mail.message(subject: "Committee eyes only: ballot"), policy: policy).count == 1)
        #expect(try Self.markerFindings(Mail.message(body: "News of Project  Orchid soon.\r\n"), policy: policy).count == 1)
        #expect(try Self.markerFindings(Mail.message(subject: "RESTRICTED"), policy: policy).isEmpty)
        #expect(try Self.markerFindings(Mail.message(subject: "RESTRICTED")).count == 1)
    }

    // MARK: Evasions

    @Test("quoted-printable body with a soft line break inside the marker")
    func quotedPrintable() throws {
        let bytes = Mail.message(
            bodyHeaders: ["Content-Type: text/plain; charset=utf-8", "Content-Transfer-Encoding: quoted-printable"],
            body: "Dear Carol,\r\n\r\nCONFID=\r\nENTIAL =E2=80=94 not for circulation\r\n")
        #expect(try Self.markerFindings(bytes).first?.detail.contains("CONFIDENTIAL — not for circulation") == true)
    }

    @Test("base64 body")
    func base64Body() throws {
        let bytes = Mail.message(
            bodyHeaders: ["Content-Type: text/plain; charset=utf-8", "Content-Transfer-Encoding: base64"],
            body: Mail.base64(Array("Dear Carol,\n\nINTERNAL ONLY\n\nThe plan.\n".utf8)))
        #expect(try Self.markerFindings(bytes).count == 1)
    }

    @Test("RFC 2047 encoded subject")
    func encodedSubject() throws {
        let bytes = Mail.message(subject: "=?UTF-8?B?Q09ORklERU5USUFMOiBwYXkgb2ZmZXI=?=")
        let finding = try #require(try Self.markerFindings(bytes).first)
        #expect(finding.detail.hasPrefix("the subject: \"CONFIDENTIAL: pay offer\""))
        #expect(try Self.markerFindings(Mail.message(subject: "=?UTF-8?Q?Confidential=3A_pay?=")).count == 1)
    }

    @Test("HTML entities and tags")
    func htmlEntities() throws {
        let bytes = Mail.message(
            bodyHeaders: ["Content-Type: text/html; charset=utf-8"],
            body: "<html><body><p><b>CONFID&#69;NTIAL</b></p><p>The plan.</p></body></html>")
        #expect(try Self.markerFindings(bytes).first?.detail.hasPrefix("the HTML body: \"CONFIDENTIAL\"") == true)
        let clean = Mail.message(bodyHeaders: ["Content-Type: text/html; charset=utf-8"], body: "<p>We treat your views confidentially.</p>")
        #expect(try Self.markerFindings(clean).isEmpty)
    }

    @Test("zero-width joiners and spaces inside the marker")
    func zeroWidth() throws {
        let bytes = Mail.message(body: "CONF\u{200D}IDEN\u{200B}TIAL\r\nThe plan.\r\n")
        #expect(try Self.markerFindings(bytes).count == 1)
    }

    @Test("the marker only in a document's page header or footer", arguments: ["header-only.docx", "footer-only.docx", "sheet-header.xlsx", "slides.pptx", "footer.odt", "header.rtf"])
    func documentHeaderFooter(name: String) throws {
        let finding = try #require(try Self.markerFindings(Mail.message(attachments: [(name, "application/octet-stream", try Docs.bytes(name))])).first)
        #expect(finding.detail.hasPrefix("attachment \"\(name)\""), "\(finding.detail)")
    }

    @Test("clean documents that mention confidentiality in sentences pass", arguments: ["clean.docx", "clean.xlsx", "clean-slides.pptx", "clean.odt", "clean.rtf", "clean.pdf", "public-label.docx"])
    func cleanDocuments(name: String) throws {
        #expect(try Self.markerFindings(Mail.message(attachments: [(name, "application/octet-stream", try Docs.bytes(name))])).isEmpty)
    }

    @Test("PDF text, through poppler")
    func pdf() throws {
        let finding = try #require(try Self.markerFindings(Mail.message(attachments: [("report.pdf", "application/pdf", try Docs.bytes("marked.pdf"))])).first)
        #expect(finding.detail.hasPrefix("attachment \"report.pdf\", page 2: \"CONFIDENTIAL - NOT FOR PUBLICATION\""))
    }

    @Test("an attached message carrying the marker")
    func attachedMessage() throws {
        let inner = "From: a@union.example\r\nTo: b@union.example\r\nSubject: fwd\r\nContent-Type: text/plain\r\n\r\nSTRICTLY CONFIDENTIAL\r\nThe plan.\r\n"
        let bytes = Array(("From: Chris <\(Mail.member)>\r\nTo: \(Mail.outsider)\r\nSubject: fyi\r\nMIME-Version: 1.0\r\n"
            + "Content-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\nContent-Type: text/plain\r\n\r\nSee below.\r\n--b\r\n"
            + "Content-Type: message/rfc822\r\n\r\n" + inner + "--b--\r\n").utf8)
        #expect(try Self.markerFindings(bytes).count == 1)
    }

    @Test("the marker only in a zipped attachment")
    func zipped() throws {
        let zip = try TemporaryDirectory("confidential-zip")
        let built = try Command.run("python3", ["-c", "import zipfile,sys; z=zipfile.ZipFile(sys.argv[1],'w'); z.write(sys.argv[2],'budget.xlsx'); z.close()", zip.path("papers.zip"), try Docs.path("budget.xlsx")])
        try #require(built.succeeded)
        let bytes = Array(try Data(contentsOf: URL(fileURLWithPath: zip.path("papers.zip"))))
        #expect(try Self.markerFindings(Mail.message(attachments: [("papers.zip", "application/zip", bytes)])).count == 1)
    }

    // MARK: Labels

    @Test("classification headers and sensitivity labels count", arguments: [
        "X-Classification: Confidential", "Sensitivity: Company-Confidential",
        "X-Protective-Marking: VER=2012, NS=gov.uk, CLASSIFICATION=OFFICIAL-SENSITIVE",
        "msip_labels: MSIP_Label_1a2b_Enabled=true; MSIP_Label_1a2b_Name=Highly Confidential; MSIP_Label_1a2b_SiteId=x",
    ])
    func labelHeaders(header: String) throws {
        #expect(try Self.markerFindings(Mail.message(extraHeaders: [header])).map(\.rule) == ["classification-label"], "\(header)")
    }

    @Test("public labels do not", arguments: [
        "X-Classification: Public", "Sensitivity: Normal", "Sensitivity: Personal",
        "msip_labels: MSIP_Label_1a2b_Enabled=true; MSIP_Label_1a2b_Name=General",
        "msip_labels: MSIP_Label_1a2b_Enabled=false; MSIP_Label_1a2b_Name=Confidential",
    ])
    func publicLabels(header: String) throws {
        #expect(try Self.markerFindings(Mail.message(extraHeaders: [header])).isEmpty, "\(header)")
    }

    @Test("sensitivity labels inside Office and OpenDocument files", arguments: ["labelled.docx", "classified.odt"])
    func documentLabels(name: String) throws {
        let findings = try Self.markerFindings(Mail.message(attachments: [(name, "application/octet-stream", try Docs.bytes(name))]))
        #expect(findings.map(\.rule).contains("classification-label"), "\(findings)")
    }

    // MARK: Bulk personal data

    @Test("a membership list as CSV or XLSX leaving the union is held", arguments: ["members.csv", "members.xlsx"])
    func membershipList(name: String) throws {
        let findings = try Self.markerFindings(Mail.message(attachments: [(name, "application/octet-stream", try Docs.bytes(name))]))
        let finding = try #require(findings.first { $0.rule == "bulk-personal-data" })
        #expect(finding.detail.contains("attachment \"\(name)\": personal data of many people (60 distinct e-mail addresses, 60 UK phone numbers, 60 National Insurance numbers, 60 postcodes)"), "\(finding.detail)")
    }

    @Test("a large attachment's three searches run side by side: the same findings as for a small one, in the rules' order")
    func largeAttachmentSearchedSideBySide() throws {
        func list(_ count: Int) -> [UInt8] {
            let rows = (0..<count).map { "Member \($0),member\($0)@home.example,07700 9\(String(10000 + $0).suffix(5))" }
            return Array((["CONFIDENTIAL"] + rows).joined(separator: "\n").utf8)
        }
        let large = list(9000), small = list(60)
        #expect(large.count > 256 * 1024)  // past the size at which the searches run side by side
        for (bytes, count) in [(large, 9000), (small, 60)] {
            let message = Mail.message(extraHeaders: ["X-Classification: Confidential"], attachments: [("list.csv", "text/csv", bytes)])
            let findings = try Self.markerFindings(message)
            #expect(findings.map(\.rule) == ["confidential-marker", "classification-label", "bulk-personal-data"], "\(findings)")
            #expect(findings.last?.detail.contains("(\(count) distinct e-mail addresses, \(count) UK phone numbers)") == true, "\(findings)")
        }
    }

    @Test("a short list, or the list sent inside the union, passes")
    func fewOrInternal() throws {
        #expect(try Self.markerFindings(Mail.message(attachments: [("few.xlsx", "application/octet-stream", try Docs.bytes("few-members.xlsx"))])).isEmpty)
        #expect(try Self.markerFindings(Mail.message(attachments: [("m.csv", "text/csv", try Docs.bytes("members.csv"))]), to: [Mail.colleague]).isEmpty)
    }

    @Test("thresholds are per branch")
    func thresholds() throws {
        let body = (0..<3).map { "member\($0)@home.example" }.joined(separator: "\r\n")
        #expect(try Self.markerFindings(Mail.message(body: body)).isEmpty)
        let policy = try Self.policy(london: "rules:\n  bulk-personal-data:\n    email_addresses: 3\n")
        #expect(try Self.markerFindings(Mail.message(body: body), policy: policy).map(\.rule) == ["bulk-personal-data"])
    }
}
