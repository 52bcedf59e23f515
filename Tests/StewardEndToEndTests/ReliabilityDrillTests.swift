import Foundation
import StewardTestSupport
import Synchronization
import Testing

/// Issue 13's drills through a real Postfix: the store made slow or full underneath a running
/// Steward. Each checks the invariant: submitted = delivered + held + still queued + rejected,
/// every held message byte-identical to what was sent, none held twice.
@Suite(
    "Reliability drills through a private Postfix", .serialized,
    .enabled(
        if: PostfixLab.unavailableReason == nil || ProcessInfo.processInfo.environment["CI"] != nil,
        "skipped: needs root and postfix, smtp-sink, swaks, saslpasswd2, sqlite3 (run scripts/install-deps as root)"
    )
)
struct ReliabilityDrillTests {
    typealias Address = EndToEndTests.Address

    /// A value shared with a thread the test starts (a Mutex in a class: it cannot be copied).
    final class Shared<Value: Sendable>: Sendable {
        let value: Mutex<Value>
        init(_ value: Value) { self.value = Mutex(value) }
        func read() -> Value { value.withLock { $0 } }
        func update(_ change: (inout Value) -> Void) { value.withLock { change(&$0) } }
    }

    /// A submission running on a thread of its own, so the test can submit others meanwhile.
    final class PendingSubmission: Sendable {
        private let result = Shared<Result<PostfixLab.Submission, TestFailure>?>(nil)

        init(_ lab: PostfixLab, _ message: Data, to recipients: [String]) {
            let result = self.result
            let thread = Thread {
                let outcome: Result<PostfixLab.Submission, TestFailure>
                do {
                    outcome = .success(try lab.submit(message, from: Address.external, to: recipients))
                } catch {
                    outcome = .failure(TestFailure("\(error)"))
                }
                result.update { $0 = outcome }
            }
            thread.start()
        }

        var isDone: Bool { result.read() != nil }

        func wait(timeout: TimeInterval) throws -> PostfixLab.Submission {
            guard TestSupport.waitUntil(timeout: timeout, interval: 0.05, { isDone }) else {
                throw TestFailure("the submission did not finish within \(Int(timeout)) s")
            }
            return try result.read()!.get()
        }
    }

    /// Checks the drill's invariant once Postfix's queue is empty.
    static func expectInvariant(
        lab: PostfixLab, steward: StewardServe, clean: [Data], held: [Data], storePath: String? = nil
    ) throws {
        try expectInvariant(labs: [lab], clean: clean, held: held, log: steward.log) { try steward.heldMessages(storePath: storePath) }
    }

    /// The same over several mail hosts: what every lab's sink received, and the held rows of
    /// the store they share (`heldRows`, read once the queues are empty).
    static func expectInvariant(
        labs: [PostfixLab], clean: [Data], held: [Data], log: @autoclosure () -> String,
        heldRows: () throws -> [StewardServe.StoredRow]
    ) throws {
        for lab in labs { #expect(try lab.waitForEmptyQueue(timeout: 60), "\(lab.diagnostics())") }
        let sinks = { try labs.flatMap { try $0.sinkMessages() } }
        #expect(try TestSupport.waitUntil(timeout: 30, interval: 0.2) { try sinks().count >= clean.count }, "\(labs.map { $0.diagnostics() })")
        let delivered = try sinks()
        let rows = try heldRows()
        // submitted = delivered + held + still queued (0) + rejected (0)
        #expect(delivered.count + rows.count == clean.count + held.count, "delivered \(delivered.count), held \(rows.count)\n\(log())")
        #expect(rows.count == held.count, "none held twice, none lost:\n\(log())")
        for sent in held {
            let messageID = try #require(Self.messageID(of: sent))
            let copies = rows.filter { Self.messageID(of: $0.raw) == messageID }
            #expect(copies.count == 1, "\(messageID) held \(copies.count) times")
            guard let row = copies.first else { continue }
            let stored = try #require(row.raw.normalisedToLF.headerAndBodyLF)
            let original = try #require(sent.normalisedToLF.headerAndBodyLF)
            #expect(stored.body == original.body, "held body differs from the submitted body")
            Samples.expectHeaders(of: original.headers, in: stored.headers)
            #expect(row.sha256?.lowercased() == (try TestSupport.sha256Hex(row.raw)))
        }
        for sent in clean {
            let messageID = try #require(Self.messageID(of: sent))
            #expect(delivered.filter { Self.messageID(of: $0.message) == messageID }.count == 1, "\(messageID) not delivered once")
        }
    }

    /// Clean messages with an EICAR one every `heldEvery`, each with its own Message-ID.
    static func mixed(count: Int, heldEvery: Int, id: String) -> [(Data, isHeld: Bool)] {
        (1...count).map { index in
            index % heldEvery == 0
                ? (Samples.eicarAttachment(id: "\(id)-\(index)"), true) : (Samples.clean(id: "\(id)-\(index)"), false)
        }
    }

    /// A client on a thread of its own submitting `messages` one after another; the answers
    /// collect in the result as they come.
    static func submitInBackground(_ messages: [Data], to lab: PostfixLab) -> Shared<[PostfixLab.Submission]> {
        let results = Shared<[PostfixLab.Submission]>([])
        Thread {
            for message in messages {
                if let submission = try? lab.submit(message, from: Address.external, to: [Address.member]) {
                    results.update { $0.append(submission) }
                }
            }
        }.start()
        return results
    }

    static func messageID(of message: Data) -> String? {
        let text = String(decoding: message, as: UTF8.self)
        guard let range = text.range(of: "Message-ID: <") else { return nil }
        return String(text[range.upperBound...].prefix { $0 != ">" })
    }

    @Test("a locked store: held mail gets 451 by the hold deadline, clean mail flows meanwhile, the retry is held once")
    func lockedStore() throws {
        try EndToEndTests.requireLab()
        let lab = try PostfixLab(milter: .labSocket)
        defer { lab.stop() }
        let steward = try StewardServe(lab: lab, milterSettings: ["hold_deadline_seconds: 3"])
        defer { steward.stop() }

        let held = Samples.eicarAttachment(id: "drill-locked")
        // Another process holds the store's lock far longer than the deadline.
        let lock = try StoreLock(path: steward.storePath, seconds: 30)
        let started = Date()
        let pending = PendingSubmission(lab, held, to: [Address.member])

        // While the held message waits on the store, clean mail is judged and accepted.
        Thread.sleep(forTimeInterval: 0.5)
        let clean = (1...3).map { Samples.clean(id: "drill-clean-\($0)") }
        for message in clean {
            let submission = try lab.submit(message, from: Address.external, to: [Address.member])
            #expect(submission.accepted, "\(submission)\n\(steward.log)")
        }

        let first = try pending.wait(timeout: 30)
        let answeredIn = Date().timeIntervalSince(started)
        #expect(first.replyCodes.contains(451) && !first.accepted, "\(first)\n\(steward.log)")
        // By the deadline, not the lock's end (nor the 10 s a lock was once waited for).
        #expect(answeredIn >= 2.5 && answeredIn < 8, "answered after \(answeredIn) s; deadline 3 s, lock 30 s")
        // The clean mail is delivered while the store is still locked.
        #expect(try lab.waitForSink(count: clean.count, timeout: 20), "\(lab.diagnostics())")
        #expect(lock.isHeld, "the lock ended before the clean mail was delivered")
        #expect(steward.log.contains("quarantine store too slow"), "\(steward.log)")
        #expect(steward.isRunning)

        lock.release()
        #expect(try steward.heldMessages().isEmpty, "the hold after the deadline was not rolled back")

        // The client retries once the store is free: held. Retries after that: recognised.
        for attempt in 1...2 {
            let retry = try lab.submit(held, from: Address.external, to: [Address.member])
            #expect(!retry.tempFailed && !retry.permanentlyFailed, "attempt \(attempt): \(retry)\n\(steward.log)")
        }
        #expect(steward.log.contains("a retry of a message already held"), "\(steward.log)")
        try Self.expectInvariant(lab: lab, steward: steward, clean: clean, held: [held])
    }

    @Test("a full disk under the store: held mail gets 451, Steward keeps running, clean mail flows, the retry is held once")
    func fullDisk() throws {
        try EndToEndTests.requireLab()
        let lab = try PostfixLab(milter: .labSocket)
        defer { lab.stop() }
        let disk = try SmallDisk(megabytes: 2, at: lab.directory.appendingPathComponent("store-disk"))
        defer { disk.unmount() }
        let storePath = disk.path + "/quarantine.sqlite"
        let steward = try StewardServe(lab: lab, extraConfig: "store:\n  sqlite: \(storePath)")
        defer { steward.stop() }

        let warmUp = Samples.eicarAttachment(id: "drill-disk-first")
        #expect(!(try lab.submit(warmUp, from: Address.external, to: [Address.member])).tempFailed, "\(steward.log)")
        // The disk is below the free-space floor (200 MB by default) from the start: warned.
        #expect(steward.waitForLog("free disk space below the floor", timeout: 10), "\(steward.log)")
        try disk.fill()

        let held = Samples.eicarAttachment(id: "drill-disk-full")
        let refused = try lab.submit(held, from: Address.external, to: [Address.member])
        #expect(refused.replyCodes.contains(451) && !refused.accepted, "\(refused)\n\(steward.log)")
        #expect(steward.isRunning, "steward died with a full disk under its store:\n\(steward.log)")
        let clean = [Samples.clean(id: "drill-disk-clean")]
        #expect(try lab.submit(clean[0], from: Address.external, to: [Address.member]).accepted, "\(steward.log)")

        disk.emptyFiller()
        for attempt in 1...2 {
            let retry = try lab.submit(held, from: Address.external, to: [Address.member])
            #expect(!retry.tempFailed, "attempt \(attempt): \(retry)\n\(steward.log)")
        }
        try Self.expectInvariant(lab: lab, steward: steward, clean: clean, held: [warmUp, held], storePath: storePath)
    }
}

extension ReliabilityDrillTests {
    @Test("SIGKILL mid-load: Postfix answers 451 while Steward is down, and after a restart every message is delivered or held once")
    func killMidLoad() throws {
        try EndToEndTests.requireLab()
        let lab = try PostfixLab(milter: .labSocket)
        defer { lab.stop() }
        let first = try StewardServe(lab: lab)
        defer { first.stop() }

        let messages = Self.mixed(count: 8, heldEvery: 2, id: "drill-kill")
        // The client: submits them one after another on its own thread; Steward is killed after two.
        let results = Self.submitInBackground(messages.map(\.0), to: lab)
        #expect(TestSupport.waitUntil(timeout: 60, interval: 0.02) { results.read().count >= 2 })
        first.signal(SIGKILL)
        #expect(TestSupport.waitUntil(timeout: 120, interval: 0.1) { results.read().count == messages.count })
        let answers = results.read()
        #expect(answers.contains { $0.tempFailed }, "nothing was deferred while Steward was down")
        #expect(!answers.contains { $0.permanentlyFailed }, "a message was refused: \(answers)")

        // Restarted on the same store; the client retries what was deferred (twice at most).
        let second = try StewardServe(lab: lab)
        defer { second.stop() }
        #expect(TestSupport.waitUntil(timeout: 30, interval: 0.05) { second.log.components(separatedBy: "steward listening").count >= 3 })
        for (index, answer) in answers.enumerated() where answer.tempFailed {
            var retry = try lab.submit(messages[index].0, from: Address.external, to: [Address.member])
            if retry.tempFailed { retry = try lab.submit(messages[index].0, from: Address.external, to: [Address.member]) }
            #expect(!retry.tempFailed && !retry.permanentlyFailed, "\(retry)\n\(second.log)")
        }
        try Self.expectInvariant(
            lab: lab, steward: second, clean: messages.filter { !$0.isHeld }.map(\.0), held: messages.filter(\.isHeld).map(\.0))
    }

    /// As root nothing is unwritable by permissions alone; here the store's journal cannot be
    /// created (a directory stands where SQLite writes it), so every write fails as it would on
    /// a file the process may not write.
    @Test("an unwritable store: held mail gets 451, Steward keeps running, clean mail flows, the retry is held once")
    func unwritableStore() throws {
        try EndToEndTests.requireLab()
        let lab = try PostfixLab(milter: .labSocket)
        defer { lab.stop() }
        let steward = try StewardServe(lab: lab)
        defer { steward.stop() }
        let journal = steward.storePath + "-journal"

        try? FileManager.default.removeItem(atPath: journal)
        try FileManager.default.createDirectory(atPath: journal, withIntermediateDirectories: false)
        let held = Samples.eicarAttachment(id: "drill-unwritable")
        let refused = try lab.submit(held, from: Address.external, to: [Address.member])
        #expect(refused.replyCodes.contains(451) && !refused.accepted, "\(refused)\n\(steward.log)")
        #expect(steward.isRunning, "steward died with its store unwritable:\n\(steward.log)")
        let clean = [Samples.clean(id: "drill-unwritable-clean")]
        #expect(try lab.submit(clean[0], from: Address.external, to: [Address.member]).accepted, "\(steward.log)")

        try FileManager.default.removeItem(atPath: journal)
        for attempt in 1...2 {
            let retry = try lab.submit(held, from: Address.external, to: [Address.member])
            #expect(!retry.tempFailed, "attempt \(attempt): \(retry)\n\(steward.log)")
        }
        try Self.expectInvariant(lab: lab, steward: steward, clean: clean, held: [held])
    }

    @Test("once sendmail has run, no thread but the main one can take SIGHUP or SIGTERM, and a reload after it keeps Steward up")
    func signalsStayWithTheMainThreadAfterSendmail() throws {
        try EndToEndTests.requireLab()
        let lab = try PostfixLab(milter: .labSocket)
        defer { lab.stop() }
        let steward = try StewardServe(lab: lab)
        defer { steward.stop() }
        // A held message: the official's notice goes out through Postfix's sendmail, run by
        // swift-subprocess, whose child-monitor thread then waits in epoll_pwait.
        let held = SampleMessage.eicarAttachment(from: Address.external, to: Address.member)
        #expect(try lab.submit(Data(held.bytes), from: Address.external, to: [Address.member]).accepted)
        #expect(try lab.waitForSink(count: 1, includingNotices: true, timeout: 60), "the notice:\n\(steward.log)")
        // SigBlk of every thread: SIGHUP is bit 0, SIGTERM bit 14. The main thread alone may show
        // them open (it takes them in sigwaitinfo, which opens what it waits for).
        let threads = try FileManager.default.contentsOfDirectory(atPath: "/proc/\(steward.pid)/task").filter { $0 != "\(steward.pid)" }
        #expect(threads.count > 3)
        for thread in threads {
            guard let status = try? String(contentsOfFile: "/proc/\(steward.pid)/task/\(thread)/status", encoding: .utf8),
                let line = status.split(separator: "\n").first(where: { $0.hasPrefix("SigBlk:") }),
                let blocked = UInt64(line.dropFirst("SigBlk:".count).trimmingCharacters(in: .whitespaces), radix: 16)
            else { continue }  // the thread ended meanwhile
            let name = (try? String(contentsOfFile: "/proc/\(steward.pid)/task/\(thread)/comm", encoding: .utf8)) ?? "?"
            #expect(blocked & (1 << 0) != 0 && blocked & (1 << 14) != 0, "thread \(thread) (\(name)) can take SIGHUP or SIGTERM: SigBlk \(line)")
        }
        for _ in 1...20 {
            steward.signal(SIGHUP)
            Thread.sleep(forTimeInterval: 0.01)
        }
        #expect(TestSupport.waitUntil(timeout: 10) { steward.log.components(separatedBy: "policy reloaded").count > 1 })
        #expect(steward.isRunning, "status \(steward.exitStatus.map(String.init) ?? "-"):\n\(steward.log)")
    }

    @Test("a reload storm: 50 policy reloads while mail flows; nothing lost, none refused, none held twice")
    func reloadStorm() throws {
        try EndToEndTests.requireLab()
        let lab = try PostfixLab(milter: .labSocket)
        defer { lab.stop() }
        let steward = try StewardServe(lab: lab)
        defer { steward.stop() }

        let messages = Self.mixed(count: 16, heldEvery: 4, id: "drill-reload")
        let results = Self.submitInBackground(messages.map(\.0), to: lab)
        // 50 SIGHUPs, 40 ms apart, while the client submits (bounded: 50 signals).
        for _ in 1...50 {
            steward.signal(SIGHUP)
            Thread.sleep(forTimeInterval: 0.04)
        }
        #expect(TestSupport.waitUntil(timeout: 120, interval: 0.1) { results.read().count == messages.count }, "\(steward.log)")
        let answers = results.read()
        #expect(!answers.contains { $0.tempFailed || $0.permanentlyFailed }, "a reload cost a message its answer: \(answers)\n\(steward.log)")
        #expect(steward.isRunning, "steward died in the reload storm (status \(steward.exitStatus.map(String.init) ?? "-"); 128 + N is signal N):\n\(steward.log)")
        // Signals that arrive during a reload may be taken together; many reloads still happen.
        let reloads = steward.log.components(separatedBy: "policy reloaded").count - 1
        #expect(reloads >= 5, "only \(reloads) reloads for 50 SIGHUPs")
        try Self.expectInvariant(
            lab: lab, steward: steward, clean: messages.filter { !$0.isHeld }.map(\.0), held: messages.filter(\.isHeld).map(\.0))
    }

    @Test("duplicate releases: six officials' release commands at once deliver the message exactly once")
    func duplicateRelease() throws {
        try EndToEndTests.requireLab()
        let lab = try PostfixLab(milter: .labSocket)
        defer { lab.stop() }
        let steward = try StewardServe(lab: lab)
        defer { steward.stop() }

        let message = Samples.eicarAttachment(id: "drill-duplicate-release")
        #expect(try lab.submit(message, from: Address.external, to: [Address.member]).accepted, "\(steward.log)")
        #expect(try lab.waitForEmptyQueue(timeout: 60))
        let held = try steward.heldMessages()
        try #require(held.count == 1, "\(steward.log)")
        let id = String(held[0].id)

        // Six processes, each its own connection to the store, as six officials' clicks would be.
        let outcomes = Shared<[CommandResult]>([])
        let threads = (1...6).map { index in
            Thread {
                if let result = try? steward.command(["quarantine", "release", id, "--reason", "drill \(index)", "--actor", "sam.okafor"]) {
                    outcomes.update { $0.append(result) }
                }
            }
        }
        threads.forEach { $0.start() }
        #expect(TestSupport.waitUntil(timeout: 120, interval: 0.05) { outcomes.read().count == 6 })
        let results = outcomes.read()
        #expect(results.filter { $0.status == 0 }.count == 1, "\(results.map { "\($0.status) \($0.error)" })")
        for refused in results where refused.status != 0 {
            #expect(refused.status == 1 && refused.error.contains("released"), "\(refused.status): \(refused.error)")
        }
        #expect(try lab.waitForEmptyQueue(timeout: 60), "\(lab.diagnostics())")
        #expect(try lab.waitForSink(count: 1, timeout: 30))
        Thread.sleep(forTimeInterval: 1)
        #expect(try lab.sinkMessages().count == 1, "delivered more than once")
        let trail = try steward.command(["audit", "list", "--message", id])
        #expect(trail.output.components(separatedBy: "release-delivered").count == 2, "\(trail.output)")
        #expect(trail.output.components(separatedBy: " release #\(id) ").count == 2, "one release on the trail:\n\(trail.output)")
        #expect(try steward.command(["audit", "verify"]).status == 0)
    }
}

/// A tmpfs of a few megabytes, mounted for one test (root), that can be filled to the last byte.
final class SmallDisk {
    let path: String
    private var mounted = false
    private var filler: String { path + "/filler" }

    init(megabytes: Int, at url: URL) throws {
        path = url.path
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        let result = try Command.run("mount", ["-t", "tmpfs", "-o", "size=\(megabytes)m,mode=0755", "tmpfs", path], combineOutput: true)
        guard result.succeeded else { throw TestFailure("cannot mount a tmpfs at \(path): \(result.output)") }
        mounted = true
    }

    deinit { unmount() }

    /// Fills every free block (dd stops at ENOSPC).
    func fill() throws {
        _ = try Command.run("dd", ["if=/dev/zero", "of=\(filler)", "bs=4k"], timeout: 30, combineOutput: true)
        let df = try Command.run("df", ["--output=avail", "-B1", path])
        let free = Int(df.output.split(separator: "\n").last.map { $0.trimmingCharacters(in: .whitespaces) } ?? "") ?? -1
        guard free >= 0 && free < 4096 else { throw TestFailure("the small disk still has \(free) bytes free") }
    }

    func emptyFiller() {
        try? FileManager.default.removeItem(atPath: filler)
    }

    func unmount() {
        guard mounted else { return }
        mounted = false
        _ = try? Command.run("umount", ["-l", path], timeout: 30)
    }
}
