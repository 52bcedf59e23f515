import Foundation
import StewardTestSupport
import Testing

extension EndToEndTests {
    /// The review commands officials and admins use, on a message held through real Postfix.
    @Suite("Review: refuse, show, export, legal hold, purge")
    struct Review {
        typealias Address = EndToEndTests.Address
        static func delivered(to recipient: String, in lab: PostfixLab) throws -> [String] {
            try lab.sinkMessages(includingNotices: true).filter { message in
                message.envelope.contains { $0.hasPrefix("X-Rcpt-Args:") && $0.contains(recipient) }
            }.map { String(decoding: $0.message, as: UTF8.self) }
        }

        @Test("a member's held outgoing message: they are told it awaits approval, then why it was refused; export, view, legal hold and purge are audited")
        func reviewAnOutgoingMessage() throws {
            try EndToEndTests.requireLab()
            let lab = try PostfixLab(milter: .labSocket)
            defer { lab.stop() }
            let steward = try StewardServe(lab: lab)
            defer { steward.stop() }

            let message = Samples.eicarAttachment(id: "review-outgoing", from: "Chris Lee <\(Address.memberAddress)>")
            let submission = try lab.submit(
                message, from: Address.memberAddress, to: ["dave@supplier.example"],
                auth: (Address.memberLogin, PostfixLab.saslPassword))
            #expect(submission.accepted, "\(submission)\n\(steward.log)")
            #expect(TestSupport.waitUntil(timeout: 60, interval: 0.5) {
                ((try? Self.delivered(to: Address.memberAddress, in: lab)) ?? []).contains { $0.contains("awaits an official") }
            }, "\(lab.diagnostics())\n\(steward.log)")
            let held = try steward.heldMessages()
            try #require(held.count == 1)
            let id = String(held[0].id)

            // The review app's rule binds an official named by --actor: another branch's official
            // may neither read nor refuse it.
            for command in [["show", id, "--body"], ["refuse", id], ["release", id]] {
                let foreign = try steward.command(
                    ["quarantine"] + command + ["--reason", "curious", "--actor", "secretary@scotland.union.example"])
                #expect(foreign.status == 1, "\(command): \(foreign.output)")
                #expect(foreign.error.contains("not for secretary@scotland.union.example's branches"), "\(foreign.error)")
            }
            let foreignList = try steward.command(["quarantine", "list", "--actor", "secretary@scotland.union.example"])
            #expect(foreignList.output.contains("nothing held"), "another branch's official lists only their branches: \(foreignList.output)")
            #expect(try steward.command(["quarantine", "list", "--actor", "sam.okafor@union.example"]).output.contains("#\(id)"))
            // Content is shown only with a reason, and the view is on the trail.
            #expect(try steward.command(["quarantine", "show", id, "--body"]).status == 2)
            let show = try steward.command(["quarantine", "show", id, "--body", "--reason", "checking the attachment", "--actor", "sam.okafor"])
            #expect(show.status == 0, "\(show.error)")
            #expect(show.output.contains("eicar-test-signature"))
            #expect(show.output.contains("attachments:"))
            #expect(show.output.contains("content:"))

            let refuse = try steward.command(["quarantine", "refuse", id, "--reason", "test files may not go to suppliers", "--actor", "sam.okafor"])
            #expect(refuse.status == 0, "\(refuse.error)")
            #expect(refuse.output.contains("will be told"), "\(refuse.output)")
            #expect(TestSupport.waitUntil(timeout: 60, interval: 0.5) {
                ((try? Self.delivered(to: Address.memberAddress, in: lab)) ?? []).contains { $0.contains("test files may not go to suppliers") }
            }, "\(lab.diagnostics())\n\(steward.log)")
            #expect(try Self.delivered(to: "dave@supplier.example", in: lab).isEmpty, "the refused message was delivered")

            // Export for evidence: the .eml is the stored message, the manifest carries its digest and trail.
            let exportDirectory = try TemporaryDirectory("export")
            let export = try steward.command(["quarantine", "export", id, "--to", exportDirectory.url.path, "--reason", "tribunal bundle"])
            #expect(export.status == 0, "\(export.error)")
            let eml = try Data(contentsOf: exportDirectory.url.appendingPathComponent("message-\(id).eml"))
            #expect(try TestSupport.sha256Hex(eml) == held[0].sha256?.lowercased())
            let manifest = try String(contentsOf: exportDirectory.url.appendingPathComponent("manifest.json"), encoding: .utf8)
            #expect(manifest.contains(held[0].sha256 ?? "missing"))
            #expect(manifest.contains("\"action\" : \"refuse\""), "\(manifest)")
            #expect(manifest.contains("eicar-test-signature"))
            // Where it came from and who sent it, so the exported mail re-judges the same.
            #expect(manifest.contains("\"login\" : \"\(Address.memberLogin)\""), "\(manifest)")
            #expect(manifest.contains("\"client_address\" : \"127.0.0.1\""), "\(manifest)")

            // Legal hold: no deletion, no purge, until it is lifted.
            #expect(try steward.command(["quarantine", "legal-hold", id, "--reason", "tribunal case 42"]).status == 0)
            #expect(try steward.command(["quarantine", "delete", id, "--reason", "tidy up"]).status == 1)
            let purgeHeld = try steward.command(["quarantine", "purge", "--older-than", "0"])
            #expect(purgeHeld.output.contains("removed 0"), "\(purgeHeld.output)")
            #expect(try steward.command(["quarantine", "legal-hold", id, "--lift", "--reason", "case closed"]).status == 0)
            let purge = try steward.command(["quarantine", "purge", "--older-than", "0"])
            #expect(purge.output.contains("removed 1"), "\(purge.output)")
            #expect(try steward.heldMessages().isEmpty)

            let trail = try steward.command(["audit", "list", "--message", id]).output
            for action in ["hold", "notify", "view", "refuse", "export", "legal-hold", "legal-hold-lifted", "purge"] {
                #expect(trail.contains(" \(action) #\(id)"), "no \(action) entry:\n\(trail)")
            }
            #expect(try steward.command(["audit", "verify"]).status == 0)
        }

        @Test("with the shared PostgreSQL quarantine stopped mid-run, Postfix defers the message and nothing is lost; once it is back mail is held again")
        func storeDownMeansDefer() throws {
            try EndToEndTests.requireLab()
            let postgres = try PostgresLab()
            defer { postgres.stop() }
            let database = try postgres.createDatabase()
            let lab = try PostfixLab(milter: .labSocket)
            defer { lab.stop() }
            let steward = try StewardServe(lab: lab, extraConfig: postgres.storeConfig(database: database))
            defer { steward.stop() }

            let first = try lab.submit(Samples.eicarAttachment(id: "pg-up"), from: Address.external, to: [Address.member])
            #expect(first.accepted, "\(first)\n\(steward.log)")
            #expect(try lab.waitForEmptyQueue(timeout: 60))
            #expect(try postgres.sql("SELECT COUNT(*) FROM held_message", database: database).trimmingCharacters(in: .whitespacesAndNewlines) == "1")

            // fast, not immediate: the lab runs with synchronous_commit=off (see PostgresLab.stop).
            postgres.stop(mode: "fast")
            let second = try lab.submit(Samples.eicarAttachment(id: "pg-down"), from: Address.external, to: [Address.member])
            #expect(second.tempFailed, "with the store down the client must be told to retry: \(second)")
            #expect(!second.accepted)
            #expect(try lab.sinkMessages().isEmpty, "a message the store could not keep was delivered")
            #expect(steward.log.contains("could not store the held message"), "\(steward.log)")

            // The server is back: the same steward serve (its pool reconnects) holds mail again.
            try postgres.start()
            var third: PostfixLab.Submission?
            for attempt in 1...3 where third?.accepted != true {
                third = try lab.submit(Samples.eicarAttachment(id: "pg-back-\(attempt)"), from: Address.external, to: [Address.member])
            }
            #expect(third?.accepted == true, "after the restart: \(String(describing: third))\n\(steward.log)")
            #expect(try lab.waitForEmptyQueue(timeout: 60))
            #expect(try postgres.sql("SELECT COUNT(*) FROM held_message", database: database).trimmingCharacters(in: .whitespacesAndNewlines) == "2")
        }
    }
}
