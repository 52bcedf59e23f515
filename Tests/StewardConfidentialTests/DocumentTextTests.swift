import Foundation
import StewardCore
import StewardInspection
import StewardPolicy
import StewardTestSupport
import Testing

/// Inspection reads the text of real documents, each piece with its place.
@Suite("Document text of attachments")
struct DocumentTextTests {
    static func documentText(_ name: String, type: String = "application/octet-stream") throws -> DocumentText {
        let message = try Mail.inspect(Mail.message(attachments: [(name, type, try Docs.bytes(name))]))
        let part = try #require(message.allParts.first { $0.filename == name })
        return try #require(part.documentText, "no document text for \(name) (true type \(part.trueType ?? "nil"))")
    }

    static func segments(_ text: DocumentText, containing needle: String) -> [DocumentText.Segment] {
        text.segments.filter { $0.text.contains(needle) }
    }

    @Test("a plain-text body gets no document text: it costs nothing beyond its text")
    func plainBodyHasNoDocumentText() throws {
        let message = try Mail.inspect(Mail.message(body: "CONFIDENTIAL\r\nHello"))
        #expect(message.root.documentText == nil)
        #expect(message.root.text?.contains("CONFIDENTIAL") == true)
    }

    @Test("docx: body paragraphs (runs joined), page header and footer, title")
    func docx() throws {
        let header = try Self.documentText("header-only.docx")
        #expect(Self.segments(header, containing: "CONFIDENTIAL").map(\.kind) == [.headerFooter])
        #expect(Self.segments(header, containing: "Minutes of the branch committee.").map(\.kind) == [.body])
        let footer = try Self.documentText("footer-only.docx")
        #expect(Self.segments(footer, containing: "Private and Confidential").first?.location == "page footer")
    }

    @Test("xlsx: each cell with its sheet and reference, shared strings resolved")
    func xlsx() throws {
        let text = try Self.documentText("budget.xlsx")
        let cell = try #require(Self.segments(text, containing: "NOT FOR CIRCULATION").first)
        #expect(cell.kind == .cell)
        #expect(cell.location == "sheet \"2027\", cell B1")
        #expect(cell.text == "CONFIDENTIAL — NOT FOR CIRCULATION")
        #expect(Self.segments(text, containing: "1000").first?.location == "sheet \"Summary\", cell B2")
    }

    @Test("pptx: slide text and the footer placeholder")
    func pptx() throws {
        let text = try Self.documentText("slides.pptx")
        #expect(Self.segments(text, containing: "Strategy 2027").first?.location == "slide 1")
        #expect(Self.segments(text, containing: "Internal only").first?.kind == .headerFooter)
    }

    @Test("OpenDocument: paragraphs, page footer from the styles, a Classification property as a label")
    func odt() throws {
        let footer = try Self.documentText("footer.odt")
        #expect(Self.segments(footer, containing: "NOT FOR CIRCULATION").map(\.kind) == [.headerFooter])
        #expect(Self.segments(footer, containing: "Notes of the meeting.").map(\.kind) == [.body])
        let classified = try Self.documentText("classified.odt")
        let label = try #require(classified.segments.first { $0.kind == .label })
        #expect(label.text == "Confidential")
        #expect(label.location == "property \"Classification\"")
    }

    @Test("RTF: body, page header and the info title; font tables are not text")
    func rtf() throws {
        let text = try Self.documentText("header.rtf", type: "application/rtf")
        #expect(Self.segments(text, containing: "STRICTLY CONFIDENTIAL").map(\.kind) == [.headerFooter])
        #expect(Self.segments(text, containing: "All present.").map(\.kind) == [.body])
        #expect(Self.segments(text, containing: "Minutes").contains { $0.location == "property \"title\"" })
        #expect(Self.segments(text, containing: "Times New Roman").isEmpty)
    }

    @Test("PDF: poppler reads compressed page text that a byte search cannot see, page by page")
    func pdf() throws {
        let raw = try Docs.bytes("marked.pdf")
        #expect(!ByteSearch.contains(Array("CONFIDENTIAL".utf8), in: raw), "the test PDF should hide its text from byte searches")
        // The same text pdftotext (poppler-utils) reads, where it is installed.
        if Command.exists("pdftotext") {
            let check = try Command.run("pdftotext", [try Docs.path("marked.pdf"), "-"])
            #expect(check.output.contains("CONFIDENTIAL - NOT FOR PUBLICATION"))
        }
        let text = try Self.documentText("marked.pdf", type: "application/pdf")
        let page = try #require(Self.segments(text, containing: "CONFIDENTIAL - NOT FOR PUBLICATION").first)
        #expect(page.location == "page 2")
        #expect(try Self.documentText("twenty-pages.pdf", type: "application/pdf").segments.filter { $0.location.hasPrefix("page ") }.count == 20)
    }

    @Test("CSV and HTML: lines of a text attachment; HTML with tags stripped and entities decoded")
    func csvAndHTML() throws {
        let csv = try Self.documentText("members.csv", type: "text/csv")
        #expect(csv.segments.first?.location == "line 1")
        #expect(csv.segments.count == 61)
        let html = try Mail.inspect(Mail.message(
            bodyHeaders: ["Content-Type: text/html; charset=utf-8"],
            body: "<html><head><style>p{}</style></head><body><p>CONFID&#69;NTIAL</p><p>Dear <b>Carol</b>&nbsp;&amp; co</p></body></html>"))
        let text = try #require(html.root.documentText).joined
        #expect(text.contains("CONFIDENTIAL"))
        #expect(text.contains("Dear Carol\u{00A0}& co"))
        #expect(!text.contains("p{}"))
    }

    @Test("an xlsx whose parts are spooled is read from the spool file, piece by piece, the same as in memory")
    func spooledMembers() throws {
        let bytes = Mail.message(attachments: [("budget.xlsx", "application/octet-stream", try Docs.bytes("budget.xlsx"))])
        let spool = try TemporaryDirectory("document-spool")
        let spooled = try Inspector().inspect(bytes: bytes, spool: ContentSpool(directory: spool.url, threshold: 64))
        let members = spooled.allParts.filter { $0.origin == .archiveMember }
        #expect(members.contains { $0.content.isSpooled && $0.filename == "xl/sharedStrings.xml" })
        let text = try #require(spooled.allParts.first { $0.filename == "budget.xlsx" }?.documentText)
        #expect(text == (try Self.documentText("budget.xlsx")))
        #expect(Self.segments(text, containing: "NOT FOR CIRCULATION").first?.location == "sheet \"2027\", cell B1")
        #expect(members.allSatisfy { $0.documentText == nil })
    }

    @Test("a workbook reads the same whatever order its parts come out of the zip in, in memory and spooled")
    func partOrder() throws {
        // Its sheets are read while the zip is unpacked: before their names are known, and
        // before or after the shared strings.
        let expected = try Self.documentText("budget.xlsx")
        let spool = try TemporaryDirectory("document-order")
        for name in ["budget-names-last.xlsx", "budget-sheets-first.xlsx"] {
            #expect(try Self.documentText(name) == expected, "\(name)")
            let bytes = Mail.message(attachments: [(name, "application/octet-stream", try Docs.bytes(name))])
            let spooled = try Inspector().inspect(bytes: bytes, spool: ContentSpool(directory: spool.url, threshold: 64))
            #expect(spooled.allParts.first { $0.filename == name }?.documentText == expected, "\(name), spooled")
        }
        let header = try Self.documentText("header-names-last.xlsx")
        #expect(header == (try Self.documentText("sheet-header.xlsx")))
        #expect(Self.segments(header, containing: "INTERNAL ONLY").first?.location == "sheet \"2027\", page header")
    }

    @Test("a workbook of more sheets than are read while it is unpacked: every sheet, in the workbook's order")
    func manySheets() throws {
        let text = try Self.documentText("six-sheets.xlsx")
        let cells = text.segments.filter { $0.kind == .cell }
        #expect(cells.map(\.location) == (1...6).flatMap { ["sheet \"S\($0)\", cell A1", "sheet \"S\($0)\", cell B1"] })
        #expect(cells.last?.text == "INTERNAL ONLY")
        let verdict = try Mail.judge(Mail.message(attachments: [("six-sheets.xlsx", "application/octet-stream", try Docs.bytes("six-sheets.xlsx"))]))
        #expect(Mail.confidential(verdict).contains { $0.rule == "confidential-marker" && $0.detail.contains("sheet \"S6\", cell B1") })
    }

    @Test("a part repeated under a sheet's name: the first is the sheet, in memory and spooled")
    func duplicateSheet() throws {
        let bytes = Mail.message(attachments: [("duplicate-sheet.xlsx", "application/octet-stream", try Docs.bytes("duplicate-sheet.xlsx"))])
        let spool = try TemporaryDirectory("document-duplicate")
        for threshold in [64, 1 << 20] {
            let message = try Inspector().inspect(bytes: bytes, spool: ContentSpool(directory: spool.url, threshold: threshold))
            let text = try #require(message.allParts.first { $0.filename == "duplicate-sheet.xlsx" }?.documentText)
            #expect(Self.segments(text, containing: "INTERNAL ONLY").first?.location == "sheet \"2027\", cell B1")
            #expect(Self.segments(text, containing: "Nothing to see").isEmpty)
        }
    }

    @Test("a workbook cut off anywhere by max_expanded_bytes, spooled or not: held for the limit, or read whole; nothing waits")
    func cutAnywhere() throws {
        // Cut inside every part in turn, the sheets being read while they are unpacked among them.
        let name = "members.xlsx"
        let bytes = Mail.message(attachments: [(name, "application/octet-stream", try Docs.bytes(name))])
        let whole = try Self.documentText(name)
        let spool = try TemporaryDirectory("document-cut")
        var cut = 0
        for limit in stride(from: 200, through: 24_000, by: 700) {
            for threshold in [64, 1 << 20] {
                var limits = InspectionLimits()
                limits.maxExpandedBytes = limit
                let message = try Inspector(limits: limits).inspect(bytes: bytes, spool: ContentSpool(directory: spool.url, threshold: threshold))
                let text = message.allParts.first { $0.filename == name }?.documentText
                if message.limitsReached.isEmpty {
                    #expect(text == whole, "limit \(limit)")
                } else {
                    cut += 1
                    #expect(message.limitsReached.map(\.kind) == [.bytes], "limit \(limit)")
                    #expect(text == nil, "limit \(limit)")
                }
            }
        }
        #expect(cut > 20)
    }

    @Test("a sheet with a tag of 20,000 attributes is held as unreadable, not parsed for seconds; many equals signs in text are not")
    func tagOfManyAttributes() throws {
        let spool = try TemporaryDirectory("document-attributes")
        for threshold in [64, 1 << 20] {  // read while unzipped, and after
            let bytes = Mail.message(attachments: [("many-attributes.xlsx", "application/octet-stream", try Docs.bytes("many-attributes.xlsx"))])
            let message = try Inspector().inspect(bytes: bytes, spool: ContentSpool(directory: spool.url, threshold: threshold))
            #expect(message.limitsReached.map(\.kind) == [.unreadable])
            #expect(message.limitsReached.first?.detail.contains("more than 10000 attributes") == true, "\(message.limitsReached)")
            #expect(message.allParts.first { $0.filename == "many-attributes.xlsx" }?.documentText == nil)
        }
        let verdict = try Mail.judge(Mail.message(attachments: [("many-attributes.xlsx", "application/octet-stream", try Docs.bytes("many-attributes.xlsx"))]))
        #expect(verdict.findings.contains { $0.rule == "inspection-limit" } && verdict.action != .accept, "\(verdict.findings)")
        let twin = try Self.documentText("many-equals.xlsx")
        #expect(Self.segments(twin, containing: "x5999 = y5999").count == 1)
    }

    @Test("a document that unzips past max_expanded_bytes is held for that limit and its text is not read")
    func documentPastTheExpandedLimit() throws {
        var limits = InspectionLimits()
        limits.maxExpandedBytes = 2000
        let message = try Inspector(limits: limits).inspect(
            bytes: Mail.message(attachments: [("budget.xlsx", "application/octet-stream", try Docs.bytes("budget.xlsx"))]))
        #expect(message.limitsReached.map(\.kind) == [.bytes])
        #expect(message.allParts.first { $0.filename == "budget.xlsx" }?.documentText == nil)
    }

    @Test("mail that stays inside or arrives from outside skips document reading; mail leaving reads it")
    func onlyForMailLeaving() throws {
        let bytes = Mail.message(attachments: [("report.pdf", "application/pdf", try Docs.bytes("marked.pdf"))])
        let skipped = try Inspector().inspect(bytes: bytes, documentText: false)
        #expect(skipped.allParts.allSatisfy { $0.documentText == nil })
        #expect(try Inspector().inspect(bytes: bytes).allParts.contains { $0.documentText != nil })
        let directory = Mail.policy.directory
        #expect(!ConfidentialFamily.needsDocumentText(Envelope(sender: Mail.outsider, recipients: [Mail.colleague]), directory: directory))
        #expect(ConfidentialFamily.needsDocumentText(Envelope(sender: Mail.member, recipients: [Mail.colleague, Mail.outsider]), directory: directory))
    }
}
