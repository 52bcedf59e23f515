import Foundation
import StewardCore
import StewardInspection
import StewardPolicy
import StewardTestSupport
import Testing

/// Issue 12's evasion classes of confidential markings: qualified markings, embargoes, markings
/// in file names, in an attached message's headers, and hierarchical sensitivity labels. Each
/// positive case stands beside a clean twin that must pass.
@Suite("Confidential markings a sender might try to slip past (issue 12)")
struct MarkingEvasionTests {
    static func rules(_ bytes: [UInt8]) throws -> [String] {
        Mail.confidential(try Mail.judge(bytes)).map(\.rule)
    }

    static func details(_ bytes: [UInt8]) throws -> [String] {
        Mail.confidential(try Mail.judge(bytes)).map(\.detail)
    }

    // MARK: Qualified markings

    @Test("a marking with qualifiers before or after it is a marking", arguments: [
        "Strictly Private and Confidential",
        "Highly Confidential",
        "Strictly Confidential \u{2013} Personal",
        "*** Very Confidential ***",
    ])
    func qualifiedLines(line: String) throws {
        let bytes = Mail.message(body: "Dear Carol,\r\n\r\n\(line)\r\n\r\nThe pay figures follow.\r\n")
        #expect(try Self.rules(bytes) == ["confidential-marker"], "\(line)")
    }

    @Test("a qualified marking opening the subject as a tag is a marking")
    func qualifiedSubject() throws {
        let details = try Self.details(Mail.message(subject: "Highly Confidential - pay offer"))
        #expect(details.count == 1)
        #expect(details.first?.hasPrefix("the subject: \"Highly Confidential - pay offer\"") == true, "\(details)")
    }

    @Test("qualified markings in a spreadsheet cell and a document header")
    func qualifiedInDocuments() throws {
        let sheet = try Self.details(Mail.message(attachments: [("pay.xlsx", "application/octet-stream", try Docs.bytes("qualified.xlsx"))]))
        #expect(sheet.first?.hasPrefix("attachment \"pay.xlsx\", sheet \"Pay\", cell A2: \"Strictly Private and Confidential\"") == true, "\(sheet)")
        let header = try Self.rules(Mail.message(attachments: [("minutes.docx", "application/octet-stream", try Docs.bytes("qualified-header.docx"))]))
        #expect(header == ["confidential-marker"])
    }

    @Test("qualifier words in a sentence stay a sentence", arguments: [
        "The panel heard that the matter was highly confidential at the time.",
        "We keep your details private and confidential, as the law requires.",
        "I will forward this strictly in confidence to the regional office.",
        // A legal disclaimer, as a union's solicitors add to every message.
        "This e-mail and any files sent with it are confidential and intended solely for the addressee; if you are not the addressee, please delete it.",
    ])
    func sentencesPass(line: String) throws {
        #expect(try Self.rules(Mail.message(body: "Dear Carol,\r\n\(line)\r\nBest wishes\r\n")).isEmpty, "\(line)")
    }

    // MARK: Embargoes

    @Test("an embargo line is a marking, whatever follows it", arguments: [
        "EMBARGOED UNTIL 10:00 ON 3 JUNE",
        "Embargoed until 00:01 Tuesday",
        "Embargo: not for use before Monday",
        "Under embargo until the ballot closes",
    ])
    func embargoLines(line: String) throws {
        #expect(try Self.rules(Mail.message(body: "\(line)\r\n\r\nThe branch will announce the result.\r\n")) == ["confidential-marker"], "\(line)")
    }

    @Test("an embargo in a document and in the subject")
    func embargoDocumentAndSubject() throws {
        #expect(try Self.rules(Mail.message(attachments: [("release.docx", "application/octet-stream", try Docs.bytes("embargo.docx"))])) == ["confidential-marker"])
        #expect(try Self.rules(Mail.message(subject: "Embargoed until 10:00 on 3 June: ballot result")) == ["confidential-marker"])
    }

    @Test("the word embargo in running text passes")
    func embargoInTextPasses() throws {
        #expect(try Self.rules(Mail.message(body: "Embargoes on overtime ended in June.\r\nThe embargo on overtime ended in June.\r\n")).isEmpty)
        #expect(try Self.rules(Mail.message(attachments: [("notes.docx", "application/octet-stream", try Docs.bytes("clean-qualified.docx"))])).isEmpty)
    }

    // MARK: File names

    @Test("a marking in an attachment's file name counts", arguments: [
        "Board minutes - RESTRICTED.docx",
        "[Confidential] redundancy list.xlsx",
        "Pay offer (Strictly Confidential).pdf",
    ])
    func fileNames(name: String) throws {
        let details = try Self.details(Mail.message(attachments: [(name, "application/octet-stream", try Docs.bytes("clean.docx"))]))
        #expect(details.count == 1, "\(details)")
        #expect(details.first?.hasPrefix("the file name of attachment \"\(name)\"") == true, "\(details)")
    }

    @Test("a file name that only mentions the word passes", arguments: [
        "Confidentiality policy.docx", "restricted_parking_map.docx", "confidential_waste_collection_times.docx",
    ])
    func fileNamesPass(name: String) throws {
        #expect(try Self.rules(Mail.message(attachments: [(name, "application/octet-stream", try Docs.bytes("clean.docx"))])).isEmpty, "\(name)")
    }

    // MARK: Attached messages

    static func forwarding(_ inner: [String]) -> [UInt8] {
        let lines = [
            "From: Chris Lee <\(Mail.member)>", "To: Carol <\(Mail.outsider)>", "Subject: Fwd: as discussed",
            "Date: Sat, 21 Nov 2026 10:00:00 +0000", "Message-ID: <fwd@london.union.example>", "MIME-Version: 1.0",
            "Content-Type: multipart/mixed; boundary=\"f1\"", "",
            "--f1", "Content-Type: text/plain; charset=utf-8", "", "See below.",
            "--f1", "Content-Type: message/rfc822", "Content-Disposition: attachment", "",
        ] + inner + ["--f1--", ""]
        return Array(lines.joined(separator: "\r\n").utf8)
    }

    static let innerHeaders = [
        "From: Dana <dana@london.union.example>", "To: Chris <chris.lee@london.union.example>",
        "Date: Fri, 20 Nov 2026 09:00:00 +0000", "Message-ID: <inner@london.union.example>",
    ]

    @Test("the subject of an attached message counts, as its body does")
    func attachedSubject() throws {
        let bytes = Self.forwarding(Self.innerHeaders + ["Subject: CONFIDENTIAL: pay talks", "", "The figures are on the way.", ""])
        let details = try Self.details(bytes)
        #expect(details.count == 1, "\(details)")
        #expect(details.first?.hasPrefix("the attached message (part 2), its subject: \"CONFIDENTIAL: pay talks\"") == true, "\(details)")
    }

    @Test("the classification header of an attached message counts")
    func attachedClassification() throws {
        let bytes = Self.forwarding(Self.innerHeaders + ["Subject: pay talks", "X-Classification: Highly Confidential \\ HR", "", "Figures.", ""])
        let details = Mail.confidential(try Mail.judge(bytes))
        #expect(details.map(\.rule) == ["classification-label"], "\(details)")
        #expect(details.first?.detail.hasPrefix("the attached message (part 2): header X-Classification: \"Highly Confidential \\ HR\"") == true)
    }

    @Test("an attached message with a plain subject and no label passes")
    func attachedCleanPasses() throws {
        let bytes = Self.forwarding(Self.innerHeaders + ["Subject: Re: our confidentiality policy", "X-Classification: Public", "", "Figures.", ""])
        #expect(try Self.rules(bytes).isEmpty)
    }

    // MARK: Hierarchical labels

    @Test("a label counts by the label words it contains", arguments: [
        "Highly Confidential \\ HR", "Confidential - Legal team", "Internal/Restricted", "Restricted: Finance",
    ])
    func hierarchicalHeaders(label: String) throws {
        #expect(try Self.rules(Mail.message(extraHeaders: ["X-Classification: \(label)"])) == ["classification-label"], "\(label)")
    }

    @Test("a label that negates the words passes", arguments: ["Public - Non-Confidential", "Unrestricted", "Not Restricted", "Public"])
    func negatedLabelsPass(label: String) throws {
        #expect(try Self.rules(Mail.message(extraHeaders: ["X-Classification: \(label)"])).isEmpty, "\(label)")
    }

    @Test("a hierarchical Microsoft sensitivity label inside a document counts; a non-confidential one passes")
    func hierarchicalDocumentLabel() throws {
        let held = Mail.confidential(try Mail.judge(Mail.message(attachments: [("plans.docx", "application/octet-stream", try Docs.bytes("hierarchical-label.docx"))])))
        #expect(held.map(\.rule).contains("classification-label"), "\(held)")
        #expect(try Self.rules(Mail.message(attachments: [("plans.docx", "application/octet-stream", try Docs.bytes("non-confidential-label.docx"))])).isEmpty)
        let header = "msip_labels: MSIP_Label_1_Enabled=true; MSIP_Label_1_Name=Highly Confidential \\ HR; MSIP_Label_1_Method=Standard"
        #expect(try Self.rules(Mail.message(extraHeaders: [header])) == ["classification-label"])
    }
}
