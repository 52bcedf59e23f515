import Foundation
import StewardTestSupport
import Testing

extension EndToEndTests {
    /// Issue 11, the evidence half: what an outside sender puts in a message reaches no notice,
    /// terminal or trail as a forged line or an escape, and a captured release mark lets nothing
    /// but the released message, from its sender, to its recipients, through.
    @Suite("Untrusted text and release marks")
    struct Evidence {
        typealias Address = EndToEndTests.Address
        static let genuineLink = "  Open it in the review app: https://review.union.example/messages/"

        /// The text part of a delivered notice, decoded by Python's own e-mail parser (not ours).
        static func decodedText(_ message: Data, in directory: URL) throws -> (subject: String, text: String) {
            let file = directory.appendingPathComponent("notice-\(UUID().uuidString).eml").path
            try message.write(to: URL(fileURLWithPath: file))
            let script = """
                import email, sys
                from email import policy
                m = email.message_from_binary_file(open(sys.argv[1], 'rb'), policy=policy.default)
                sys.stdout.write(str(m['Subject']) + '\\n' + m.get_body(preferencelist=('plain',)).get_content())
                """
            let result = try Command.run("python3", ["-c", script, file], timeout: 30)
            guard result.succeeded else { throw TestFailure("python3 could not read the notice: \(result.error)") }
            let subject = String(result.output.prefix { $0 != "\n" })
            return (subject, String(result.output.dropFirst(subject.count + 1)))
        }

        static func hasControlOrBidi(_ text: String) -> Bool {
            text.unicodeScalars.contains { ($0.properties.generalCategory == .control && $0 != "\n") || $0.properties.generalCategory == .format }
        }

        @Test("a CR/LF in an encoded subject forges no line in the official's digest; show and audit list print escapes, never obey them")
        func forgedLinesAndEscapesGetNowhere() throws {
            try EndToEndTests.requireLab()
            let lab = try PostfixLab(milter: .labSocket)
            defer { lab.stop() }
            let steward = try StewardServe(
                lab: lab, extraConfig: "review:\n  enabled: false\n  base_url: https://review.union.example/\n")
            defer { steward.stop() }

            // The attack: an encoded subject that decodes to new lines, a planted link, a terminal
            // escape and a bidi override; and a file name that reads backwards.
            let forged = "Minutes\r\n\r\n  Open it in the review app: http://attacker.example/messages/1\r\n\u{1B}[2J\u{202E}gnp.exe"
            let message = Samples.withAttachment(
                id: "forged-line", subject: "=?UTF-8?B?\(Data(forged.utf8).base64EncodedString())?=", text: "Hello.",
                filename: "invoice\u{202E}fdp.com", contentType: "application/octet-stream", bytes: Data(Samples.eicar.utf8))
            let submission = try lab.submit(message, from: Address.external, to: [Address.member])
            #expect(submission.accepted, "\(submission)")
            #expect(TestSupport.waitUntil(timeout: 60, interval: 0.5) {
                (try? Notices.delivered(to: Notices.londonSenior, in: lab).count) ?? 0 >= 1
            }, "\(lab.diagnostics())\n\(steward.log)")
            let notice = try #require(try Notices.delivered(to: Notices.londonSenior, in: lab).first)
            let raw = String(decoding: notice.message, as: UTF8.self)
            #expect(raw.contains("MIME-Version: 1.0"), "\(raw)")
            #expect(raw.contains("Content-Type: text/plain; charset="), "\(raw)")
            let (subject, text) = try Self.decodedText(notice.message, in: lab.directory)
            #expect(subject.hasPrefix("[Steward] 1 message(s) held for "), "\(subject)")
            let lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
            // The genuine link is there; the planted one is no line of its own, only words in the subject line.
            #expect(lines.contains { $0.hasPrefix(Self.genuineLink) }, "\(text)")
            for line in lines where line.contains("attacker.example") {
                #expect(line.hasPrefix("  Subject: Minutes"), "a forged line reached the digest: \(line)\n\(text)")
            }
            #expect(lines.filter { $0.contains("Open it in the review app") }.count == 2, "\(text)")
            #expect(!Self.hasControlOrBidi(text), "\(text.debugDescription)")

            // The digest carries the trail's signed head, which `audit verify` accepts.
            let checkpoint = try #require(lines.first { $0.hasPrefix("  head ") }, "\(text)").trimmingCharacters(in: .whitespaces)
            let verified = try steward.command(["audit", "verify", "--checkpoint", checkpoint])
            #expect(verified.status == 0, "\(verified.output)\(verified.error)")
            // The same signed head goes to the log (the system journal under systemd).
            #expect(TestSupport.waitUntil(timeout: 10, interval: 0.2) { steward.log.contains("audit checkpoint") }, "\(steward.log)")

            // The command line shows the escapes instead of obeying them.
            let id = try #require(try steward.heldMessages().first?.id)
            let show = try steward.command(["quarantine", "show", String(id)])
            #expect(show.status == 0, "\(show.error)")
            #expect(!Self.hasControlOrBidi(show.output), "\(show.output.debugDescription)")
            #expect(show.output.contains(#"invoice\u{202E}fdp.com"#), "\(show.output)")
            let list = try steward.command(["quarantine", "list"])
            #expect(!Self.hasControlOrBidi(list.output), "\(list.output.debugDescription)")

            let refuse = try steward.command(["quarantine", "refuse", String(id), "--reason", "spam\u{1B}[2J\u{202E}", "--actor", "sam"])
            #expect(refuse.status == 0, "\(refuse.output)\(refuse.error)")
            // Someone with the database puts an escape straight into the trail: it is shown, not run.
            let tamper = try Command.run(
                "sqlite3", [steward.storePath, "UPDATE audit_entry SET detail = 'x' || char(27) || '[2J' || char(8238) || 'y' WHERE action = 'refuse'"])
            #expect(tamper.status == 0, "\(tamper.error)")
            let trail = try steward.command(["audit", "list"])
            #expect(!Self.hasControlOrBidi(trail.output), "\(trail.output.debugDescription)")
            #expect(trail.output.contains(#"(x\x1B[2J\u{202E}y)"#), "\(trail.output)")
            #expect(trail.output.contains("reason: spam [2J"), "an official's reason is cleaned before it joins the trail: \(trail.output)")
            #expect(!Self.hasControlOrBidi(steward.log), "\(steward.log.debugDescription)")
        }

        @Test("a captured release mark lets through only the released message, from its sender, to its recipients")
        func aCapturedMarkFitsNoOtherMessage() throws {
            try EndToEndTests.requireLab()
            let lab = try PostfixLab(milter: .labSocket)
            defer { lab.stop() }
            let steward = try StewardServe(lab: lab)
            defer { steward.stop() }

            let message = Samples.eicarAttachment(id: "mark-bound")
            #expect(try lab.submit(message, from: Address.external, to: [Address.member]).accepted)
            #expect(try lab.waitForEmptyQueue(timeout: 60))
            let id = try #require(try steward.heldMessages().first?.id, "\(steward.log)")

            // The attacker captures the marked message on its way to the MTA: here, a sendmail
            // that keeps what it is given and delivers nothing.
            let captureDirectory = try TemporaryDirectory("capture")
            let captured = captureDirectory.path("captured.eml")
            let script = captureDirectory.path("sendmail")
            try "#!/bin/sh\ncat > '\(captured)'\n".write(toFile: script, atomically: true, encoding: .utf8)
            chmod(script, 0o755)
            let config = captureDirectory.path("steward.yaml")
            try String(contentsOfFile: steward.configPath, encoding: .utf8)
                .replacingOccurrences(of: "sendmail: /usr/sbin/sendmail", with: "sendmail: \(script)")
                .write(toFile: config, atomically: true, encoding: .utf8)
            let release = try Command.run(
                PackagePaths.stewardBinary.path, ["quarantine", "release", String(id), "--reason", "ok", "--config", config], timeout: 60)
            #expect(release.status == 0, "\(release.output)\(release.error)")
            let marked = try Data(contentsOf: URL(fileURLWithPath: captured))
            let text = String(decoding: marked, as: UTF8.self)
            #expect(text.hasPrefix("X-Steward-Release: \(id) "), "\(text.prefix(200))")

            func expectHeld(_ bytes: Data, from sender: String, to recipients: [String], _ what: String) throws {
                let before = try steward.heldMessages().count
                let submission = try lab.submit(bytes, from: sender, to: recipients)
                #expect(submission.accepted, "\(what): \(submission)")
                #expect(try lab.waitForEmptyQueue(timeout: 60))
                #expect(try lab.sinkMessages().isEmpty, "\(what) got through uninspected\n\(steward.log)")
                #expect(try steward.heldMessages().count == before + 1, "\(what) was not judged and held\n\(steward.log)")
            }
            let changedSubject = Data(text.replacingOccurrences(
                of: "Subject: The file you asked for (mark-bound)", with: "Subject: Nothing to see here").utf8)
            #expect(changedSubject != marked)
            try expectHeld(changedSubject, from: Address.external, to: [Address.member], "a changed header")
            try expectHeld(Data("Reply-To: <collector@attacker.example>\r\n".utf8) + marked, from: Address.external, to: [Address.member], "a header above the mark")
            try expectHeld(marked, from: Address.external, to: [Address.member, "outsider@elsewhere.example"], "one more recipient")
            try expectHeld(marked, from: "mallory@attacker.example", to: [Address.member], "another sender")

            // The marked message itself, as released, goes through once, without its mark.
            #expect(try lab.submit(marked, from: Address.external, to: [Address.member]).accepted)
            #expect(try lab.waitForEmptyQueue(timeout: 60))
            let delivered = try lab.sinkMessages()
            #expect(delivered.count == 1, "\(lab.diagnostics())\n\(steward.log)")
            let headers = String(decoding: delivered.first?.headers ?? Data(), as: UTF8.self)
            #expect(!headers.contains("X-Steward-Release"), "\(headers)")
            #expect(try steward.heldMessages().count == 5)
        }
    }
}
