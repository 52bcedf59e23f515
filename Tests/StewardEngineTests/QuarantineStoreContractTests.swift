import Foundation
import StewardCore
import StewardQuarantine
import StewardTestSupport
import Testing

/// One suite every store backend must pass (clause 13: the quarantine is evidence).
enum StoreBackend: String, CaseIterable, CustomStringConvertible, Sendable {
    case sqlite
    /// A real PostgreSQL server (Debian's), private to this test run, one database per test.
    case postgresql

    var description: String { rawValue }

    func make() async throws -> any QuarantineStore {
        switch self {
        case .sqlite:
            let path = FileManager.default.temporaryDirectory
                .appendingPathComponent("steward-contract-\(UUID().uuidString)/quarantine.sqlite").path
            return try SQLiteQuarantineStore(path: path)
        case .postgresql:
            let lab = try PostgresLab.shared.get()
            return try await PostgresQuarantineStore.start(settings: .init(
                socketPath: lab.socketPath, user: "postgres", database: try lab.createDatabase()))
        }
    }
}

@Suite struct QuarantineStoreContractTests {
    static func finding(_ kind: String, _ rule: String, branch: String) -> Finding {
        Finding(kind: kind, rule: rule, clause: "10(f)(viii)", detail: "\(rule) in part 2", branch: branch, action: .quarantine)
    }

    static func hold(
        _ store: any QuarantineStore, sender: String = "a@example.org", recipients: [String] = ["b@london.union.example"],
        branches: [String] = ["london"], direction: Direction = .incoming, kind: String = "unsafe-attachment",
        subject: String = "Minutes", heldAt: Date = Date(), raw: [UInt8] = Array("Subject: x\r\n\r\nbody\r\n".utf8),
        holdKind: HoldKind = .hold
    ) async throws -> Int64 {
        let verdict = Verdict(
            action: .quarantine, direction: direction, branches: branches,
            findings: branches.map { finding(kind, "rule-\(kind)", branch: $0) })
        return try await store.hold(NewHold(
            envelope: Envelope(sender: sender, recipients: recipients, clientAddress: "192.0.2.1", queueID: "Q\(Int.random(in: 1...99999))"),
            verdict: verdict, raw: raw, heldAt: heldAt, kind: holdKind,
            reporter: holdKind == .report ? "member@london.union.example" : nil, subject: subject))
    }

    @Test(arguments: StoreBackend.allCases)
    func heldMessagesKeepTheirBytesAndEnvelope(backend: StoreBackend) async throws {
        let store = try await backend.make()
        let raw: [UInt8] = Array("Received: from x\r\nSubject: test\r\n\r\n".utf8) + (0...255).map { UInt8($0) }
        let id = try await Self.hold(store, raw: raw)
        let message = try #require(try await store.message(id: id))
        #expect(try await store.raw(id: id) == raw)
        #expect(message.size == raw.count)
        #expect(message.state == .held)
        #expect(message.envelope.clientAddress == "192.0.2.1")
        #expect(message.verdict.branches == ["london"])
        #expect(message.subject == "Minutes")
        #expect(message.sha256.count == 64)
        #expect(try await store.message(id: id + 1000) == nil)
    }

    @Test(arguments: StoreBackend.allCases)
    func listFiltersNarrowTheQueue(backend: StoreBackend) async throws {
        let store = try await backend.make()
        let old = Date(timeIntervalSinceNow: -10 * 86_400)
        let a = try await Self.hold(store, branches: ["london"], kind: "unsafe-attachment", subject: "Invoice", heldAt: old)
        let b = try await Self.hold(store, sender: "x@union.example", recipients: ["y@partner.example"], branches: ["scotland"], direction: .outgoing, kind: "confidential", subject: "Budget")
        let c = try await Self.hold(store, branches: ["london", "scotland"], kind: "impersonation", holdKind: .report)
        _ = try await store.apply(.refuse(by: "morag", reason: "no"), to: b)

        func ids(_ query: QuarantineQuery) async throws -> [Int64] { try await store.list(query).map(\.id) }
        await #expect(try ids(QuarantineQuery()) == [c, b, a])
        await #expect(try ids(QuarantineQuery(branch: "london")) == [c, a])
        await #expect(try ids(QuarantineQuery(branch: "scotland")) == [c, b])
        await #expect(try ids(QuarantineQuery(findingKind: "confidential")) == [b])
        await #expect(try ids(QuarantineQuery(direction: .outgoing)) == [b])
        await #expect(try ids(QuarantineQuery(state: .held)) == [c, a])
        await #expect(try ids(QuarantineQuery(kind: .report)) == [c])
        await #expect(try ids(QuarantineQuery(heldBefore: Date(timeIntervalSinceNow: -86_400))) == [a])
        await #expect(try ids(QuarantineQuery(heldSince: Date(timeIntervalSinceNow: -86_400))) == [c, b])
        await #expect(try ids(QuarantineQuery(text: "BUDGET")) == [b])
        await #expect(try ids(QuarantineQuery(text: "partner.example")) == [b])
        await #expect(try ids(QuarantineQuery(limit: 2)) == [c, b])
    }

    @Test(arguments: StoreBackend.allCases)
    func aMessageIsReleasedOnceAndEveryChangeIsAudited(backend: StoreBackend) async throws {
        let store = try await backend.make()
        let id = try await Self.hold(store)
        let released = try #require(try await store.apply(.release(by: "sam.okafor", reason: "expected file"), to: id).message)
        #expect(released.state == .released)
        #expect(released.stateChangedBy == "sam.okafor")
        #expect(released.stateReason == "expected file")
        await #expect(throws: QuarantineError.self) {
            _ = try await store.apply(.release(by: "sam.okafor", reason: nil), to: id)
        }
        #expect(try await store.recordReleaseDelivery(id: id, queueID: "Q1"))
        #expect(try await store.recordReleaseDelivery(id: id, queueID: "Q2") == false, "one release lets one copy through")

        let other = try await Self.hold(store)
        #expect(try await store.recordReleaseDelivery(id: other, queueID: "Q3") == false, "a held message is not released")

        let trail = try await store.auditTrail(messageID: id).map(\.entry.action)
        #expect(trail == [.hold, .release, .releaseDelivered])
        #expect(AuditChain.verify(try await store.auditTrail(messageID: nil)).isEmpty)
    }

    @Test(arguments: StoreBackend.allCases)
    func aTrailForSeveralMessagesHoldsOnlyTheirEntriesInOrder(backend: StoreBackend) async throws {
        let store = try await backend.make()
        let london = try await Self.hold(store)
        let scotland = try await Self.hold(store, branches: ["scotland"])
        let other = try await Self.hold(store)
        try await store.appendAudit(NewAuditEntry(actor: "sam.okafor", action: .view, messageID: london, reason: "check"))
        try await store.appendAudit(NewAuditEntry(actor: "admin", action: .policyReload))
        _ = try await store.apply(.refuse(by: "sam.okafor", reason: nil), to: other)
        _ = try await store.apply(.release(by: "ann", reason: nil), to: scotland)

        let trail = try await store.auditTrail(messageIDs: [other, london])
        #expect(trail.map(\.entry.messageID) == [london, other, london, other])
        #expect(trail.map(\.entry.action) == [.hold, .hold, .view, .refuse])
        #expect(trail.map(\.sequence) == trail.map(\.sequence).sorted())
        #expect(try await store.auditTrail(messageIDs: []).isEmpty)
        // More ids than one SQL statement binds.
        let many = Array(Int64(10_000)..<Int64(11_200)) + [scotland]
        #expect(try await store.auditTrail(messageIDs: many).map(\.entry.action) == [.hold, .release])
    }

    @Test(arguments: StoreBackend.allCases)
    func legalHoldBlocksDeletionAndPurge(backend: StoreBackend) async throws {
        let store = try await backend.make()
        let kept = try await Self.hold(store)
        let gone = try await Self.hold(store)
        _ = try await store.apply(.legalHold(true, by: "admin", reason: "tribunal case 123"), to: kept)
        #expect(try await store.message(id: kept)?.legalHold == true)
        await #expect(throws: QuarantineError.self) {
            _ = try await store.apply(.delete(by: "admin", reason: "tidy"), to: kept)
        }
        let removed = try await store.purge(ids: [kept, gone], by: "admin", reason: "retention of 0 days")
        #expect(removed == [gone])
        #expect(try await store.message(id: gone) == nil)
        #expect(try await store.raw(id: kept) != nil)
        let purgeEntry = try #require(try await store.auditTrail(messageID: gone).last)
        #expect(purgeEntry.entry.action == .purge)
        #expect(purgeEntry.entry.detail?.contains("sha256 ") == true, "the trail records what was removed")

        _ = try await store.apply(.legalHold(false, by: "admin", reason: "case closed"), to: kept)
        let deleted = try #require(try await store.apply(.delete(by: "admin", reason: "case closed"), to: kept).message)
        #expect(deleted.state == .deleted)
        #expect(try await store.raw(id: kept) == nil, "deleting erases the content")
        #expect(AuditChain.verify(try await store.auditTrail(messageID: nil)).isEmpty)
    }

    @Test(arguments: StoreBackend.allCases)
    func concurrentWritersKeepOneUnbrokenChain(backend: StoreBackend) async throws {
        let store = try await backend.make()
        _ = await MilterThreads.run(count: 40) { index in
            _ = try? await store.appendAudit(NewAuditEntry(actor: "worker\(index)", action: .view, reason: "check \(index)"))
        }
        let trail = try await store.auditTrail(messageID: nil)
        #expect(trail.count == 40)
        #expect(AuditChain.verify(trail).isEmpty)
    }

    @Test(arguments: StoreBackend.allCases)
    func reviewPasswordsAreKeptPerLoginAndEveryChangeIsAudited(backend: StoreBackend) async throws {
        let store = try await backend.make()
        #expect(try await store.passwordHash(login: "sam.okafor@union.example") == nil)
        try await store.setPasswordHash(
            "$2b$04$first", login: "sam.okafor@union.example",
            audit: NewAuditEntry(actor: "root", action: .passwordSet, detail: "sam.okafor@union.example"))
        try await store.setPasswordHash(
            "$2b$04$other", login: "morag.campbell@scotland.union.example",
            audit: NewAuditEntry(actor: "root", action: .passwordSet, detail: "morag.campbell@scotland.union.example"))
        try await store.setPasswordHash(
            "$2b$04$second", login: "sam.okafor@union.example",
            audit: NewAuditEntry(actor: "root", action: .passwordSet, detail: "sam.okafor@union.example"))
        #expect(try await store.passwordHash(login: "sam.okafor@union.example") == "$2b$04$second", "a new password replaces the old")
        #expect(try await store.passwordHash(login: "morag.campbell@scotland.union.example") == "$2b$04$other")
        let trail = try await store.auditTrail(messageID: nil)
        #expect(trail.map(\.entry.action) == [.passwordSet, .passwordSet, .passwordSet])
        #expect(!trail.contains { ($0.entry.detail ?? "").contains("$2b$") || ($0.entry.reason ?? "").contains("$2b$") })
        #expect(AuditChain.verify(trail).isEmpty)
    }
}

@Suite struct AuditChainTests {
    private func chain(_ count: Int) -> [AuditEntry] {
        var entries: [AuditEntry] = []
        var previous = AuditChain.genesis
        for sequence in 1...Int64(count) {
            let entry = NewAuditEntry(at: Date(timeIntervalSince1970: Double(sequence)), actor: "a", action: .view, messageID: sequence, reason: "r\(sequence)")
            let hash = AuditChain.hash(sequence: sequence, entry: entry, previousHash: previous)
            entries.append(AuditEntry(sequence: sequence, entry: entry, previousHash: previous, hash: hash))
            previous = hash
        }
        return entries
    }

    @Test func anUntouchedChainVerifies() {
        #expect(AuditChain.verify(chain(5)).isEmpty)
        #expect(AuditChain.verify([]).isEmpty)
    }

    @Test func anEditedEntryIsFound() {
        var entries = chain(5)
        entries[2].entry.reason = "changed"
        #expect(AuditChain.verify(entries).contains { $0.hasPrefix("entry 3:") && $0.contains("edited") })
    }

    @Test func aRemovedEntryIsFound() {
        var entries = chain(5)
        entries.remove(at: 1)
        #expect(!AuditChain.verify(entries).isEmpty)
    }

    @Test func reorderedEntriesAreFound() {
        var entries = chain(5)
        entries.swapAt(1, 2)
        #expect(!AuditChain.verify(entries).isEmpty)
    }

    @Test func fieldsCannotBorrowFromTheirNeighbours() {
        let a = NewAuditEntry(at: Date(timeIntervalSince1970: 1), actor: "ab", action: .view, reason: "c")
        let b = NewAuditEntry(at: Date(timeIntervalSince1970: 1), actor: "a", action: .view, reason: "bc")
        #expect(AuditChain.hash(sequence: 1, entry: a, previousHash: AuditChain.genesis)
            != AuditChain.hash(sequence: 1, entry: b, previousHash: AuditChain.genesis))
    }
}
