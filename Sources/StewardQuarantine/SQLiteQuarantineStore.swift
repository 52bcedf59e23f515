public import Foundation
import GRDB
import StewardCore
import Synchronization

/// The embedded default store: one SQLite file through GRDB. Every change runs in an IMMEDIATE
/// transaction together with its audit entry, so the milter and the command line can write at
/// the same time without forking the audit chain.
///
/// Journal: a rollback journal (`TRUNCATE`), not WAL. WAL keeps its index in a `-shm` file that
/// every process maps into memory; when that file cannot be written or its filesystem is full,
/// SQLite touches the mapping and the kernel kills the milter with SIGBUS (seen in the drills).
/// WAL with `locking_mode=EXCLUSIVE` keeps the index in the heap but locks every other process
/// out, and the command line and `steward review` must read the store while `serve` runs. With a
/// rollback journal (and no memory-mapped I/O) every failure is an error SQLite returns, which
/// the milter answers with 451; readers briefly hold writers off, bounded by the lock wait below.
/// `TRUNCATE` rather than `DELETE`: the journal is emptied after each commit, not removed, so no
/// write-ahead log keeps its largest size on a full disk and no directory entry churns per hold.
public final class SQLiteQuarantineStore: QuarantineStore {
    private let queue: DatabaseQueue
    /// Until when the operation now running waits for another process's lock (see `LockWait`).
    private let lockWait: LockWait
    private let lockWaitSeconds: TimeInterval
    /// The audit key and checkpoint file; nil only for stores opened without a config (tests, tools).
    private let anchor: AuditAnchor?

    /// Opens (and creates or migrates) the store at `path`. With `anchor`, audit entries are
    /// HMACs with its key and each change leaves a signed checkpoint of the chain's head. An
    /// operation waits at most `lockWaitSeconds` for another process's lock (a hold at most
    /// until its own deadline).
    public init(path: String, anchor: AuditAnchor? = nil, lockWaitSeconds: TimeInterval = 10) throws(QuarantineError) {
        self.anchor = anchor
        let lockWait = LockWait(until: Date().addingTimeInterval(lockWaitSeconds))
        self.lockWait = lockWait
        self.lockWaitSeconds = lockWaitSeconds
        do {
            let directory = URL(fileURLWithPath: path).deletingLastPathComponent()
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            try StoreFile.createPrivate(path: path)
            var configuration = Configuration()
            // Our own busy handler, not a fixed timeout: a hold waits only until its deadline.
            configuration.busyMode = .callback { _ in lockWait.keepWaiting() }
            configuration.prepareDatabase { db in
                let mode = try String.fetchOne(db, sql: "PRAGMA journal_mode = TRUNCATE")
                guard mode == "truncate" else {
                    // Leaving WAL (a store made by an earlier Steward) needs the file to itself.
                    throw QuarantineError(
                        code: .cannotOpen,
                        detail: "the store is in \(mode ?? "?") mode and another process has it open; stop it once so the store can leave WAL mode")
                }
                try db.execute(sql: "PRAGMA mmap_size = 0")
            }
            queue = try DatabaseQueue(path: path, configuration: configuration)
            try Self.migrator.migrate(queue)
        } catch let error as QuarantineError {
            throw error
        } catch {
            throw QuarantineError(code: .cannotOpen, detail: "\(path): \(error)")
        }
        if let anchor {
            // Opening is synchronous (no caller waits on anything else yet): GRDB's blocking read.
            let head: AuditEntry?
            do { head = try queue.read { db in try Self.newest(in: db) } } catch {
                throw QuarantineError(code: .cannotOpen, detail: "\(path): \(error)")
            }
            try anchor.adopt(head: head)
        }
    }

    /// The newest audit entry.
    private func head() async throws(QuarantineError) -> AuditEntry? {
        try await read { db in try Self.newest(in: db) }
    }

    private static func newest(in db: Database) throws -> AuditEntry? {
        try Row.fetchOne(db, sql: "SELECT * FROM audit_entry ORDER BY sequence DESC LIMIT 1").map(auditEntry)
    }

    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1-held-message") { db in
            try db.create(table: "held_message") { t in
                t.autoIncrementedPrimaryKey("id")
                t.column("queue_id", .text)
                t.column("held_at", .text).notNull()
                t.column("sender", .text).notNull()
                t.column("recipients", .text).notNull()
                t.column("auth_user", .text)
                t.column("client_address", .text)
                t.column("client_name", .text)
                t.column("direction", .text).notNull()
                t.column("branches", .text).notNull()
                t.column("action", .text).notNull()
                t.column("findings", .text).notNull()
                t.column("verdict", .text).notNull()
                t.column("envelope", .text).notNull()
                t.column("sha256", .text).notNull()
                t.column("size", .integer).notNull()
                t.column("raw", .blob).notNull()
                t.column("state", .text).notNull().defaults(to: HoldState.held.rawValue)
            }
            try db.create(index: "held_message_held_at", on: "held_message", columns: ["held_at"])
        }
        migrator.registerMigration("v2-review-and-audit") { db in
            try db.alter(table: "held_message") { t in
                t.add(column: "kind", .text).notNull().defaults(to: HoldKind.hold.rawValue)
                t.add(column: "subject", .text).notNull().defaults(to: "")
                t.add(column: "reporter", .text)
                t.add(column: "state_reason", .text)
                t.add(column: "state_changed_by", .text)
                t.add(column: "state_changed_at", .text)
                t.add(column: "legal_hold", .boolean).notNull().defaults(to: false)
            }
            try db.create(table: "audit_entry") { t in
                t.primaryKey("sequence", .integer)
                t.column("at_ms", .integer).notNull()
                t.column("actor", .text).notNull()
                t.column("action", .text).notNull()
                t.column("message_id", .integer)
                t.column("reason", .text)
                t.column("detail", .text)
                t.column("previous_hash", .text).notNull().unique()
                t.column("hash", .text).notNull()
            }
            try db.create(index: "audit_entry_message", on: "audit_entry", columns: ["message_id"])
        }
        migrator.registerMigration("v3-notices") { db in
            try db.create(table: "notice") { t in
                t.autoIncrementedPrimaryKey("id")
                t.column("recipient", .text).notNull()
                t.column("template", .text).notNull()
                t.column("branch", .text).notNull()
                t.column("message_id", .integer).notNull()
                t.column("created_at_ms", .integer).notNull()
                t.column("sent_at_ms", .integer)
            }
            try db.create(index: "notice_pending", on: "notice", columns: ["sent_at_ms", "recipient"])
        }
        migrator.registerMigration("v4-review-accounts") { db in
            try db.create(table: "review_account") { t in
                t.primaryKey("login", .text)
                t.column("password_hash", .text).notNull()
                t.column("updated_at_ms", .integer).notNull()
            }
        }
        migrator.registerMigration("usage-login-rate") { db in try createLoginRateTables(db) }
        migrator.registerMigration("v5-hold-retry-key") { db in
            // What recognises a retry of a held message (HoldRetryKey); empty for older holds.
            try db.alter(table: "held_message") { t in
                t.add(column: "retry_message_id", .text)
                t.add(column: "retry_digest", .text)
            }
            try db.create(index: "held_message_retry", on: "held_message", columns: ["retry_digest"])
        }
        migrator.registerMigration("v5-notice-claim") { db in
            // Who is sending a notice, and until when the claim holds (a host that died mid-send).
            try db.alter(table: "notice") { t in
                t.add(column: "claimed_by", .text)
                t.add(column: "claimed_until_ms", .integer)
            }
        }
        migrator.registerMigration("v5-review-second-factor") { db in
            try db.create(table: "review_second_factor") { t in
                t.primaryKey("login", .text)
                t.column("secret", .text).notNull()
                // Hex SHA-256 of the unused recovery codes, space-separated.
                t.column("recovery_hashes", .text).notNull()
                t.column("last_step", .integer).notNull()
                t.column("updated_at_ms", .integer).notNull()
            }
        }
        migrator.registerMigration("v6-policy-observation") { db in try createObservationTables(db) }
        return migrator
    }

    // MARK: Writing

    public func hold(_ message: NewHold, actor: String) async throws(QuarantineError) -> Int64 {
        try await holdOnce(message, actor: actor).id
    }

    public func holdOnce(_ message: NewHold, actor: String) async throws(QuarantineError) -> HoldOutcome {
        let envelope = message.envelope
        let verdict = message.verdict
        // Once: a held message can be 50 MB.
        let digest = SHA256Hex.digest(message.raw)
        let retryKey = HoldRetryKey(raw: message.raw)
        return try await write(deadline: message.deadline) { db in
            if let retryKey, let window = message.retryWindow,
                let original = try Self.heldOriginal(of: message, key: retryKey, window: window, in: db)
            {
                return HoldOutcome(id: original, isRetry: true)
            }
            try db.execute(
                sql: """
                    INSERT INTO held_message (queue_id, held_at, sender, recipients, auth_user, client_address,
                      client_name, direction, branches, action, findings, verdict, envelope, sha256, size, raw, state,
                      kind, subject, reporter)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                    """,
                arguments: [
                    envelope.queueID, ISO8601.string(message.heldAt), envelope.sender, try JSON.text(envelope.recipients),
                    envelope.authUser, envelope.clientAddress, envelope.clientName, verdict.direction.rawValue,
                    try JSON.text(verdict.branches), verdict.action.rawValue, try JSON.text(verdict.findings),
                    try JSON.text(verdict), try JSON.text(envelope), digest, message.raw.count,
                    Data(message.raw), HoldState.held.rawValue, message.kind.rawValue, message.subject, message.reporter,
                ])
            let id = db.lastInsertedRowID
            for notice in message.notices {
                try db.execute(
                    sql: "INSERT INTO notice (recipient, template, branch, message_id, created_at_ms) VALUES (?, ?, ?, ?, ?)",
                    arguments: [notice.recipient, notice.template, notice.branch, id, AuditChain.milliseconds(message.heldAt)])
            }
            let what = message.kind == .report ? "reported by \(message.reporter ?? "?")" : verdict.findings.map(\.rule).joined(separator: ", ")
            try append(
                NewAuditEntry(
                    at: message.heldAt, actor: actor, action: message.kind == .report ? .report : .hold, messageID: id,
                    detail: "sha256 \(digest); \(what)"),
                in: db)
            if let retryKey {
                try db.execute(
                    sql: "UPDATE held_message SET retry_message_id = ?, retry_digest = ? WHERE id = ?",
                    arguments: [retryKey.messageID, retryKey.digest, id])
            }
            return HoldOutcome(id: id, isRetry: false)
        }
    }

    /// The earlier hold `message` repeats, if any (`HoldRetry`), inside the hold's transaction.
    private static func heldOriginal(of message: NewHold, key: HoldRetryKey, window: TimeInterval, in db: Database) throws -> Int64? {
        let candidates = try Row.fetchAll(
            db, sql: "SELECT id, held_at, sender, recipients FROM held_message WHERE retry_digest = ? AND retry_message_id = ?",
            arguments: [key.digest, key.messageID]
        ).map { row in
            HoldRetryCandidate(
                id: row["id"], heldAt: ISO8601.date(row["held_at"]) ?? .distantPast, sender: row["sender"],
                recipients: try JSON.decode([String].self, row["recipients"]))
        }
        return HoldRetry.original(
            of: message.envelope.sender, recipients: message.envelope.recipients, at: message.heldAt, window: window,
            among: candidates)?.id
    }

    public func apply(_ command: HoldCommand, to id: Int64) async throws(QuarantineError) -> HoldChange {
        // The IMMEDIATE transaction is the lock: no other writer runs until it ends.
        try await write { db in
            guard let row = try Row.fetchOne(db, sql: "SELECT state, legal_hold, sha256 FROM held_message WHERE id = ?", arguments: [id])
            else { throw QuarantineError(code: .notFound, detail: "#\(id)") }
            let delivered = try Int.fetchOne(
                db, sql: "SELECT COUNT(*) FROM audit_entry WHERE message_id = ? AND action = ?",
                arguments: [id, AuditAction.releaseDelivered.rawValue]) ?? 0
            let record = HoldRecord(
                id: id, state: HoldState(rawValue: row["state"]) ?? .held, legalHold: row["legal_hold"], sha256: row["sha256"],
                releaseDelivered: delivered > 0)
            let effects = try HoldLifecycle.apply(command, to: record, at: Date())
            if effects.content == .removed {
                try db.execute(sql: "DELETE FROM held_message WHERE id = ?", arguments: [id])
            } else if let change = effects.stateChange {
                try db.execute(
                    sql: """
                        UPDATE held_message SET state = ?, state_reason = ?, state_changed_by = ?, state_changed_at = ?
                          \(effects.content == .erased ? ", raw = x''" : "") WHERE id = ?
                        """,
                    arguments: [change.state.rawValue, change.reason, change.by, ISO8601.string(change.at), id])
            }
            if let legalHold = effects.legalHold {
                try db.execute(sql: "UPDATE held_message SET legal_hold = ? WHERE id = ?", arguments: [legalHold, id])
            }
            let audit = try append(effects.audit, in: db)
            return HoldChange(message: try Self.fetchMessage(id: id, in: db), audit: audit)
        }
    }

    public func enqueueNotices(_ notices: [NewNotice], messageID: Int64) async throws(QuarantineError) {
        try await write { db in
            for notice in notices {
                try db.execute(
                    sql: "INSERT INTO notice (recipient, template, branch, message_id, created_at_ms) VALUES (?, ?, ?, ?, ?)",
                    arguments: [notice.recipient, notice.template, notice.branch, messageID, AuditChain.milliseconds(Date())])
            }
        }
    }

    public func pendingNotices() async throws(QuarantineError) -> [Notice] {
        try await read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM notice WHERE sent_at_ms IS NULL ORDER BY id").map { row in
                Notice(
                    id: row["id"],
                    notice: NewNotice(recipient: row["recipient"], template: row["template"], branch: row["branch"]),
                    messageID: row["message_id"], createdAt: AuditChain.date(milliseconds: row["created_at_ms"]))
            }
        }
    }

    public func claimNotices(ids: [Int64], claimant: String, until: Date) async throws(QuarantineError) -> Set<Int64> {
        try await write { db in
            var claimed: Set<Int64> = []
            let now = AuditChain.milliseconds(Date())
            for id in ids {
                try db.execute(
                    sql: """
                        UPDATE notice SET claimed_by = ?, claimed_until_ms = ?
                        WHERE id = ? AND sent_at_ms IS NULL AND (claimed_until_ms IS NULL OR claimed_until_ms < ? OR claimed_by = ?)
                        """,
                    arguments: [claimant, AuditChain.milliseconds(until), id, now, claimant])
                if db.changesCount == 1 { claimed.insert(id) }
            }
            return claimed
        }
    }

    public func lastNoticeSent(to recipient: String) async throws(QuarantineError) -> Date? {
        try await read { db in
            try Int64.fetchOne(db, sql: "SELECT MAX(sent_at_ms) FROM notice WHERE recipient = ?", arguments: [recipient])
                .map { AuditChain.date(milliseconds: $0) }
        }
    }

    public func markNoticesSent(_ notices: [Notice], at: Date, actor: String) async throws(QuarantineError) {
        try await write { db in
            for notice in notices {
                try db.execute(
                    sql: "UPDATE notice SET sent_at_ms = ? WHERE id = ?", arguments: [AuditChain.milliseconds(at), notice.id])
            }
            for (messageID, group) in Dictionary(grouping: notices, by: \.messageID).sorted(by: { $0.key < $1.key }) {
                let told = group.map { "\($0.notice.template) to \($0.notice.recipient)" }.joined(separator: ", ")
                try append(NewAuditEntry(at: at, actor: actor, action: .notify, messageID: messageID, detail: told), in: db)
            }
        }
    }

    @discardableResult
    public func appendAudit(_ entry: NewAuditEntry) async throws(QuarantineError) -> AuditEntry {
        try await write { db in try append(entry, in: db) }
    }

    public func setPasswordHash(_ hash: String, login: String, audit: NewAuditEntry) async throws(QuarantineError) {
        try await write { db in
            try db.execute(
                sql: """
                    INSERT INTO review_account (login, password_hash, updated_at_ms) VALUES (?, ?, ?)
                    ON CONFLICT (login) DO UPDATE SET password_hash = excluded.password_hash, updated_at_ms = excluded.updated_at_ms
                    """,
                arguments: [login, hash, AuditChain.milliseconds(audit.at)])
            try append(audit, in: db)
        }
    }

    public func passwordHash(login: String) async throws(QuarantineError) -> String? {
        try await read { db in
            try String.fetchOne(db, sql: "SELECT password_hash FROM review_account WHERE login = ?", arguments: [login])
        }
    }

    public func setSecondFactor(_ factor: SecondFactor?, login: String, audit: NewAuditEntry) async throws(QuarantineError) {
        try await write { db in
            if let factor {
                try db.execute(
                    sql: """
                        INSERT INTO review_second_factor (login, secret, recovery_hashes, last_step, updated_at_ms) VALUES (?, ?, ?, ?, ?)
                        ON CONFLICT (login) DO UPDATE SET secret = excluded.secret, recovery_hashes = excluded.recovery_hashes,
                          last_step = excluded.last_step, updated_at_ms = excluded.updated_at_ms
                        """,
                    arguments: [login, factor.secret, factor.recoveryHashes.joined(separator: " "), factor.lastStep, AuditChain.milliseconds(audit.at)])
            } else {
                try db.execute(sql: "DELETE FROM review_second_factor WHERE login = ?", arguments: [login])
            }
            try append(audit, in: db)
        }
    }

    public func secondFactor(login: String) async throws(QuarantineError) -> SecondFactor? {
        try await read { db in
            try Row.fetchOne(db, sql: "SELECT secret, recovery_hashes, last_step FROM review_second_factor WHERE login = ?", arguments: [login])
                .map { row in
                    SecondFactor(
                        secret: row["secret"], recoveryHashes: (row["recovery_hashes"] as String).split(separator: " ").map(String.init),
                        lastStep: row["last_step"])
                }
        }
    }

    public func useSecondFactor(login: String, step: Int64?, recoveryHash: String?) async throws(QuarantineError) -> Bool {
        try await write { db in
            guard let row = try Row.fetchOne(db, sql: "SELECT recovery_hashes, last_step FROM review_second_factor WHERE login = ?", arguments: [login])
            else { return false }
            if let step {
                guard step > row["last_step"] as Int64 else { return false }
                try db.execute(sql: "UPDATE review_second_factor SET last_step = ? WHERE login = ?", arguments: [step, login])
                return true
            }
            var hashes = (row["recovery_hashes"] as String).split(separator: " ").map(String.init)
            guard let recoveryHash, let index = hashes.firstIndex(of: recoveryHash) else { return false }
            hashes.remove(at: index)
            try db.execute(sql: "UPDATE review_second_factor SET recovery_hashes = ? WHERE login = ?", arguments: [hashes.joined(separator: " "), login])
            return true
        }
    }

    /// Appends inside the caller's transaction: the next sequence number and the chain link.
    @discardableResult
    private func append(_ new: NewAuditEntry, in db: Database) throws -> AuditEntry {
        let entry = new.cleaned
        let last = try Row.fetchOne(db, sql: "SELECT sequence, hash FROM audit_entry ORDER BY sequence DESC LIMIT 1")
        let sequence: Int64 = (last?["sequence"] as Int64? ?? 0) + 1
        let previous: String = last?["hash"] ?? AuditChain.genesis
        let hash = AuditChain.hash(sequence: sequence, entry: entry, previousHash: previous, anchor: anchor)
        try db.execute(
            sql: """
                INSERT INTO audit_entry (sequence, at_ms, actor, action, message_id, reason, detail, previous_hash, hash)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
                """,
            arguments: [
                sequence, AuditChain.milliseconds(entry.at), entry.actor, entry.action.rawValue, entry.messageID,
                entry.reason, entry.detail, previous, hash,
            ])
        return AuditEntry(sequence: sequence, entry: entry, previousHash: previous, hash: hash)
    }

    /// Runs `body` in one IMMEDIATE transaction. With a `deadline`, the lock is waited for only
    /// until then, and the transaction is rolled back rather than committed once it has passed.
    func write<T: Sendable>(deadline: Date? = nil, _ body: @Sendable (Database) throws -> T) async throws(QuarantineError) -> T {
        let result: T
        do {
            // GRDB's async access: the work runs on the store's own serial queue, never on
            // Swift's cooperative threads, so waiting for SQLite's lock starves nothing.
            result = try await queue.writeWithoutTransaction { [lockWait, lockWaitSeconds] db in
                lockWait.set(deadline ?? Date().addingTimeInterval(lockWaitSeconds))
                var result: T?
                try db.inTransaction(.immediate) {
                    result = try body(db)
                    if let deadline, Date() >= deadline {
                        throw QuarantineError(code: .timedOut, detail: "the deadline passed before the commit")
                    }
                    return .commit
                }
                return result!
            }
        } catch let error as QuarantineError {
            throw error
        } catch let error as DatabaseError where error.resultCode == .SQLITE_BUSY && deadline != nil {
            throw QuarantineError(code: .timedOut, detail: "its lock was not free before the deadline (\(error.message ?? "busy"))")
        } catch {
            throw QuarantineError(code: .writeFailed, detail: "\(error)")
        }
        // After the commit, never failing it: the change is stored; a missing checkpoint only
        // shows in `audit verify` as entries the newest checkpoint does not cover yet.
        if let anchor, let newest = try? await head() { _ = try? anchor.record(sequence: newest.sequence, hash: newest.hash) }
        return result
    }

    // MARK: Reading

    private static let metadataColumns = """
        id, kind, held_at, envelope, verdict, sha256, size, state, state_reason, state_changed_by, state_changed_at,
        legal_hold, reporter, subject
        """

    public func list(_ query: QuarantineQuery) async throws(QuarantineError) -> [HeldMessage] {
        try await read { db in
            // Simple columns narrow in SQL; the rest (branches, findings, text) in `matches`.
            var conditions: [String] = []
            var arguments: StatementArguments = []
            if let state = query.state {
                conditions.append("state = ?")
                arguments += [state.rawValue]
            }
            if let direction = query.direction {
                conditions.append("direction = ?")
                arguments += [direction.rawValue]
            }
            if let kind = query.kind {
                conditions.append("kind = ?")
                arguments += [kind.rawValue]
            }
            let filter = conditions.isEmpty ? "" : "WHERE " + conditions.joined(separator: " AND ")
            let cursor = try Row.fetchCursor(
                db, sql: "SELECT \(Self.metadataColumns) FROM held_message \(filter) ORDER BY id DESC", arguments: arguments)
            var result: [HeldMessage] = []
            while result.count < query.limit, let row = try cursor.next() {
                let message = try Self.decode(row)
                if query.matches(message) { result.append(message) }
            }
            return result
        }
    }

    public func message(id: Int64) async throws(QuarantineError) -> HeldMessage? {
        try await read { db in try Self.fetchMessage(id: id, in: db) }
    }

    public func raw(id: Int64) async throws(QuarantineError) -> [UInt8]? {
        try await read { db in
            guard let row = try Row.fetchOne(db, sql: "SELECT raw, state FROM held_message WHERE id = ?", arguments: [id]),
                (row["state"] as String) != HoldState.deleted.rawValue
            else { return nil }
            return [UInt8](row["raw"] as Data)
        }
    }

    public func auditTrail(messageID: Int64?) async throws(QuarantineError) -> [AuditEntry] {
        try await read { db in
            let rows: [Row]
            if let messageID {
                rows = try Row.fetchAll(db, sql: "SELECT * FROM audit_entry WHERE message_id = ? ORDER BY sequence", arguments: [messageID])
            } else {
                rows = try Row.fetchAll(db, sql: "SELECT * FROM audit_entry ORDER BY sequence")
            }
            return rows.map(Self.auditEntry)
        }
    }

    public func auditTrail(messageIDs: [Int64]) async throws(QuarantineError) -> [AuditEntry] {
        try await read { db in
            var entries: [AuditEntry] = []
            // In slices: SQLite caps the number of bound parameters in one statement.
            for start in stride(from: 0, to: messageIDs.count, by: 500) {
                let slice = Array(messageIDs[start..<min(start + 500, messageIDs.count)])
                let marks = Array(repeating: "?", count: slice.count).joined(separator: ",")
                let rows = try Row.fetchAll(
                    db, sql: "SELECT * FROM audit_entry WHERE message_id IN (\(marks))", arguments: StatementArguments(slice))
                entries += rows.map(Self.auditEntry)
            }
            return entries.sorted { $0.sequence < $1.sequence }
        }
    }

    private static func auditEntry(_ row: Row) -> AuditEntry {
        AuditEntry(
            sequence: row["sequence"],
            entry: NewAuditEntry(
                at: AuditChain.date(milliseconds: row["at_ms"]), actor: row["actor"],
                action: AuditAction(rawValue: row["action"]) ?? .view, messageID: row["message_id"],
                reason: row["reason"], detail: row["detail"]),
            previousHash: row["previous_hash"], hash: row["hash"])
    }

    func read<T: Sendable>(_ body: @Sendable (Database) throws -> T) async throws(QuarantineError) -> T {
        do {
            return try await queue.read { [lockWait, lockWaitSeconds] db in
                lockWait.set(Date().addingTimeInterval(lockWaitSeconds))
                return try body(db)
            }
        } catch let error as QuarantineError {
            throw error
        } catch {
            throw QuarantineError(code: .readFailed, detail: "\(error)")
        }
    }

    private static func fetchMessage(id: Int64, in db: Database) throws -> HeldMessage? {
        try Row.fetchOne(db, sql: "SELECT \(metadataColumns) FROM held_message WHERE id = ?", arguments: [id]).map(decode)
    }

    private static func decode(_ row: Row) throws -> HeldMessage {
        let envelopeText: String = row["envelope"]
        let verdictText: String = row["verdict"]
        return HeldMessage(
            id: row["id"],
            kind: HoldKind(rawValue: row["kind"]) ?? .hold,
            heldAt: ISO8601.date(row["held_at"]) ?? Date(timeIntervalSince1970: 0),
            envelope: try JSON.decode(Envelope.self, envelopeText),
            verdict: try JSON.decode(Verdict.self, verdictText),
            sha256: row["sha256"],
            size: row["size"],
            state: HoldState(rawValue: row["state"]) ?? .held,
            stateReason: row["state_reason"],
            stateChangedBy: row["state_changed_by"],
            stateChangedAt: (row["state_changed_at"] as String?).flatMap(ISO8601.date),
            legalHold: row["legal_hold"],
            reporter: row["reporter"],
            subject: row["subject"]
        )
    }
}

/// Until when SQLite's busy handler keeps waiting for a lock another process holds. The queue
/// runs one operation at a time, so one value serves: each operation sets it before it starts.
final class LockWait: Sendable {
    private let until: Mutex<Date>

    init(until: Date) { self.until = Mutex(until) }

    func set(_ date: Date) { until.withLock { $0 = date } }

    /// Called by SQLite while the lock is taken: sleeps a little and says whether to try again.
    func keepWaiting() -> Bool {
        guard Date() < until.withLock({ $0 }) else { return false }
        usleep(5_000)
        return true
    }
}

/// Times are stored as ISO 8601 text in UTC, readable by people and by PostgreSQL alike.
enum ISO8601 {
    static func string(_ date: Date) -> String {
        date.formatted(.iso8601.year().month().day().time(includingFractionalSeconds: true).timeZone(separator: .omitted))
    }

    static func date(_ text: String) -> Date? {
        try? Date(text, strategy: .iso8601.year().month().day().time(includingFractionalSeconds: true).timeZone(separator: .omitted))
    }
}

/// Envelopes, verdicts and lists are kept as JSON text (sorted keys: stable bytes).
enum JSON {
    static func text(_ value: some Encodable) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return String(decoding: try encoder.encode(value), as: UTF8.self)
    }

    static func decode<T: Decodable>(_ type: T.Type, _ text: String) throws -> T {
        try JSONDecoder().decode(type, from: Data(text.utf8))
    }
}
