import Foundation
import StewardCore
@testable import StewardInspection
import StewardTestSupport
import Testing

/// A workbook's parts parsed while the zip is unpacked must give exactly the text that parsing
/// them afterwards gives: each workbook's members are fed through the early path by hand (so
/// the test cannot pass without it being used) and the two texts compared.
@Suite("Document parts read while unzipped")
struct EarlyDocumentPartsTests {
    static let deadline = ContinuousClock.now + .seconds(120)

    /// The members of `name`, in zip order, as the archive expander takes them out.
    static func members(_ name: String) throws -> [MessagePart] {
        let message = try Inspector().inspect(
            bytes: Mail.message(attachments: [(name, "application/octet-stream", try Docs.bytes(name))]), documentText: false)
        return message.allParts.filter { $0.origin == .archiveMember }
    }

    @Test("early and late readings give the same text", arguments: [
        "budget.xlsx", "budget-names-last.xlsx", "budget-sheets-first.xlsx", "header-names-last.xlsx", "sheet-header.xlsx",
        "six-sheets.xlsx", "duplicate-sheet.xlsx", "cut-header.xlsx", "members.xlsx", "header-only.docx", "qualified.xlsx",
    ])
    func sameText(name: String) throws {
        let members = try Self.members(name)
        var byName: OOXMLText.Members = [:]
        for member in members where byName[member.filename ?? ""] == nil { byName[member.filename ?? ""] = member.content }
        let parts = try #require(EarlyDocumentParts(document: .officeOpenXML, deadline: Self.deadline))
        for (index, member) in members.enumerated() {
            parts.follow(member.filename ?? "", size: member.content.count, room: .max, before: Array(members[..<index]))?
                .finish(member.content)
        }
        let early = parts.finish()
        #expect(!early.isEmpty, "nothing was read early")
        let late = try OOXMLText.extract(byName, deadline: Self.deadline)
        #expect(try OOXMLText.extract(byName, early: early, deadline: Self.deadline) == late)
    }

    @Test("what a cut-off sheet left open is read on into the next sheet, as before")
    func cutOffHeaderCarriesOn() throws {
        let text = try DocumentTextTests.documentText("cut-header.xlsx")
        #expect(DocumentTextTests.segments(text, containing: "CONFIDENTIAL").map(\.location) == ["sheet \"S2\", page header"])
    }

    @Test("a part given up before it is complete, or discarded, is not used")
    func discarded() throws {
        let members = try Self.members("budget.xlsx")
        let parts = try #require(EarlyDocumentParts(document: .officeOpenXML, deadline: Self.deadline))
        var followed = 0
        for (index, member) in members.enumerated() {
            if let content = parts.follow(member.filename ?? "", size: member.content.count, room: .max, before: Array(members[..<index])) {
                followed += 1
                content.finish(member.content)
            }
        }
        #expect(followed == 3)
        #expect(parts.finish(discard: true).isEmpty)
        // Too large for what is left of max_expanded_bytes, or of no size the zip gives: not followed.
        let other = try #require(EarlyDocumentParts(document: .officeOpenXML, deadline: Self.deadline))
        #expect(other.follow("xl/worksheets/sheet1.xml", size: 1000, room: 999, before: []) == nil)
        #expect(other.follow("xl/worksheets/sheet2.xml", size: 0, room: .max, before: []) == nil)
        #expect(other.finish().isEmpty)
    }
}
