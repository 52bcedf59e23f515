import Foundation
import StewardCore
import StewardQuarantine
import StewardTestSupport
import Testing

/// A message held twice (issue 13): the MTA gave up waiting, told the client 451, the hold
/// committed anyway and the client's retry was held again. A retry is recognised by its
/// Message-ID and its bytes without the MTA's own (topmost) Received header.
@Suite struct HoldRetryTests {
    /// The same message as the MTA passes it on two attempts: each attempt gets a new topmost
    /// Received header (queue id, time), the rest is what the client sent.
    static func attempt(_ queueID: String, body: String = "The minutes.", messageID: String? = "<m1@client.example>") -> [UInt8] {
        var lines = [
            "Received: from client.example (client.example [192.0.2.7])",
            "\tby mx.union.example (Postfix) with ESMTP id \(queueID)",
            "\tfor <b@london.union.example>; Thu,  3 Dec 2026 14:\(queueID.count)0:00 +0000 (UTC)",
            "Received: from laptop by client.example; Thu, 3 Dec 2026 13:59:00 +0000",
            "From: a@client.example",
        ]
        if let messageID { lines.append("Message-Id:\r\n \(messageID)") }
        lines += ["Subject: Minutes", "", body]
        return Array((lines.joined(separator: "\r\n") + "\r\n").utf8)
    }

    // MARK: The key

    @Test func theKeyIgnoresTheTopmostReceivedHeaderOnly() throws {
        let first = try #require(HoldRetryKey(raw: Self.attempt("4AB1")))
        let retry = try #require(HoldRetryKey(raw: Self.attempt("7QZ9XY")))
        #expect(first == retry)
        #expect(first.messageID == "<m1@client.example>")  // folded value, unfolded and trimmed

        // Anything else that differs makes it another message.
        #expect(HoldRetryKey(raw: Self.attempt("4AB1", body: "Other minutes.")) != first)
        #expect(HoldRetryKey(raw: Self.attempt("4AB1", messageID: "<m2@client.example>")) != first)
        var otherHop = Self.attempt("4AB1")
        let secondReceived = try #require(otherHop.firstRange(of: Array("by client.example".utf8)))
        otherHop.replaceSubrange(secondReceived, with: Array("by relay.example".utf8))
        #expect(HoldRetryKey(raw: otherHop) != first)
    }

    @Test func withoutAMessageIDThereIsNothingToRecogniseARetryBy() {
        #expect(HoldRetryKey(raw: Self.attempt("4AB1", messageID: nil)) == nil)
        #expect(HoldRetryKey(raw: Self.attempt("4AB1", messageID: "")) == nil)
    }

    @Test func theKeyIsReadFromTheHeadersNotTheBody() {
        let raw = Array("Subject: x\r\n\r\nMessage-ID: <in-body@example>\r\n".utf8)
        #expect(HoldRetryKey(raw: raw) == nil)
    }

    // MARK: The rule

    @Test func aRetryIsTheSameSenderToRecipientsTheHeldCopyCoversWithinTheWindow() {
        let now = Date()
        let held = HoldRetryCandidate(
            id: 7, heldAt: now.addingTimeInterval(-600), sender: "a@client.example",
            recipients: ["b@london.union.example", "c@london.union.example"])
        func original(_ recipients: [String], sender: String = "A@client.example", window: TimeInterval = 3600) -> Int64? {
            HoldRetry.original(of: sender, recipients: recipients, at: now, window: window, among: [held])?.id
        }
        #expect(original(["b@london.union.example", "c@london.union.example"]) == 7)
        #expect(original(["C@london.union.example"]) == 7)  // a subset: the held copy reaches them
        #expect(original(["b@london.union.example", "d@london.union.example"]) == nil)  // d would be lost
        #expect(original(["b@london.union.example"], sender: "x@client.example") == nil)
        #expect(original(["b@london.union.example"], window: 300) == nil)  // held 10 minutes ago
    }

    // MARK: In the store, both backends

    static func newHold(_ raw: [UInt8], recipients: [String] = ["b@london.union.example"], heldAt: Date = Date(), window: TimeInterval? = 3600) -> NewHold {
        NewHold(
            envelope: Envelope(sender: "a@client.example", recipients: recipients, queueID: "Q1"),
            verdict: Verdict(action: .quarantine, direction: .incoming, branches: ["london"], findings: []),
            raw: raw, heldAt: heldAt, retryWindow: window)
    }

    @Test(arguments: StoreBackend.allCases)
    func aRetryIsAnsweredWithTheEarlierHoldAndNotStoredAgain(backend: StoreBackend) async throws {
        let store = try await backend.make()
        let first = try await store.holdOnce(Self.newHold(Self.attempt("4AB1")), actor: "steward")
        #expect(!first.isRetry)
        let retry = try await store.holdOnce(Self.newHold(Self.attempt("7QZ9XY")), actor: "steward")
        #expect(retry == HoldOutcome(id: first.id, isRetry: true))
        #expect(try await store.list(limit: 10).map(\.id) == [first.id])
        #expect(try await store.auditTrail(messageID: first.id).filter { $0.entry.action == .hold }.count == 1)
        // The held bytes are the first attempt's, untouched.
        #expect(try await store.raw(id: first.id) == Self.attempt("4AB1"))

        // Another recipient, an expired window, or no window at all: held on its own.
        await #expect(try !store.holdOnce(Self.newHold(Self.attempt("8C"), recipients: ["d@london.union.example"]), actor: "steward").isRetry)
        await #expect(try !store.holdOnce(Self.newHold(Self.attempt("9D"), heldAt: Date().addingTimeInterval(7200)), actor: "steward").isRetry)
        await #expect(try !store.holdOnce(Self.newHold(Self.attempt("9E"), window: nil), actor: "steward").isRetry)
        #expect(try await store.list(limit: 10).count == 4)
    }

    @Test(arguments: StoreBackend.allCases)
    func aHoldPastItsDeadlineIsRolledBack(backend: StoreBackend) async throws {
        let store = try await backend.make()
        var late = Self.newHold(Self.attempt("4AB1"))
        late.deadline = Date().addingTimeInterval(-0.001)
        await #expect {
            _ = try await store.holdOnce(late, actor: "steward")
        } throws: { ($0 as? QuarantineError)?.code == .timedOut }
        #expect(try await store.list(limit: 10).isEmpty)
        #expect(try await store.auditTrail(messageID: nil).isEmpty)
        #expect(try await store.pendingNotices().isEmpty)
        // And the same message with time to spare is held (it is not mistaken for a retry).
        late.deadline = Date().addingTimeInterval(10)
        await #expect(try !store.holdOnce(late, actor: "steward").isRetry)
    }

    /// Another process holds the SQLite lock for longer than the deadline: the hold gives up at
    /// its deadline (not the lock's end), nothing is stored, and once the lock is gone it works.
    @Test func aLockedSQLiteStoreAnswersByTheDeadline() async throws {
        guard Command.exists("sqlite3") else { throw TestFailure("sqlite3 is missing: run scripts/install-deps") }
        let path = FileManager.default.temporaryDirectory
            .appendingPathComponent("steward-locked-\(UUID().uuidString)/quarantine.sqlite").path
        let store = try SQLiteQuarantineStore(path: path)
        let lock = try StoreLock(path: path, seconds: 8)
        var hold = Self.newHold(Self.attempt("4AB1"))
        hold.deadline = Date().addingTimeInterval(1)
        let (outcome, waited) = await MilterThreads.holdOnce(hold, in: store)
        #expect(throws: QuarantineError.self) { try outcome.get() }
        if case .failure(let error) = outcome { #expect(error.code == .timedOut, "\(error)") }
        #expect(waited >= 0.9 && waited < 3, "waited \(waited) s for a 1 s deadline")
        lock.release()
        #expect(try await store.list(limit: 10).isEmpty)
        hold.deadline = Date().addingTimeInterval(5)
        await #expect(try !store.holdOnce(hold, actor: "steward").isRetry)
        #expect(try await store.list(limit: 10).count == 1)
    }

    /// The rollback journal: no `-shm` file is ever mapped, so an unwritable or full filesystem
    /// is an error SQLite returns (451 for the message), never SIGBUS in the milter.
    @Test func theSQLiteStoreMapsNoSharedMemoryFile() async throws {
        let path = FileManager.default.temporaryDirectory
            .appendingPathComponent("steward-journal-\(UUID().uuidString)/quarantine.sqlite").path
        let store = try SQLiteQuarantineStore(path: path)
        _ = try await store.holdOnce(Self.newHold(Self.attempt("4AB1")), actor: "steward")
        #expect(!FileManager.default.fileExists(atPath: path + "-shm"))
        #expect(!FileManager.default.fileExists(atPath: path + "-wal"))
        let mode = try Command.run("sqlite3", [path, "PRAGMA journal_mode"])
        #expect(mode.output.trimmingCharacters(in: .whitespacesAndNewlines) == "delete")  // per connection; file is not WAL
        // Another process reads while this one has the store open (the CLI, `steward review`).
        let count = try Command.run("sqlite3", ["-readonly", path, "SELECT COUNT(*) FROM held_message"])
        #expect(count.output.trimmingCharacters(in: .whitespacesAndNewlines) == "1", "\(count.error)")
    }

    /// A store an earlier Steward left in WAL mode is switched to the rollback journal when it
    /// is opened, its holds kept.
    @Test func aStoreInWALModeIsSwitchedWhenOpened() async throws {
        let path = FileManager.default.temporaryDirectory
            .appendingPathComponent("steward-wal-\(UUID().uuidString)/quarantine.sqlite").path
        do {
            let store = try SQLiteQuarantineStore(path: path)
            _ = try await store.holdOnce(Self.newHold(Self.attempt("4AB1")), actor: "steward")
        }
        let wal = try Command.run("sqlite3", [path, "PRAGMA journal_mode = WAL"])
        #expect(wal.output.trimmingCharacters(in: .whitespacesAndNewlines) == "wal")
        let reopened = try SQLiteQuarantineStore(path: path)
        await #expect(try reopened.list(limit: 10).count == 1)
        let mode = try Command.run("sqlite3", [path, "PRAGMA journal_mode"])
        #expect(mode.output.trimmingCharacters(in: .whitespacesAndNewlines) == "delete", "still \(mode.output)")
        #expect(!FileManager.default.fileExists(atPath: path + "-shm"))
    }
}
