import Foundation
import StewardTestSupport
import Testing

extension EndToEndTests {
    /// Clauses 13 and 15: a held message is evidence until an official decides, and a release
    /// delivers the original bytes exactly once, through Postfix and past Steward.
    @Suite("Release and the audit trail")
    struct Release {
        typealias Address = EndToEndTests.Address

        @Test("a released message arrives byte-identical exactly once, without its release mark; the audit chain verifies and catches tampering")
        func releaseDeliversOnce() throws {
            try EndToEndTests.requireLab()
            let lab = try PostfixLab(milter: .labSocket)
            defer { lab.stop() }
            let steward = try StewardServe(lab: lab)
            defer { steward.stop() }

            let message = Samples.eicarAttachment(id: "steward-release")
            let submission = try lab.submit(message, from: Address.external, to: [Address.member])
            #expect(submission.accepted, "\(submission)\n\(steward.log)")
            #expect(try lab.waitForEmptyQueue(timeout: 60))
            #expect(try lab.sinkMessages().isEmpty)
            let held = try steward.heldMessages()
            try #require(held.count == 1, "\(steward.log)")
            let id = held[0].id

            // Reviewing needs a reason; without one the command refuses (usage error).
            let noReason = try steward.command(["quarantine", "release", String(id)])
            #expect(noReason.status == 2, "\(noReason.output)\(noReason.error)")

            let release = try steward.command(["quarantine", "release", String(id), "--reason", "test file sent on purpose", "--actor", "sam.okafor"])
            #expect(release.status == 0, "\(release.output)\(release.error)\n\(steward.log)")
            #expect(try lab.waitForEmptyQueue(timeout: 60), "\(lab.diagnostics())")
            let delivered = try lab.sinkMessages()
            try #require(delivered.count == 1, "\(lab.diagnostics())\n\(steward.log)")
            let sent = try #require(message.normalisedToLF.headerAndBodyLF)
            #expect(delivered[0].body == sent.body, "the released body differs from the one submitted")
            Samples.expectHeaders(of: sent.headers, in: delivered[0].headers)
            let deliveredHeaders = String(decoding: delivered[0].headers, as: UTF8.self)
            #expect(!deliveredHeaders.contains("X-Steward-Release"), "the release mark reached the recipient")

            // A second release is refused, not a second delivery.
            let again = try steward.command(["quarantine", "release", String(id), "--reason", "again"])
            #expect(again.status == 1)
            #expect(again.error.contains("released"), "\(again.error)")
            #expect(try lab.waitForEmptyQueue(timeout: 30))
            #expect(try lab.sinkMessages().count == 1)

            // The trail: held, released by the official with the reason, delivered once.
            let trail = try steward.command(["audit", "list", "--message", String(id)])
            #expect(trail.output.contains(" hold #\(id)"), "\(trail.output)")
            #expect(trail.output.contains("sam.okafor release #\(id) reason: test file sent on purpose"), "\(trail.output)")
            #expect(trail.output.components(separatedBy: "release-delivered").count == 2, "\(trail.output)")
            let verify = try steward.command(["audit", "verify"])
            #expect(verify.status == 0, "\(verify.output)")

            // Someone edits the database directly: verification fails and says where.
            let tamper = try Command.run("sqlite3", ["-cmd", ".timeout 10000", steward.storePath, "UPDATE audit_entry SET reason = 'nothing to see' WHERE action = 'release'"])
            #expect(tamper.status == 0, "\(tamper.error)")
            let broken = try steward.command(["audit", "verify"])
            #expect(broken.status == 1)
            #expect(broken.output.contains("edited"), "\(broken.output)")
        }

        @Test("a forged release mark does not get a message past Steward")
        func forgedReleaseMarkIsJudgedNormally() throws {
            try EndToEndTests.requireLab()
            let lab = try PostfixLab(milter: .labSocket)
            defer { lab.stop() }
            let steward = try StewardServe(lab: lab)
            defer { steward.stop() }

            let forged = Data("X-Steward-Release: 1 \(String(repeating: "ab", count: 32))\r\n".utf8)
                + Samples.eicarAttachment(id: "steward-forged")
            let submission = try lab.submit(forged, from: Address.external, to: [Address.member])
            #expect(submission.accepted, "\(submission)")
            #expect(try lab.waitForEmptyQueue(timeout: 60))
            #expect(try lab.sinkMessages().isEmpty, "a forged release mark let the EICAR message through")
            #expect(try steward.heldMessages().count == 1)
            #expect(steward.log.contains("release mark that does not fit"), "\(steward.log)")
        }
    }
}
