import Foundation
import StewardCore
import StewardQuarantine
import StewardTestSupport
import Testing

/// The real `steward serve` driven by a real milter client (Debian's miltertest on libmilter's
/// protocol), with the shipped policy: london holds the EICAR test file, scotland rejects it.
@Suite(.serialized) struct MilterProtocolTests {
    static let outsider = "someone@example.org"
    static let london = "member@london.union.example"
    static let scotland = "member@scotland.union.example"

    /// What the store holds must be exactly what the MTA passed: headers, blank line, body.
    private func expectedRaw(_ message: SampleMessage) -> [UInt8] { message.bytes }

    @Test func cleanMessagesAreAcceptedAndHeldOnesAreStoredByteExactOnOneConnection() async throws {
        let serve = try StewardServe(policy: PackagePaths.policies, label: "proto")
        var script = MiltertestScript(socket: serve.socketPath)
        script.connect(clientName: "mx.example.org", clientAddress: "192.0.2.10")

        let clean = SampleMessage.plain(from: Self.outsider, to: Self.london, subject: "Meeting", text: "See you at 7.\n")
        script.message(from: Self.outsider, to: [Self.london], headers: clean.headers, body: clean.body, queueID: "Q1")
        script.endOfMessage(expect: "SMFIR_CONTINUE")

        let infected = SampleMessage.eicarAttachment(from: Self.outsider, to: Self.london)
        script.message(from: Self.outsider, to: [Self.london, "other@london.union.example"], headers: infected.headers, body: infected.body, queueID: "Q2")
        script.endOfMessage(expect: "SMFIR_DISCARD")

        let rejected = SampleMessage.eicarAttachment(from: Self.outsider, to: Self.scotland)
        script.message(from: Self.outsider, to: [Self.scotland], headers: rejected.headers, body: rejected.body, queueID: "Q3")
        script.endOfMessage(expect: "SMFIR_REPLYCODE")

        script.message(from: Self.outsider, to: [Self.london], headers: clean.headers, body: clean.body, queueID: "Q4")
        script.endOfMessage(expect: "SMFIR_CONTINUE")

        let result = try script.run(in: serve.directory)
        #expect(result.status == 0, "\(result.output)\(result.error)\n\(serve.log)")

        let held = try await SQLiteQuarantineStore(path: serve.storePath).list(limit: 10)
        try #require(held.count == 1, "\(serve.log)")
        #expect(held[0].envelope.queueID == "Q2")
        #expect(held[0].envelope.sender == Self.outsider)
        #expect(held[0].envelope.recipients == [Self.london, "other@london.union.example"])
        #expect(held[0].envelope.clientAddress == "192.0.2.10")
        #expect(held[0].verdict.direction == .incoming)
        #expect(held[0].verdict.findings.map(\.rule).contains("eicar-test-signature"))
        #expect(held[0].verdict.findings.allSatisfy { $0.branch == "london" })
        await #expect(try SQLiteQuarantineStore(path: serve.storePath).raw(id: held[0].id) == expectedRaw(infected))

        // One structured log line per message, with its queue id and nothing of the body.
        for queueID in ["Q1", "Q2", "Q3", "Q4"] {
            #expect(serve.log.contains("milter.queue_id=\(queueID)"))
        }
        #expect(!serve.log.contains("See you at 7"))
        #expect(serve.stop() == 0)
    }

    /// `{auth_authen}` as Postfix sends it with MAIL FROM: a login sending as an address it does not
    /// own is refused (clause 14); its own address passes; an outsider borrowing an official's
    /// name (RFC 2047-encoded, a Cyrillic А) is held.
    @Test func theSASLLoginDecidesWhoMaySendAsWhom() async throws {
        let serve = try StewardServe(policy: PackagePaths.policies, label: "impersonation")
        var script = MiltertestScript(socket: serve.socketPath)
        script.connect(clientName: "client.example.net", clientAddress: "192.0.2.10")

        let forged = SampleMessage.plain(from: "general.secretary@union.example", to: Self.outsider, subject: "Pay", text: "Pay this.\n")
        script.message(from: "general.secretary@union.example", to: [Self.outsider], headers: forged.headers, body: forged.body,
                       authUser: "clee", queueID: "I1")
        script.endOfMessage(expect: "SMFIR_REPLYCODE")

        let own = SampleMessage.plain(from: "Chris Lee <chris.lee@london.union.example>", to: Self.outsider, subject: "Minutes", text: "Below.\n")
        script.message(from: "chris.lee@london.union.example", to: [Self.outsider], headers: own.headers, body: own.body,
                       authUser: "clee", queueID: "I2")
        script.endOfMessage(expect: "SMFIR_CONTINUE")

        let borrowed = SampleMessage.plain(
            from: "=?UTF-8?B?0JBsZXggTW9yZ2Fu?= <alex.morgan@mail.example>", to: Self.london, subject: "Urgent", text: "Gift cards.\n")
        script.message(from: "alex.morgan@mail.example", to: [Self.london], headers: borrowed.headers, body: borrowed.body, queueID: "I3")
        script.endOfMessage(expect: "SMFIR_DISCARD")

        let result = try script.run(in: serve.directory)
        #expect(result.status == 0, "\(result.output)\(result.error)\n\(serve.log)")
        let held = try await SQLiteQuarantineStore(path: serve.storePath).list(limit: 10)
        try #require(held.count == 1, "\(serve.log)")
        #expect(held[0].envelope.queueID == "I3")
        #expect(held[0].verdict.findings.map(\.rule) == ["impersonation-official-name"])
        #expect(serve.stop() == 0)
    }

    @Test func anAbortMidMessageDropsItAndTheConnectionGoesOn() async throws {
        let serve = try StewardServe(policy: PackagePaths.policies, label: "abort")
        var script = MiltertestScript(socket: serve.socketPath)
        script.connect(clientName: "mx.example.org", clientAddress: "192.0.2.10")
        let infected = SampleMessage.eicarAttachment(from: Self.outsider, to: Self.london)
        script.message(from: Self.outsider, to: [Self.london], headers: infected.headers, body: infected.body, queueID: "A1")
        script.abort()
        let clean = SampleMessage.plain(from: Self.outsider, to: Self.london, subject: "Again", text: "Second try.\n")
        script.message(from: Self.outsider, to: [Self.london], headers: clean.headers, body: clean.body, queueID: "A2")
        script.endOfMessage(expect: "SMFIR_CONTINUE")

        let result = try script.run(in: serve.directory)
        #expect(result.status == 0, "\(result.output)\(result.error)\n\(serve.log)")
        await #expect(try SQLiteQuarantineStore(path: serve.storePath).list(limit: 10).isEmpty)
        #expect(!serve.log.contains("milter.queue_id=A1"), "an aborted message gets no verdict")
        #expect(serve.stop() == 0)
    }

    @Test func aLargeMessageIsSpooledToDiskJudgedAndStoredWhole() async throws {
        let serve = try StewardServe(policy: PackagePaths.policies, label: "large")
        var padding = ""
        for line in 0..<60_000 { padding += "Line \(line) of the minutes of the branch meeting, kept for the record.\n" }
        var large = SampleMessage.withAttachment(
            from: Self.outsider, to: Self.london, subject: "Minutes", filename: "minutes.txt", contentType: "text/plain",
            content: Array(padding.utf8))
        // The EICAR file after 4 MB of text: only a whole-message inspection finds it.
        let eicar = SampleMessage.eicarAttachment(from: Self.outsider, to: Self.london)
        large.body += Array("\r\n".utf8)
        large.headers = eicar.headers
        large.body = Array(padding.replacingOccurrences(of: "\n", with: "\r\n").utf8) + eicar.body
        #expect(large.bytes.count > 4_000_000)

        var script = MiltertestScript(socket: serve.socketPath)
        script.connect(clientName: "mx.example.org", clientAddress: "192.0.2.10")
        script.message(from: Self.outsider, to: [Self.london], headers: large.headers, body: large.body, queueID: "L1")
        script.endOfMessage(expect: "SMFIR_DISCARD")
        let result = try script.run(in: serve.directory, timeout: 300)
        #expect(result.status == 0, "\(result.output)\(result.error)\n\(serve.log)")

        let store = try SQLiteQuarantineStore(path: serve.storePath)
        let held = try await store.list(limit: 1)
        try #require(held.count == 1, "\(serve.log)")
        #expect(held[0].size == large.bytes.count)
        #expect(try await store.raw(id: held[0].id) == large.bytes)
        // The spool file is gone once the message is decided.
        let spooled = (try? FileManager.default.contentsOfDirectory(atPath: serve.directory.path("spool"))) ?? []
        #expect(spooled.isEmpty)
        #expect(serve.stop() == 0)
    }

    @Test func aStoreThatCannotCommitMeansTempfailNeverDiscard() throws {
        let serve = try StewardServe(policy: PackagePaths.policies, label: "storefail")
        // Make every insert fail, as a full disk or a broken database would.
        let sqlite = try Command.run(
            "/usr/bin/sqlite3",
            [serve.storePath, "CREATE TRIGGER refuse BEFORE INSERT ON held_message BEGIN SELECT RAISE(ABORT, 'disk full'); END;"])
        try #require(sqlite.status == 0, "\(sqlite.error)")

        var script = MiltertestScript(socket: serve.socketPath)
        script.connect(clientName: "mx.example.org", clientAddress: "192.0.2.10")
        let infected = SampleMessage.eicarAttachment(from: Self.outsider, to: Self.london)
        script.message(from: Self.outsider, to: [Self.london], headers: infected.headers, body: infected.body, queueID: "S1")
        script.endOfMessage(expect: "SMFIR_REPLYCODE")
        let result = try script.run(in: serve.directory)
        #expect(result.status == 0, "\(result.output)\(result.error)\n\(serve.log)")
        #expect(serve.log.contains("could not store the held message"))
        #expect(serve.stop() == 0)
    }

    @Test func serveRefusesABrokenPolicyAndAReloadKeepsTheLastGoodOne() throws {
        let work = try TemporaryDirectory("reload")
        let policy = work.url.appendingPathComponent("Policies")
        try FileManager.default.copyItem(at: PackagePaths.policies, to: policy)
        let defaultFile = policy.appendingPathComponent("default.yaml")
        let good = try String(contentsOf: defaultFile, encoding: .utf8)

        // A broken policy: serve does not start, and says which file and line.
        try (good + "\nrules: [this is: not valid\n").write(to: defaultFile, atomically: true, encoding: .utf8)
        #expect(throws: TestFailure.self) {
            _ = try StewardServe(policy: policy, label: "broken")
        }
        let lint = try Command.run(PackagePaths.stewardBinary.path, ["policy", "lint", policy.path])
        #expect(lint.status == 1)
        #expect(lint.output.contains("default.yaml:"), "\(lint.output)")

        // Start with the good policy, break it, SIGHUP: the old policy stays and mail still flows.
        try good.write(to: defaultFile, atomically: true, encoding: .utf8)
        let serve = try StewardServe(policy: policy, label: "reload")
        try (good + "\nrules: [this is: not valid\n").write(to: defaultFile, atomically: true, encoding: .utf8)
        serve.signal(SIGHUP)
        #expect(serve.waitForLog("policy reload refused"), "\(serve.log)")
        #expect(serve.isRunning)

        var script = MiltertestScript(socket: serve.socketPath)
        script.connect(clientName: "mx.example.org", clientAddress: "192.0.2.10")
        let infected = SampleMessage.eicarAttachment(from: Self.outsider, to: Self.london)
        script.message(from: Self.outsider, to: [Self.london], headers: infected.headers, body: infected.body, queueID: "R1")
        script.endOfMessage(expect: "SMFIR_DISCARD")
        let result = try script.run(in: serve.directory)
        #expect(result.status == 0, "\(result.output)\(result.error)\n\(serve.log)")
        #expect(serve.stop() == 0)
    }

    @Test func sigtermLetsTheMessageInFlightFinishBeforeExiting() async throws {
        let serve = try StewardServe(policy: PackagePaths.policies, label: "drain")
        var script = MiltertestScript(socket: serve.socketPath)
        script.connect(clientName: "mx.example.org", clientAddress: "192.0.2.10")
        let infected = SampleMessage.eicarAttachment(from: Self.outsider, to: Self.london)
        script.message(from: Self.outsider, to: [Self.london], headers: infected.headers, body: infected.body, queueID: "D1")
        // The script says when the message is in flight (its body sent, end of message not
        // yet), so SIGTERM arrives then however slowly a loaded machine starts miltertest.
        let inFlight = serve.directory.path("in-flight")
        script.raw("local marker = io.open(\"\(inFlight)\", \"w\"); marker:close()")
        script.raw("mt.sleep(3)")  // SIGTERM arrives while the message is in flight
        script.endOfMessage(expect: "SMFIR_DISCARD")

        let outcome = ScriptOutcome()
        let finished = script
        let runner = Thread {
            outcome.result = try? finished.run(in: serve.directory)
        }
        runner.start()
        #expect(TestSupport.waitUntil(timeout: 60) { FileManager.default.fileExists(atPath: inFlight) }, "miltertest never sent the message")
        serve.signal(SIGTERM)
        // A second SIGTERM once the drain has begun (an admin's repeated `kill`, and `stop`
        // below sends one more): the drain goes on; only a second SIGINT cuts it short.
        #expect(serve.waitForLog("waiting for messages in flight"), "\(serve.log)")
        serve.signal(SIGTERM)
        let status = serve.stop(timeout: 30)
        while runner.isExecuting { try await Task.sleep(for: .milliseconds(50)) }
        #expect(outcome.result?.status == 0, "\(outcome.result?.output ?? "")\(outcome.result?.error ?? "")\n\(serve.log)")
        #expect(status == 0)
        #expect(serve.log.contains("all messages in flight finished"), "\(serve.log)")
        await #expect(try SQLiteQuarantineStore(path: serve.storePath).list(limit: 10).count == 1)
    }
}

private final class ScriptOutcome: @unchecked Sendable {
    var result: CommandResult?
}
