import Foundation
import StewardTestSupport
import Testing

/// End-to-end tests through a real, private Postfix on loopback (see StewardTestSupport's PostfixLab and StewardServe).
///
/// They need root and Postfix (scripts/install-deps installs it). Outside CI they are
/// skipped when those are missing; with `CI` set they run and fail loudly instead.
/// Serialized: the machine has two shared cores and each test runs its own Postfix.
@Suite(
    "End to end through a private Postfix", .serialized,
    .enabled(
        if: PostfixLab.unavailableReason == nil || ProcessInfo.processInfo.environment["CI"] != nil,
        "skipped: needs root and postfix, smtp-sink, swaks, saslpasswd2, sqlite3 (run scripts/install-deps as root)"
    )
)
struct EndToEndTests {
    /// Addresses used by the tests, from the shipped Policies/ (directory.yaml and
    /// sender_login_maps): union domain union.example, branch london, login clee may send
    /// as chris.lee@london.union.example.
    enum Address {
        static let external = "carol@partner.example"
        static let member = "bob@london.union.example"
        static let memberLogin = PostfixLab.saslLogin  // "clee"
        static let memberAddress = "chris.lee@london.union.example"
    }

    static func requireLab() throws {
        if let reason = PostfixLab.unavailableReason { throw TestFailure(reason) }
    }

    // MARK: - The lab itself (no milter): these must pass before Steward exists.

    @Suite("The lab, with no milter")
    struct Lab {
        @Test("a clean message reaches the sink with its body byte-identical")
        func cleanMessageArrivesIntact() throws {
            try requireLab()
            let lab = try PostfixLab(milter: .none)
            defer { lab.stop() }
            let message = Samples.clean(id: "lab-clean")
            let submission = try lab.submit(message, from: Address.external, to: [Address.member])
            #expect(submission.accepted, "\(submission)")
            #expect(try lab.waitForEmptyQueue(timeout: 60), "\(lab.diagnostics())")
            #expect(try lab.waitForSink(count: 1, timeout: 10), "\(lab.diagnostics())")

            let delivered = try lab.sinkMessages()
            try #require(delivered.count == 1, "\(lab.diagnostics())")
            let sent = try #require(message.normalisedToLF.headerAndBodyLF)
            #expect(delivered[0].body == sent.body, "body changed on the way through Postfix")
            Samples.expectHeaders(of: sent.headers, in: delivered[0].headers)
            #expect(delivered[0].mailFrom == "<\(Address.external)>")
        }

        @Test("SASL works: an authenticated submission is accepted and logged with its login")
        func saslAuthentication() throws {
            try requireLab()
            let lab = try PostfixLab(milter: .none)
            defer { lab.stop() }
            let good = try lab.submit(
                Samples.clean(id: "lab-auth"), from: Address.memberAddress, to: [Address.external],
                auth: (PostfixLab.saslLogin, PostfixLab.saslPassword))
            #expect(good.accepted, "\(good)")
            #expect(good.replyCodes.contains(235), "AUTH PLAIN not accepted: \(good)")
            #expect(try lab.waitForEmptyQueue(timeout: 60), "\(lab.diagnostics())")
            #expect(try lab.sinkMessages().count == 1)
            #expect(lab.maillog().contains("sasl_method=PLAIN, sasl_username=\(PostfixLab.saslLogin)"),
                    "\(lab.diagnostics())")

            let bad = try lab.submit(
                Samples.clean(id: "lab-auth-bad"), from: Address.memberAddress, to: [Address.external],
                auth: (PostfixLab.saslLogin, "wrong-password"))
            #expect(!bad.accepted)
            #expect(bad.replyCodes.contains(535), "\(bad)")
        }

        @Test("an unreachable milter makes Postfix answer 451, and nothing is delivered or queued")
        func unreachableMilterTempfails() throws {
            try requireLab()
            let lab = try PostfixLab(milter: .labSocket)  // nothing listens on the socket
            defer { lab.stop() }
            let submission = try lab.submit(Samples.clean(id: "lab-nomilter"), from: Address.external, to: [Address.member])
            #expect(!submission.accepted, "\(submission)")
            #expect(submission.replyCodes.contains(451), "\(submission)")
            #expect(try lab.queue().isEmpty)
            #expect(try lab.sinkMessages().isEmpty)
        }
    }

    // MARK: - Steward attached (need the real `steward serve`; they fail against the stub).

    @Suite("Steward attached to Postfix")
    struct WithSteward {
        @Test("(a) a clean message passes through Steward with its body byte-identical")
        func cleanMessagePasses() throws {
            try requireLab()
            let lab = try PostfixLab(milter: .labSocket)
            defer { lab.stop() }
            let steward = try StewardServe(lab: lab)
            defer { steward.stop() }

            let message = Samples.clean(id: "steward-clean")
            let submission = try lab.submit(message, from: Address.external, to: [Address.member])
            #expect(submission.accepted, "\(submission)\n\(steward.log)")
            #expect(try lab.waitForEmptyQueue(timeout: 60), "\(lab.diagnostics())")
            #expect(try lab.waitForSink(count: 1, timeout: 10), "\(lab.diagnostics())\n\(steward.log)")

            let delivered = try lab.sinkMessages()
            try #require(delivered.count == 1, "\(lab.diagnostics())\n\(steward.log)")
            let sent = try #require(message.normalisedToLF.headerAndBodyLF)
            #expect(delivered[0].body == sent.body, "Steward or Postfix changed the body")
            Samples.expectHeaders(of: sent.headers, in: delivered[0].headers)
            #expect(try steward.heldMessages().isEmpty)
            #expect(steward.stop() == 0, "steward serve did not exit 0 on SIGTERM:\n\(steward.log)")
        }

        @Test("(b) a message with the EICAR test file attached is held, byte-exact, and not delivered")
        func eicarAttachmentIsHeld() throws {
            try requireLab()
            let lab = try PostfixLab(milter: .labSocket)
            defer { lab.stop() }
            let steward = try StewardServe(lab: lab)
            defer { steward.stop() }

            let message = Samples.eicarAttachment(id: "steward-eicar")
            let submission = try lab.submit(message, from: Address.external, to: [Address.member])
            // Held mail is answered definitively (not 4xx: that would make the client retry forever).
            #expect(!submission.tempFailed, "\(submission)\n\(steward.log)")
            #expect(try lab.waitForEmptyQueue(timeout: 60), "\(lab.diagnostics())")
            #expect(try lab.sinkMessages().isEmpty, "the EICAR message was delivered")

            let held = try steward.heldMessages()
            try #require(held.count == 1, "expected one held message, found \(held.count)\n\(steward.log)")
            let row = held[0]
            let raw = row.raw
            #expect(!raw.isEmpty)
            #expect(row.sha256?.lowercased() == (try TestSupport.sha256Hex(raw)), "sha256 does not match the raw bytes")
            if let size = row.size { #expect(size == raw.count) }
            #expect(row.state == "held")
            #expect(row.action == "quarantine")
            #expect(row.findings?.contains("eicar-test-signature") == true, "findings: \(row.findings ?? "nil")")
            #expect(row.sender?.contains(Address.external) == true)
            #expect(row.recipients?.contains(Address.member) == true)
            // The client's address reaches Steward as a macro with MAIL FROM (connect is negotiated away).
            #expect(row.client_address == "127.0.0.1")
            #expect(row.auth_user == nil)
            #expect(row.queue_id?.isEmpty == false)

            // The stored bytes: headers CRLF-terminated, CRLF, body, as Postfix passed them.
            #expect(raw.range(of: Data("\r\n\r\n".utf8)) != nil, "raw has no CRLF CRLF header/body separator")
            let stored = try #require(raw.normalisedToLF.headerAndBodyLF)
            let sent = try #require(message.normalisedToLF.headerAndBodyLF)
            #expect(stored.body == sent.body, "held body differs from the submitted body")
            Samples.expectHeaders(of: sent.headers, in: stored.headers)
        }

        @Test("(c) with Steward stopped, Postfix defers (4xx) instead of delivering unfiltered or losing mail")
        func stoppedStewardMeansTempfail() throws {
            try requireLab()
            let lab = try PostfixLab(milter: .labSocket)
            defer { lab.stop() }
            let steward = try StewardServe(lab: lab)
            defer { steward.stop() }

            let first = try lab.submit(Samples.clean(id: "steward-before-stop"), from: Address.external, to: [Address.member])
            #expect(first.accepted, "\(first)\n\(steward.log)")
            #expect(try lab.waitForEmptyQueue(timeout: 60), "\(lab.diagnostics())")
            let deliveredBefore = try lab.sinkMessages().count
            #expect(deliveredBefore == 1)

            #expect(steward.stop(timeout: 20) == 0, "steward serve did not exit 0 on SIGTERM:\n\(steward.log)")

            let second = try lab.submit(Samples.clean(id: "steward-after-stop"), from: Address.external, to: [Address.member])
            let queued = try lab.queue()
            // Either smtpd refused with 4xx (the client keeps the message) or Postfix kept it queued.
            #expect(second.tempFailed || !queued.isEmpty, "\(second)\n\(lab.diagnostics())")
            #expect(!second.permanentlyFailed, "\(second)")
            #expect(try lab.sinkMessages().count == deliveredBefore, "mail was delivered unfiltered")
        }

        @Test("(d) an authenticated clean submission passes through Steward and is delivered")
        func authenticatedSubmissionPasses() throws {
            try requireLab()
            let lab = try PostfixLab(milter: .labSocket)
            defer { lab.stop() }
            let steward = try StewardServe(lab: lab)
            defer { steward.stop() }

            let message = Samples.clean(id: "steward-auth", from: Address.memberAddress, to: Address.external)
            let submission = try lab.submit(
                message, from: Address.memberAddress, to: [Address.external],
                auth: (Address.memberLogin, PostfixLab.saslPassword))
            #expect(submission.replyCodes.contains(235), "\(submission)")
            #expect(submission.accepted, "\(submission)\n\(steward.log)")
            #expect(try lab.waitForEmptyQueue(timeout: 60), "\(lab.diagnostics())")
            let delivered = try lab.sinkMessages()
            try #require(delivered.count == 1, "\(lab.diagnostics())\n\(steward.log)")
            let sent = try #require(message.normalisedToLF.headerAndBodyLF)
            #expect(delivered[0].body == sent.body)
            #expect(lab.maillog().contains("sasl_username=\(Address.memberLogin)"))
        }

        @Test("an authenticated submission that is held keeps the login Postfix passed to Steward")
        func heldAuthenticatedSubmissionKeepsItsLogin() throws {
            try requireLab()
            let lab = try PostfixLab(milter: .labSocket)
            defer { lab.stop() }
            let steward = try StewardServe(lab: lab)
            defer { steward.stop() }

            let submission = try lab.submit(
                Samples.eicarAttachment(id: "steward-auth-eicar", from: "Chris Lee <\(Address.memberAddress)>"), from: Address.memberAddress, to: [Address.external],
                auth: (Address.memberLogin, PostfixLab.saslPassword))
            #expect(submission.accepted, "\(submission)\n\(steward.log)")
            #expect(try lab.waitForEmptyQueue(timeout: 60), "\(lab.diagnostics())")
            #expect(try lab.sinkMessages().isEmpty, "the EICAR message was delivered")
            let held = try steward.heldMessages()
            try #require(held.count == 1, "\(steward.log)")
            #expect(held[0].auth_user == Address.memberLogin, "{auth_authen} did not reach Steward")
            #expect(held[0].client_address == "127.0.0.1")
            #expect(steward.log.contains("message.direction=outgoing"), "\(steward.log)")
        }

        @Test("a clean 1.5 MB message (beyond the spool's memory threshold) passes byte-identical")
        func largeMessagePasses() throws {
            try requireLab()
            let lab = try PostfixLab(milter: .labSocket)
            defer { lab.stop() }
            let steward = try StewardServe(lab: lab)
            defer { steward.stop() }

            let message = Samples.largeAttachment(id: "steward-large", bytes: 1_100_000)
            #expect(message.count > 1_048_576)
            let submission = try lab.submit(message, from: Address.external, to: [Address.member])
            #expect(submission.accepted, "\(submission)\n\(steward.log)")
            #expect(try lab.waitForEmptyQueue(timeout: 90), "\(lab.diagnostics())")
            let delivered = try lab.sinkMessages()
            try #require(delivered.count == 1, "\(lab.diagnostics())\n\(steward.log)")
            let sent = try #require(message.normalisedToLF.headerAndBodyLF)
            #expect(delivered[0].body == sent.body, "the large body changed on the way")
            #expect(try steward.heldMessages().isEmpty)
        }

        // Proves {auth_authen} reaches the policy through Postfix, and that the member is told why
        // at once: outgoing impersonation is refused at submission (issue 4), not held.
        @Test("(e) the milter sees the SASL login: sending as another member's address is rejected with 5.7.1 at submission")
        func authenticatedImpersonationIsRejected() throws {
            try requireLab()
            let lab = try PostfixLab(milter: .labSocket)
            defer { lab.stop() }
            let steward = try StewardServe(lab: lab)
            defer { steward.stop() }

            // clee is allowed chris.lee@london.union.example, not the General Secretary's address.
            let forged = "general.secretary@union.example"
            let message = Samples.clean(id: "steward-impersonation", from: forged, to: Address.external)
            let submission = try lab.submit(
                message, from: forged, to: [Address.external],
                auth: (Address.memberLogin, PostfixLab.saslPassword))
            #expect(submission.replyCodes.contains(235), "\(submission)")
            #expect(!submission.accepted, "\(submission)\n\(steward.log)")
            #expect(!submission.tempFailed, "\(submission)\n\(steward.log)")
            #expect(submission.replyCodes.contains(550), "\(submission)")
            #expect(submission.transcript.contains("5.7.1 Your message was not sent because it is sent as an address that your login is not allowed to use; clause 14"),
                    "\(submission)")
            #expect(try lab.queue().isEmpty)
            #expect(try lab.sinkMessages().isEmpty, "the impersonating message was delivered")
            #expect(try steward.heldMessages().isEmpty, "a refused message is not held")

            // The same login with its own address goes through.
            let own = try lab.submit(
                Samples.clean(id: "steward-own-address", from: Address.memberAddress, to: Address.external),
                from: Address.memberAddress, to: [Address.external],
                auth: (Address.memberLogin, PostfixLab.saslPassword))
            #expect(own.accepted, "\(own)\n\(steward.log)")
            #expect(try lab.waitForEmptyQueue(timeout: 60), "\(lab.diagnostics())")
            #expect(try lab.waitForSink(count: 1, timeout: 10), "\(lab.diagnostics())\n\(steward.log)")
        }
    }
}

/// Sample messages, CRLF line ends, single-line headers.
enum Samples {
    static let date = "Sat, 21 Nov 2026 10:00:00 +0000"

    static func clean(id: String, from: String = EndToEndTests.Address.external,
                      to: String = EndToEndTests.Address.member) -> Data {
        let lines = [
            "From: Lab Sender <\(from)>",
            "To: Lab Recipient <\(to)>",
            "Subject: Branch meeting on Thursday (\(id))",
            "Date: \(date)",
            "Message-ID: <\(id).\(UUID().uuidString)@lab.example>",
            "MIME-Version: 1.0",
            "Content-Type: text/plain; charset=us-ascii",
            "Content-Transfer-Encoding: 7bit",
            "",
            "Hello,",
            "",
            "The branch meeting is on Thursday at 18:00 in the usual room.",
            ".A line that starts with a dot (SMTP dot-stuffing must undo itself).",
            "..Two dots.",
            "From the agenda: minutes, treasurer's report, any other business.",
            "Trailing spaces stay:   ",
            "\tA tab-indented line.",
            String(repeating: "0123456789", count: 90),
            "",
            "",
            "Regards,",
            "The lab",
        ]
        return Data((lines.joined(separator: "\r\n") + "\r\n").utf8)
    }

    /// The EICAR anti-virus test file, assembled at run time so this source file is
    /// not itself flagged by a scanner on a developer's machine.
    static var eicar: String {
        #"X5O!P%@AP[4\PZX54(P^)7CC)7}$"# + "EICAR-STANDARD-ANTIVIRUS-" + #"TEST-FILE!$H+H*"#
    }

    static func eicarAttachment(id: String, from: String = "Lab Sender <\(EndToEndTests.Address.external)>") -> Data {
        withAttachment(
            id: id, from: from, subject: "The file you asked for (\(id))", text: "Please find the file attached.",
            filename: "invoice.com", contentType: "application/octet-stream", bytes: Data(eicar.utf8))
    }

    /// A text part and a PDF-looking attachment of `bytes` deterministic pseudo-random bytes, base64.
    static func largeAttachment(id: String, bytes: Int) -> Data {
        var generator = SplitMix64(seed: 0x5EED)
        var payload = Data("%PDF-1.4\n% lab sample\n".utf8)
        while payload.count < bytes {
            withUnsafeBytes(of: generator.next()) { payload.append(contentsOf: $0) }
        }
        return withAttachment(
            id: id, subject: "Annual accounts (\(id))", text: "The accounts are attached.", filename: "accounts.pdf",
            contentType: "application/pdf", bytes: payload)
    }

    /// A message as a mail client writes it: a short text part and one base64 attachment.
    static func withAttachment(
        id: String, from: String = "Lab Sender <\(EndToEndTests.Address.external)>",
        to: String = "Lab Recipient <\(EndToEndTests.Address.member)>", subject: String, text: String,
        filename: String, contentType: String, bytes: Data
    ) -> Data {
        let boundary = "=_steward_lab_\(id)"
        let encoded = bytes.base64EncodedString(options: [.lineLength76Characters, .endLineWithCarriageReturn, .endLineWithLineFeed])
        let lines = [
            "From: \(from)",
            "To: \(to)",
            "Subject: \(subject)",
            "Date: \(date)",
            "Message-ID: <\(id).\(UUID().uuidString)@lab.example>",
            "MIME-Version: 1.0",
            "Content-Type: multipart/mixed; boundary=\"\(boundary)\"",
            "",
            "This is a multi-part message in MIME format.",
            "",
            "--\(boundary)",
            "Content-Type: text/plain; charset=us-ascii",
            "Content-Transfer-Encoding: 7bit",
            "",
            text,
            "",
            "--\(boundary)",
            "Content-Type: \(contentType); name=\"\(filename)\"",
            "Content-Disposition: attachment; filename=\"\(filename)\"",
            "Content-Transfer-Encoding: base64",
            "",
            encoded,
            "--\(boundary)--",
        ]
        return Data((lines.joined(separator: "\r\n") + "\r\n").utf8)
    }

    /// Every header line that was submitted appears, unchanged, as a line of `headers` (LF).
    static func expectHeaders(of sent: Data, in headers: Data, sourceLocation: SourceLocation = #_sourceLocation) {
        let have = Set(String(decoding: headers, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: false))
        for line in String(decoding: sent, as: UTF8.self).split(separator: "\n") {
            #expect(have.contains(line), "header line missing or changed: \(line)", sourceLocation: sourceLocation)
        }
    }
}
