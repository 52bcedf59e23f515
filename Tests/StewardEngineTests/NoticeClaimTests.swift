import Foundation
import Logging
import StewardCore
import StewardEngine
import StewardPolicy
import StewardQuarantine
import StewardTestSupport
import Testing

/// Several mail hosts, one quarantine (issue 13): two notice senders on one store, each with its
/// own connection, running at the same time, send every notice exactly once.
@Suite struct NoticeClaimTests {
    /// Two stores on the same data: two hosts' view of one quarantine.
    static func twoHosts(_ backend: StoreBackend) async throws -> (any QuarantineStore, any QuarantineStore) {
        switch backend {
        case .sqlite:
            let path = FileManager.default.temporaryDirectory
                .appendingPathComponent("steward-notices-\(UUID().uuidString)/quarantine.sqlite").path
            return (try SQLiteQuarantineStore(path: path), try SQLiteQuarantineStore(path: path))
        case .postgresql:
            let lab = try PostgresLab.shared.get()
            let settings = PostgresQuarantineStore.Settings(socketPath: lab.socketPath, user: "postgres", database: try lab.createDatabase())
            return (try await PostgresQuarantineStore.start(settings: settings), try await PostgresQuarantineStore.start(settings: settings))
        }
    }

    @Test(arguments: StoreBackend.allCases)
    func twoSendersSendEachNoticeOnce(backend: StoreBackend) async throws {
        let (hostA, hostB) = try await Self.twoHosts(backend)
        let outbox = try TemporaryDirectory("outbox")
        // A sendmail that keeps each mail with its recipient, one file per call.
        let script = outbox.path("sendmail.sh")
        try """
            #!/bin/sh
            for last in "$@"; do :; done
            f=$(mktemp \(outbox.path("mail.XXXXXXXX")))
            { echo "Envelope-To: $last"; cat; } > "$f"

            """.write(toFile: script, atomically: true, encoding: .utf8)
        chmod(script, 0o755)

        let officials = ["senior.a@union.example", "senior.b@union.example", "senior.c@union.example"]
        var expected: Set<String> = []
        for index in 0..<12 {
            let recipient = officials[index % officials.count]
            let id = try await hostA.hold(NewHold(
                envelope: Envelope(sender: "x\(index)@example.org", recipients: ["b@london.union.example"]),
                verdict: Verdict(action: .quarantine, direction: .incoming, branches: ["london"], findings: []),
                raw: Array("Subject: \(index)\r\n\r\nbody\r\n".utf8),
                notices: [NewNotice(recipient: recipient, template: "held", branch: "london")]))
            expected.insert("\(recipient) #\(id)")
        }

        let policy = try PolicyHolder(directory: PackagePaths.policies)
        let directory = policy.snapshot.evaluator.policy.directory
        func sender(_ store: any QuarantineStore, _ name: String) async -> NoticeSender {
            var sender = NoticeSender(
                store: store, sendmail: Sendmail(path: script),
                settings: NoticeSender.Settings(
                    from: "steward@union.example", reviewURL: nil, digestInterval: 0,
                    templates: PackagePaths.policies.appendingPathComponent("templates")),
                logger: Logger(label: "test"))
            sender.claimant = name
            return sender
        }
        let senders = await [sender(hostA, "host-a"), sender(hostB, "host-b")]
        // Both hosts' loops at once (one loop per host, as in `steward serve`), three rounds each.
        await withTaskGroup(of: Void.self) { group in
            for host in 0..<2 {
                group.addTask { for _ in 0..<3 { await senders[host].tick(directory: directory) } }
            }
        }

        var sent: [String] = []
        for file in try FileManager.default.contentsOfDirectory(atPath: outbox.url.path) where file.hasPrefix("mail.") {
            // By lines: CRLF is one Character in Swift, so split on any line end.
            let lines = try String(contentsOfFile: outbox.path(file), encoding: .utf8).split(whereSeparator: \.isNewline)
            let recipient = lines[0].dropFirst("Envelope-To: ".count)
            for line in lines where line.hasPrefix("Message #") {
                let id = line.dropFirst("Message #".count).prefix { $0.isNumber }
                sent.append("\(recipient) #\(id)")
            }
        }
        #expect(sent.count == expected.count, "sent \(sent.sorted())")
        #expect(Set(sent) == expected)
        #expect(try await hostB.pendingNotices().isEmpty)
    }

    @Test(arguments: StoreBackend.allCases)
    func aClaimHeldByAnotherHostIsLeftToIt(backend: StoreBackend) async throws {
        let (hostA, hostB) = try await Self.twoHosts(backend)
        let id = try await hostA.hold(NewHold(
            envelope: Envelope(sender: "x@example.org", recipients: ["b@london.union.example"]),
            verdict: Verdict(action: .quarantine, direction: .incoming, branches: ["london"], findings: []),
            raw: Array("Subject: x\r\n\r\nbody\r\n".utf8),
            notices: [NewNotice(recipient: "senior.a@union.example", template: "held", branch: "london")]))
        let notices = try await hostA.pendingNotices().map(\.id)
        #expect(notices.count == 1 && id > 0)
        #expect(try await hostA.claimNotices(ids: notices, claimant: "a", until: Date().addingTimeInterval(300)) == Set(notices))
        #expect(try await hostB.claimNotices(ids: notices, claimant: "b", until: Date().addingTimeInterval(300)).isEmpty)
        // Its own claim again (a send that failed is retried at once).
        #expect(try await hostA.claimNotices(ids: notices, claimant: "a", until: Date().addingTimeInterval(300)) == Set(notices))
        // A lapsed claim (the host died while sending) passes to the other host.
        #expect(try await hostA.claimNotices(ids: notices, claimant: "a", until: Date().addingTimeInterval(-1)) == Set(notices))
        #expect(try await hostB.claimNotices(ids: notices, claimant: "b", until: Date().addingTimeInterval(300)) == Set(notices))
    }
}
