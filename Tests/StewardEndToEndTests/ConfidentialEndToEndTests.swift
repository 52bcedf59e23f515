import Foundation
import StewardTestSupport
import Testing

extension EndToEndTests {
    /// Clause 10(b) through the real Postfix: a Word file whose only marking is its page header
    /// ("CONFIDENTIAL"), sent by an authenticated London member.
    @Suite("Confidential markers through Postfix")
    struct Confidential {
        /// The message, with `header-only.docx` built by the confidential tests' document script.
        static func markedMessage(id: String, to: String) throws -> Data {
            let directory = try TemporaryDirectory("e2e-docs")
            let script = PackagePaths.root.appendingPathComponent("Tests/StewardConfidentialTests/make_documents.py").path
            let built = try Command.run("python3", [script, directory.path], timeout: 120, combineOutput: true)
            try #require(built.succeeded, "\(built.output)")
            let docx = try Data(contentsOf: URL(fileURLWithPath: directory.path("header-only.docx")))
            return Samples.withAttachment(
                id: id, from: "Chris Lee <\(Address.memberAddress)>", to: "<\(to)>", subject: "Minutes (\(id))",
                text: "The minutes are attached.", filename: "minutes.docx",
                contentType: "application/vnd.openxmlformats-officedocument.wordprocessingml.document", bytes: docx)
        }

        @Test("a CONFIDENTIAL-marked attachment to an outside recipient is held; the same to a union recipient is delivered")
        func heldOutsidePassesInside() throws {
            try requireLab()
            let lab = try PostfixLab(milter: .labSocket)
            defer { lab.stop() }
            let steward = try StewardServe(lab: lab)
            defer { steward.stop() }
            let auth = (Address.memberLogin, PostfixLab.saslPassword)

            let outside = try Self.markedMessage(id: "conf-out", to: Address.external)
            let sent = try lab.submit(outside, from: Address.memberAddress, to: [Address.external], auth: auth)
            #expect(sent.accepted, "\(sent)\n\(steward.log)")
            let inside = try Self.markedMessage(id: "conf-in", to: Address.member)
            let sentInside = try lab.submit(inside, from: Address.memberAddress, to: [Address.member], auth: auth)
            #expect(sentInside.accepted, "\(sentInside)\n\(steward.log)")
            #expect(try lab.waitForEmptyQueue(timeout: 60), "\(lab.diagnostics())")

            let held = try steward.heldMessages()
            try #require(held.count == 1, "expected one held message, found \(held.count)\n\(steward.log)")
            #expect(held[0].findings?.contains("confidential-marker") == true, "findings: \(held[0].findings ?? "nil")")
            #expect(held[0].findings?.contains("minutes.docx") == true, "findings: \(held[0].findings ?? "nil")")
            #expect(held[0].recipients?.contains(Address.external) == true)

            #expect(try lab.waitForSink(count: 1, timeout: 10), "\(lab.diagnostics())")
            let delivered = try lab.sinkMessages()
            try #require(delivered.count == 1, "\(lab.diagnostics())")
            #expect(String(decoding: delivered[0].headers, as: UTF8.self).contains("conf-in"), "the internal message was not the one delivered")
        }
    }
}
