import Foundation
import StewardCore
import StewardQuarantine
import StewardTestSupport
import Testing

/// The anchored audit trail on every backend: the same attacks on SQLite and on PostgreSQL
/// (the database edited with its own client, as someone with the database would) are found.
@Suite struct AuditAnchorContractTests {
    struct Anchored {
        let store: any QuarantineStore
        let anchor: AuditAnchor
        let keys: TemporaryDirectory
        let sql: (String) throws -> Void

        var problems: [String] {
            get async throws { AuditChain.verify(try await store.auditTrail(messageID: nil), anchor: anchor, checkpoints: try anchor.checkpoints()) }
        }
    }

    static func make(_ backend: StoreBackend) async throws -> Anchored {
        let keys = try TemporaryDirectory("anchor-keys")
        let anchor = try AuditAnchor.load(directory: keys.url)
        switch backend {
        case .sqlite:
            let path = keys.path("quarantine.sqlite")
            return Anchored(store: try SQLiteQuarantineStore(path: path, anchor: anchor), anchor: anchor, keys: keys) { statement in
                let result = try Command.run("sqlite3", [path, statement], timeout: 30)
                guard result.succeeded else { throw TestFailure("sqlite3: \(result.error)") }
            }
        case .postgresql:
            let lab = try PostgresLab.shared.get()
            let database = try lab.createDatabase()
            let store = try await PostgresQuarantineStore.start(settings: .init(socketPath: lab.socketPath, user: "postgres", database: database), anchor: anchor)
            return Anchored(store: store, anchor: anchor, keys: keys) { statement in _ = try lab.sql(statement, database: database) }
        }
    }

    static func fill(_ store: any QuarantineStore) async throws {
        for index in 1...3 {
            _ = try await store.hold(NewHold(
                envelope: Envelope(sender: "a@partner.example", recipients: ["b@london.union.example"]),
                verdict: Verdict(action: .quarantine, direction: .incoming, branches: ["london"], findings: []),
                raw: Array("Subject: \(index)\r\n\r\nbody\r\n".utf8)))
        }
        try await store.appendAudit(NewAuditEntry(actor: "sam", action: .view, messageID: 1, reason: "check"))
    }

    @Test(arguments: StoreBackend.allCases)
    func anUntouchedTrailVerifiesWithItsKeyAndCheckpoints(backend: StoreBackend) async throws {
        let anchored = try await Self.make(backend)
        try await Self.fill(anchored.store)
        #expect(try await anchored.problems.isEmpty)
        let head = try #require(try await anchored.store.auditTrail(messageID: nil).last)
        #expect(anchored.anchor.latest()?.sequence == head.sequence, "every change leaves a checkpoint of the head")
        #expect(anchored.anchor.latest()?.hash == head.hash)
    }

    @Test func aHostWithAnotherKeyIsRefusedBeforeKeysMix() async throws {
        let anchored = try await Self.make(.sqlite)
        try await Self.fill(anchored.store)
        let elsewhere = try TemporaryDirectory("anchor-other-host")
        let other = try AuditAnchor.load(directory: elsewhere.url)
        #expect(throws: QuarantineError.self) {
            _ = try SQLiteQuarantineStore(path: anchored.keys.path("quarantine.sqlite"), anchor: other)
        }
    }

    @Test(arguments: StoreBackend.allCases)
    func cuttingTheTailIsFound(backend: StoreBackend) async throws {
        let anchored = try await Self.make(backend)
        try await Self.fill(anchored.store)
        try anchored.sql("DELETE FROM audit_entry WHERE sequence > 2")
        #expect(try await anchored.problems.contains { $0.contains("entries were removed from the end") })
    }

    @Test(arguments: StoreBackend.allCases)
    func aChainRecomputedWithoutTheKeyIsFound(backend: StoreBackend) async throws {
        let anchored = try await Self.make(backend)
        try await Self.fill(anchored.store)
        // Drop the view and relink what is left, as the chain was made before it had a key.
        try anchored.sql("DELETE FROM audit_entry WHERE action = 'view'")
        var previous = AuditChain.genesis
        for entry in try await anchored.store.auditTrail(messageID: nil) {
            let hash = AuditChain.hash(sequence: entry.sequence, entry: entry.entry, previousHash: previous)
            try anchored.sql("UPDATE audit_entry SET previous_hash = '\(previous)', hash = '\(hash)' WHERE sequence = \(entry.sequence)")
            previous = hash
        }
        let problems = try await anchored.problems
        #expect(problems.contains { $0.contains("not made with this host's audit key") }, "\(problems)")
        #expect(problems.contains { $0.contains("entries were removed from the end") }, "\(problems)")
    }
}
