import Foundation
import StewardCore
import StewardEngine
import StewardInspection
import StewardPolicy
import StewardTestSupport
import Testing

/// Clause 14: a title or a name in a comment of the From line is shown by mail programs as part
/// of the sender's name ("Sam (Branch Secretary)", `x@mail.example (Alex Morgan)`), though GMime
/// leaves comments out of the display name. Real inspection, the shipped policy.
@Suite struct AddressCommentTests {
    static func rules(from: String, sender: String, to recipient: String = "jo.bloggs@union.example", client: String = "192.0.2.7") throws -> [String] {
        let bytes = Array("From: \(from)\r\nTo: \(recipient)\r\nSubject: Urgent\r\nMessage-ID: <c1@x.example>\r\nDate: Sat, 05 Dec 2026 10:00:00 +0000\r\n\r\nPlease call me.\r\n".utf8)
        let policy = try PolicyHolder(directory: PackagePaths.policies, stampInterval: 0).snapshot
        let envelope = Envelope(sender: sender, recipients: [recipient], clientAddress: client)
        return policy.evaluator.evaluate(try Inspector().inspect(bytes: bytes), envelope: envelope).findings.map(\.rule)
    }

    @Test("an official's name or title in a comment is read as the name", arguments: [
        "Sam (Branch Secretary) <sam.branch.sec@gmail.example>", "(Alex Morgan) <alex.morgan.gs@gmail.example>",
        "alex.morgan.gs@gmail.example (Alex Morgan)", "Jo (=?utf-8?q?General_Secretary?=) <jo@gmail.example>",
        "\"Jo\" (General Secretary) <jo@gmail.example>",
    ])
    func titleInAComment(from: String) throws {
        let sender = from.split(separator: "<").last.map { String($0.dropLast()) } ?? from
        #expect(try Self.rules(from: from, sender: sender.contains("(") ? "alex.morgan.gs@gmail.example" : sender).contains("impersonation-official-name"), "\(from)")
    }

    @Test("other comments pass: a company, a service, a quoted name with brackets", arguments: [
        "Pat Smith (Acme Ltd) <pat@acme.example>", "Pat Smith (via Google Sheets) <drive-shares-noreply@google.example>",
        "\"Jo, (GS)\" <jo@gmail.example>", "jo@gmail.example (Jo Bloggs)", "Jo Bloggs <jo@gmail.example> (for the General Secretary's office)",
    ])
    func otherComments(from: String) throws {
        #expect(try Self.rules(from: from, sender: "bounce@mail.example").isEmpty, "\(from)")
    }
}
