import Foundation
import StewardCore
import StewardTestSupport
import Testing

/// Issue 12's confidential markings in documents written by LibreOffice itself
/// (scripts/make-office-fixtures; the files are committed under Office/): a qualified marking
/// in a spreadsheet cell and in a page header, an embargo line, each in every format
/// LibreOffice saves it as, beside a twin with the same words in running text that must pass.
@Suite("Markings in documents LibreOffice wrote (issue 12)")
struct OfficeMadeDocumentTests {
    static func office(_ name: String) throws -> [UInt8] {
        let url = PackagePaths.root.appendingPathComponent("Tests/StewardConfidentialTests/Office/\(name)")
        return Array(try Data(contentsOf: url))
    }

    /// The confidential findings for the file sent as `press-release.EXT` (a neutral name: a
    /// marking in the file name counts on its own).
    static func details(_ name: String) throws -> [String] {
        let sentAs = "press-release." + (name.split(separator: ".").last.map(String.init) ?? "")
        let bytes = Mail.message(attachments: [(sentAs, "application/octet-stream", try office(name))])
        return Mail.confidential(try Mail.judge(bytes)).map(\.detail)
    }

    @Test("a qualified marking in a LibreOffice spreadsheet cell", arguments: ["xlsx", "ods"])
    func qualifiedCell(ext: String) throws {
        let details = try Self.details("qualified-cell.\(ext)")
        #expect(details.count == 1 && details[0].contains("\"Strictly Private and Confidential\""), "\(details)")
        #expect(details.first?.contains("sheet \"Pay\"") == true, "\(details)")
        #expect(try Self.details("plain-cell.\(ext)").isEmpty)
    }

    @Test("a qualified marking in a LibreOffice page header", arguments: ["docx", "odt", "pdf"])
    func qualifiedHeader(ext: String) throws {
        let details = try Self.details("qualified-header.\(ext)")
        #expect(details.count == 1 && details[0].contains("Highly Confidential"), "\(details)")
        #expect(try Self.details("plain-header.\(ext)").isEmpty, "the same words in a sentence pass")
    }

    @Test("an embargo line in a LibreOffice document", arguments: ["docx", "odt", "pdf", "rtf"])
    func embargo(ext: String) throws {
        let details = try Self.details("embargo.\(ext)")
        #expect(details.count == 1 && details[0].contains("EMBARGOED UNTIL 10:00 ON 3 JUNE"), "\(details)")
        #expect(try Self.details("plain-embargo.\(ext)").isEmpty, "the word embargo in running text passes")
    }
}
