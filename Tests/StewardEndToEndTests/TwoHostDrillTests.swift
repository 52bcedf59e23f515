import Dispatch
import Foundation
import StewardTestSupport
import Synchronization
import Testing

/// Several mail hosts, one quarantine (issue 13): two `steward serve` processes, each with its
/// own config, milter socket, spool, review port and private Postfix, sharing one private
/// PostgreSQL, the release secret and the audit key. Each hands what it sends (notices,
/// releases) to the other's Postfix, as a submission host relays through an MX, so a release
/// started on one host arrives through the other.
final class TwoHosts {
    let postgres: PostgresLab
    let database: String
    let labs: [PostfixLab]
    let hosts: [StewardServe]
    let reviewPorts: [Int]
    private let keys: TemporaryDirectory

    init(postgres: PostgresLab) throws {
        self.postgres = postgres
        database = try postgres.createDatabase()
        labs = [try PostfixLab(milter: .labSocket), try PostfixLab(milter: .labSocket)]
        // The keys every host sharing the quarantine must have: made once, copied to each.
        keys = try TemporaryDirectory("keys", mode: 0o700)
        var generator = SystemRandomNumberGenerator()
        for name in ["release.key", "audit.key"] {
            try Data((0..<32).map { _ in UInt8.random(in: 0...255, using: &generator) }).write(to: keys.url.appendingPathComponent(name))
        }
        let ports = [try TestSupport.freeLoopbackPort(), try TestSupport.freeLoopbackPort()]
        reviewPorts = ports
        let (labs, keys, store) = (labs, keys, postgres.storeConfig(database: database))
        // Both started at once on the new database, as two hosts coming up together.
        let started = Mutex<[Int: Result<StewardServe, any Error>]>([:])
        DispatchQueue.concurrentPerform(iterations: 2) { index in
            let host = Result {
                try StewardServe(
                    lab: labs[index], extraConfig: store + "\nreview:\n  listen: 127.0.0.1:\(ports[index])\n",
                    notifySettings: ["digest_minutes: 0"], mtaLab: labs[1 - index], keysFrom: keys.url)
            }
            started.withLock { $0[index] = host }
        }
        hosts = try started.withLock { results in try (0..<2).map { try results[$0]!.get() } }
    }

    func stop() {
        for host in hosts { host.stop() }
        for lab in labs { lab.stop() }
    }

    var log: String { hosts.enumerated().map { "--- host \($0.offset + 1)\n\($0.element.log)" }.joined(separator: "\n") }

    func heldRows() throws -> [StewardServe.StoredRow] { try postgres.heldMessages(database: database) }

    /// The result of `statement`, one line a row.
    func sql(_ statement: String) throws -> [String] {
        try postgres.sql(statement, database: database).split(separator: "\n").map(String.init)
    }

    /// Every notice the store queued, as "recipient #message", sorted.
    func noticesQueued() throws -> [String] {
        try sql("SELECT recipient || ' #' || message_id FROM notice").sorted()
    }

    /// Every notice that reached either sink, as "recipient #message" (one per message a
    /// digest lists), sorted: a notice sent twice shows twice.
    func noticesDelivered() throws -> [String] {
        var found: [String] = []
        for lab in labs {
            for mail in try lab.sinkMessages(includingNotices: true) where mail.isStewardNotice {
                let recipients = mail.envelope.filter { $0.hasPrefix("X-Rcpt-Args:") }.compactMap { line -> String? in
                    guard let open = line.firstIndex(of: "<"), let close = line[open...].firstIndex(of: ">") else { return nil }
                    return String(line[line.index(after: open)..<close])
                }
                for line in String(decoding: mail.body, as: UTF8.self).split(whereSeparator: \.isNewline) where line.hasPrefix("Message #") {
                    let id = line.dropFirst("Message #".count).prefix { $0.isNumber }
                    found += recipients.map { "\($0) #\(id)" }
                }
            }
        }
        return found.sorted()
    }

    /// Bounded wait until no notice is left to send, and both queues are empty again.
    func waitForNotices(timeout: TimeInterval = 60) throws -> Bool {
        let sent = try TestSupport.waitUntil(timeout: timeout, interval: 0.5) {
            try sql("SELECT COUNT(*) FROM notice WHERE sent_at_ms IS NULL") == ["0"]
        }
        return try sent && labs.allSatisfy { try $0.waitForEmptyQueue(timeout: 60) }
    }
}

extension ReliabilityDrillTests {
    typealias Mixed = [(Data, isHeld: Bool)]
    static let outside = "dave@supplier.example"

    /// `messages` dealt to the two labs in turn.
    static func dealt(_ messages: Mixed) -> [Mixed] {
        [messages.enumerated().filter { $0.offset % 2 == 0 }.map(\.element), messages.enumerated().filter { $0.offset % 2 == 1 }.map(\.element)]
    }

    /// The held row of the message with this one's Message-ID.
    static func row(of message: Data, in rows: [StewardServe.StoredRow]) -> StewardServe.StoredRow? {
        rows.first { messageID(of: $0.raw) == messageID(of: message) }
    }

    @Test("two hosts on one PostgreSQL under mixed load: each notice sent once, a release from one host passes the other once, a purge from both at once removes and audits each message once, one audit chain")
    func twoHostsOneQuarantine() async throws {
        try EndToEndTests.requireLab()
        let two = try TwoHosts(postgres: try PostgresLab.shared.get())
        defer { two.stop() }
        let (labs, hosts) = (two.labs, two.hosts)
        // Both review apps answer, each on its own port, over the one store.
        for port in two.reviewPorts {
            var answer: (status: Int, text: String)?
            for _ in 0..<60 where answer == nil {  // the app starts after the milter: up to 30 s
                answer = try? await EndToEndTests.Metrics.fetch("http://127.0.0.1:\(port)/login")
                if answer == nil { try await Task.sleep(for: .milliseconds(500)) }
            }
            #expect(answer?.status == 200 && answer?.text.contains("login-form") == true, "review app on \(port): \(String(describing: answer?.status))")
        }

        // 120 messages, every fifth held, 60 to each host at once.
        let messages = Self.mixed(count: 120, heldEvery: 5, id: "drill-hosts")
        let perLab = Self.dealt(messages)
        let answers = (0..<2).map { Self.submitInBackground(perLab[$0].map(\.0), to: labs[$0]) }
        #expect(TestSupport.waitUntil(timeout: 240, interval: 0.2) { (0..<2).allSatisfy { answers[$0].read().count == perLab[$0].count } },
                "\(answers.map { $0.read().count }) of \(perLab.map(\.count)) answered\n\(two.log)")
        // One message through both hosts at once (a sender's retry reaching the other MX): held once.
        let twice = Samples.eicarAttachment(id: "drill-hosts-both")
        let first = PendingSubmission(labs[0], twice, to: [Address.member])
        let second = try labs[1].submit(twice, from: Address.external, to: [Address.member])
        let all = answers.flatMap { $0.read() } + [try first.wait(timeout: 90), second]
        let refused = all.filter { !$0.accepted }
        #expect(refused.isEmpty, "\(refused)\n\(two.log)")
        #expect(two.log.contains("a retry of a message already held"), "\(two.log)")
        try Self.expectInvariant(
            labs: labs, clean: messages.filter { !$0.isHeld }.map(\.0), held: messages.filter(\.isHeld).map(\.0) + [twice], log: two.log,
            heldRows: two.heldRows)
        for host in hosts { #expect(host.log.contains("message.action=quarantine"), "\(host.configPath) held nothing:\n\(host.log)") }

        // Every notice once in total, though both hosts' notice loops ran throughout.
        #expect(try two.waitForNotices(), "\(two.log)")
        let queued = try two.noticesQueued()
        #expect(queued.count >= messages.filter(\.isHeld).count, "\(queued)")
        let notices = try two.noticesDelivered()
        #expect(notices == queued, "notices sent more or less than once:\n\(notices)\nqueued:\n\(queued)")

        // A release started on each host: its marked copy enters through the other host's
        // Postfix, passes that host's Steward once (the same secret), and arrives once.
        let rows = try two.heldRows()
        for (index, host) in hosts.enumerated() {
            let message = try #require(perLab[index].first { $0.isHeld }?.0)
            let id = String(try #require(Self.row(of: message, in: rows)).id)
            let release = try host.command(["quarantine", "release", id, "--reason", "drill: a known supplier", "--actor", "sam.okafor"])
            #expect(release.status == 0, "\(release.output)\(release.error)\n\(two.log)")
            // The other host, asked to release it again, refuses: one release across hosts.
            let again = try hosts[1 - index].command(["quarantine", "release", id, "--reason", "drill: again", "--actor", "sam.okafor"])
            #expect(again.status == 1 && again.error.contains("released"), "\(again.status): \(again.error)")
            let other = labs[1 - index]
            #expect(try TestSupport.waitUntil(timeout: 60, interval: 0.2) {
                try other.sinkMessages().contains { Self.messageID(of: $0.message) == Self.messageID(of: message) }
            }, "\(other.diagnostics())\n\(two.log)")
            #expect(hosts[1 - index].log.split(separator: "\n").contains { $0.contains("released message delivered") && $0.contains("quarantine.id=\(id)") },
                    "the copy did not pass the other host's Steward:\n\(hosts[1 - index].log)")
            let trail = try host.command(["audit", "list", "--message", id]).output
            #expect(trail.components(separatedBy: " release #\(id) ").count == 2, "\(trail)")
            #expect(trail.components(separatedBy: "release-delivered").count == 2, "\(trail)")
        }
        for lab in labs { #expect(try lab.waitForEmptyQueue(timeout: 60), "\(lab.diagnostics())") }
        let delivered = try labs.flatMap { try $0.sinkMessages() }
        #expect(delivered.count == messages.filter { !$0.isHeld }.count + 2, "a release delivered twice, or a copy held again:\n\(two.log)")
        #expect(try two.heldRows().filter { $0.state == "held" }.count == messages.filter(\.isHeld).count + 1 - 2)

        // Retention run from both hosts at once: each message removed once, one entry each.
        let before = try two.heldRows().map(\.id)
        let outcomes = Shared<[CommandResult]>([])
        for host in hosts {
            Thread {
                if let result = try? host.command(["quarantine", "purge", "--older-than", "0"], timeout: 120) { outcomes.update { $0.append(result) } }
            }.start()
        }
        #expect(TestSupport.waitUntil(timeout: 150, interval: 0.1) { outcomes.read().count == 2 })
        let purges = outcomes.read()
        #expect(purges.allSatisfy { $0.status == 0 }, "\(purges.map { "\($0.status) \($0.output) \($0.error)" })")
        let removed = purges.flatMap { result in
            result.output.split(separator: "#").dropFirst().compactMap { Int($0.prefix { $0.isNumber }) }
        }
        #expect(removed.sorted() == before.sorted(), "removed \(removed.sorted()), held \(before.sorted())")
        #expect(try two.heldRows().isEmpty)
        #expect(try two.sql("SELECT COUNT(*), COUNT(DISTINCT message_id) FROM audit_entry WHERE action = 'purge'") == ["\(before.count)|\(before.count)"])

        // One chain, whichever host wrote each entry, verified from each host.
        #expect(try two.sql("SELECT COUNT(*) = MAX(sequence) FROM audit_entry") == ["t"])
        for host in hosts {
            let verify = try host.command(["audit", "verify"])
            #expect(verify.status == 0, "\(verify.output)\(verify.error)")
        }
        for host in hosts { #expect(host.isRunning) }
    }
}

extension ReliabilityDrillTests {
    @Test("PostgreSQL restarted under two hosts mid-load: held mail gets 451 or waits in Postfix's queue, clean mail flows, both hosts recover without a restart; nothing lost, none held twice")
    func postgresRestartUnderTwoHosts() throws {
        try EndToEndTests.requireLab()
        let postgres = try PostgresLab()  // its own server: this drill stops it
        defer { postgres.stop() }
        let two = try TwoHosts(postgres: postgres)
        defer { two.stop() }
        let (labs, hosts) = (two.labs, two.hosts)

        // 40 messages, every fourth held, 20 to each host at once; the server stops after 8 answers.
        let messages = Self.mixed(count: 40, heldEvery: 4, id: "drill-restart")
        let perLab = Self.dealt(messages)
        let answers = (0..<2).map { Self.submitInBackground(perLab[$0].map(\.0), to: labs[$0]) }
        #expect(TestSupport.waitUntil(timeout: 120, interval: 0.05) { answers.reduce(0) { $0 + $1.read().count } >= 8 }, "\(two.log)")
        postgres.stop(mode: "fast")

        // While it is down, on each host: a held message over SMTP is answered 451 (the client
        // keeps it); one handed to Postfix's sendmail waits in Postfix's queue; clean mail passes.
        var down: [(lab: Int, message: Data)] = []
        var clean: [Data] = []
        var queued: [Data] = []
        for (index, lab) in labs.enumerated() {
            let held = Samples.eicarAttachment(id: "drill-restart-down-\(index)")
            let asked = Date()
            let refused = try lab.submit(held, from: Address.external, to: [Address.member])
            #expect(refused.replyCodes.contains(451) && !refused.accepted, "\(refused)\n\(two.log)")
            // Within the hold deadline (10 s), long before Postfix's milter timeouts.
            #expect(Date().timeIntervalSince(asked) < 10, "answered after \(Date().timeIntervalSince(asked)) s")
            down.append((index, held))
            let local = Samples.eicarAttachment(id: "drill-restart-local-\(index)")
            try lab.sendmail(local, from: Address.external, to: [Address.member])
            queued.append(local)
            let message = Samples.clean(id: "drill-restart-clean-\(index)")
            let passed = try lab.submit(message, from: Address.external, to: [Address.member])
            #expect(passed.accepted, "clean mail stopped with the store: \(passed)\n\(two.log)")
            clean.append(message)
        }
        // A member's own mail needs the store even when clean: its rate per login is counted there.
        let outgoing = Samples.clean(id: "drill-restart-member", from: Address.memberAddress, to: Self.outside)
        let member = (login: Address.memberLogin, password: PostfixLab.saslPassword)
        let deferred = try labs[0].submit(outgoing, from: Address.memberAddress, to: [Self.outside], auth: member)
        #expect(deferred.replyCodes.contains(451) && !deferred.accepted, "\(deferred)\n\(two.log)")
        for (index, lab) in labs.enumerated() {
            #expect(try TestSupport.waitUntil(timeout: 30, interval: 0.2) {
                try lab.sinkMessages().contains { Self.messageID(of: $0.message) == Self.messageID(of: clean[index]) }
            }, "clean mail not delivered while the store was down\n\(lab.diagnostics())")
            #expect(try lab.queue().contains("\"queue_name\": \"maildrop\""), "the locally submitted message is not in Postfix's queue\n\(lab.diagnostics())")
        }
        for host in hosts { #expect(host.log.contains("could not store the held message"), "\(host.log)") }

        try postgres.start()
        #expect(TestSupport.waitUntil(timeout: 180, interval: 0.1) { (0..<2).allSatisfy { answers[$0].read().count == perLab[$0].count } },
                "\(answers.map { $0.read().count }) of \(perLab.map(\.count)) answered\n\(two.log)")
        // The clients retry what was deferred (three tries at most), and Postfix its queue.
        var retries: [(lab: Int, message: Data)] = down
        for index in 0..<2 {
            for (position, answer) in answers[index].read().enumerated() where answer.tempFailed {
                retries.append((index, perLab[index][position].0))
            }
        }
        #expect(retries.count > down.count, "no message of the load met the stopped server")
        for (index, message) in retries {
            var answer = try labs[index].submit(message, from: Address.external, to: [Address.member])
            for _ in 0..<2 where answer.tempFailed {
                Thread.sleep(forTimeInterval: 0.5)
                answer = try labs[index].submit(message, from: Address.external, to: [Address.member])
            }
            #expect(answer.accepted, "host \(index + 1) did not recover: \(answer)\n\(two.log)")
        }
        #expect(try labs[0].submit(outgoing, from: Address.memberAddress, to: [Self.outside], auth: member).accepted, "\(two.log)")
        clean.append(outgoing)
        // Postfix retries its queue now, and again until it is empty (bounded).
        for lab in labs {
            #expect(try TestSupport.waitUntil(timeout: 90, interval: 3) { try lab.flush(); return try lab.queue().isEmpty }, "\(lab.diagnostics())")
        }

        // The same two processes, recovered.
        for host in hosts { #expect(host.isRunning, "\(host.log)") }
        let answered = answers.flatMap { $0.read() }
        #expect(!answered.contains { $0.permanentlyFailed }, "\(answered.filter(\.permanentlyFailed))")
        try Self.expectInvariant(
            labs: labs, clean: messages.filter { !$0.isHeld }.map(\.0) + clean,
            held: messages.filter(\.isHeld).map(\.0) + down.map(\.message) + queued, log: two.log, heldRows: two.heldRows)
        // Every notice sent (at least once: a claim whose sending was done but not yet marked
        // when the server stopped is sent again by the same host).
        #expect(try two.waitForNotices(), "\(two.log)")
        #expect(Set(try two.noticesDelivered()) == Set(try two.noticesQueued()))
        for host in hosts {
            let verify = try host.command(["audit", "verify"])
            #expect(verify.status == 0, "\(verify.output)\(verify.error)")
        }
    }
}
