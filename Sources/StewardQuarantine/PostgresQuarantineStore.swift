public import Foundation
import Logging
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix
import PostgresNIO
import StewardCore

/// The store for several mail hosts sharing one quarantine: PostgreSQL through postgres-nio.
///
/// The `QuarantineStore` methods are synchronous (the milter calls them from libmilter's
/// threads), so each waits on postgres-nio's EventLoopFuture API; that runs on NIO's own event
/// loop, never on Swift's cooperative pool, so waiting cannot starve it. One connection, used by
/// one caller at a time, is enough for the rate at which mail is held; it is reopened after a
/// failure. Audit entries are appended under `LOCK TABLE audit_entry IN EXCLUSIVE MODE`, so
/// hosts writing at once still make one chain.
public final class PostgresQuarantineStore: QuarantineStore, @unchecked Sendable {
    public struct Settings: Sendable, Hashable {
        /// The server's Unix socket file (e.g. `/var/run/postgresql/.s.PGSQL.5432`), or nil for TCP.
        public var socketPath: String?
        public var host: String
        public var port: Int
        public var user: String
        public var password: String?
        public var database: String

        public init(socketPath: String? = nil, host: String = "127.0.0.1", port: Int = 5432, user: String, password: String? = nil, database: String) {
            self.socketPath = socketPath
            self.host = host
            self.port = port
            self.user = user
            self.password = password
            self.database = database
        }
    }

    private let settings: Settings
    private let lock = NIOLock()
    private var connection: PostgresConnection?
    private let logger = Logger(label: "steward.postgres")

    /// The audit key and checkpoint file (the same key on every host sharing the store).
    private let anchor: AuditAnchor?

    /// Connects and creates or migrates the schema. With `anchor`, audit entries are HMACs with
    /// its key and each change leaves a signed checkpoint of the chain's head.
    public init(settings: Settings, anchor: AuditAnchor? = nil) throws(QuarantineError) {
        self.settings = settings
        self.anchor = anchor
        do {
            try withConnection { connection in try Self.migrate(connection, logger: self.logger) }
        } catch {
            throw QuarantineError(code: .cannotOpen, detail: "PostgreSQL \(settings.database): \(Self.describe(error))")
        }
        if let anchor { try anchor.adopt(head: try head()) }
    }

    /// The newest audit entry.
    private func head() throws(QuarantineError) -> AuditEntry? {
        try read { connection in try head(on: connection) }
    }

    private func head(on connection: PostgresConnection) throws -> AuditEntry? {
        try connection.query(
            PostgresQuery(unsafeSQL: "SELECT \(Self.auditColumns) FROM audit_entry ORDER BY sequence DESC LIMIT 1"), logger: logger
        ).wait().first.map(Self.auditEntry)
    }

    deinit {
        try? connection?.close().wait()
    }

    // MARK: Connection

    private func withConnection<T>(_ body: (PostgresConnection) throws -> T) throws -> T {
        try lock.withLock {
            let current: PostgresConnection
            if let connection, !connection.isClosed {
                current = connection
            } else {
                let configuration: PostgresConnection.Configuration
                if let socket = settings.socketPath {
                    configuration = .init(unixSocketPath: socket, username: settings.user, password: settings.password, database: settings.database)
                } else {
                    configuration = .init(
                        host: settings.host, port: settings.port, username: settings.user, password: settings.password,
                        database: settings.database, tls: .disable)
                }
                current = try PostgresConnection.connect(
                    on: MultiThreadedEventLoopGroup.singleton.next(), configuration: configuration, id: 1, logger: logger
                ).wait()
                connection = current
            }
            return try body(current)
        }
    }

    /// Runs `body` in one transaction (committed, or rolled back on any error). With a
    /// `deadline`, every statement and lock wait is cut off at it (`statement_timeout`,
    /// `lock_timeout`), and the transaction is rolled back rather than committed once it passed.
    func transaction<T>(deadline: Date? = nil, _ body: (PostgresConnection) throws -> T) throws(QuarantineError) -> T {
        do {
            return try withConnection { connection in
                _ = try connection.query("BEGIN", logger: logger).wait()
                do {
                    if let deadline {
                        let left = String(max(1, Int(deadline.timeIntervalSinceNow * 1000)))
                        _ = try connection.query(
                            "SELECT set_config('statement_timeout', \(left), true), set_config('lock_timeout', \(left), true)",
                            logger: logger
                        ).wait()
                    }
                    let result = try body(connection)
                    if let deadline, Date() >= deadline {
                        throw QuarantineError(code: .timedOut, detail: "the deadline passed before the commit")
                    }
                    _ = try connection.query("COMMIT", logger: logger).wait()
                    // After the commit, never failing it: a missing checkpoint only shows in
                    // `audit verify` as entries the newest checkpoint does not cover yet.
                    if let anchor, let newest = try? head(on: connection) {
                        _ = try? anchor.record(sequence: newest.sequence, hash: newest.hash)
                    }
                    return result
                } catch {
                    _ = try? connection.query("ROLLBACK", logger: logger).wait()
                    throw error
                }
            }
        } catch let error as QuarantineError {
            throw error
        } catch {
            if let deadline, Date() >= deadline {
                throw QuarantineError(code: .timedOut, detail: "PostgreSQL did not finish before the deadline (\(Self.describe(error)))")
            }
            throw QuarantineError(code: .writeFailed, detail: Self.describe(error))
        }
    }

    func read<T>(_ body: (PostgresConnection) throws -> T) throws(QuarantineError) -> T {
        do {
            return try withConnection(body)
        } catch let error as QuarantineError {
            throw error
        } catch {
            throw QuarantineError(code: .readFailed, detail: Self.describe(error))
        }
    }

    /// What went wrong, for the log: postgres-nio's errors say nothing by default (to keep
    /// queries out of logs); their code and the server's message are enough to act on.
    static func describe(_ error: any Error) -> String {
        guard let error = error as? PSQLError else { return "\(error)" }
        let server = [error.serverInfo?[.sqlState], error.serverInfo?[.message]].compactMap { $0 }.joined(separator: " ")
        return "PostgreSQL: \(error.code)" + (server.isEmpty ? "" : " (\(server))")
    }

    /// The advisory lock hosts take turns under while creating or migrating the schema (outside
    /// the 32-bit range of the `hashtext` keys a hold locks).
    static let schemaLock: Int64 = 0x5374_6577_6172_6401

    private static func migrate(_ connection: PostgresConnection, logger: Logger) throws {
        // Hosts started at once on a new database would each create the same tables, and
        // PostgreSQL's catalogue refuses all but one of them (a unique violation): take turns.
        _ = try connection.query("SELECT pg_advisory_lock(\(schemaLock))", logger: logger).wait()
        defer { _ = try? connection.query("SELECT pg_advisory_unlock(\(schemaLock))", logger: logger).wait() }
        let statements: [PostgresQuery] = [
            """
            CREATE TABLE IF NOT EXISTS held_message (
              id BIGSERIAL PRIMARY KEY, kind TEXT NOT NULL, queue_id TEXT, held_at_ms BIGINT NOT NULL,
              sender TEXT NOT NULL, recipients TEXT NOT NULL, auth_user TEXT, client_address TEXT, client_name TEXT,
              direction TEXT NOT NULL, branches TEXT NOT NULL, action TEXT NOT NULL, findings TEXT NOT NULL,
              verdict TEXT NOT NULL, envelope TEXT NOT NULL, sha256 TEXT NOT NULL, size BIGINT NOT NULL, raw BYTEA NOT NULL,
              state TEXT NOT NULL, subject TEXT NOT NULL DEFAULT '', reporter TEXT, state_reason TEXT,
              state_changed_by TEXT, state_changed_at_ms BIGINT, legal_hold BOOLEAN NOT NULL DEFAULT FALSE)
            """,
            """
            CREATE TABLE IF NOT EXISTS audit_entry (
              sequence BIGINT PRIMARY KEY, at_ms BIGINT NOT NULL, actor TEXT NOT NULL, action TEXT NOT NULL,
              message_id BIGINT, reason TEXT, detail TEXT, previous_hash TEXT NOT NULL UNIQUE, hash TEXT NOT NULL)
            """,
            """
            CREATE TABLE IF NOT EXISTS notice (
              id BIGSERIAL PRIMARY KEY, recipient TEXT NOT NULL, template TEXT NOT NULL, branch TEXT NOT NULL,
              message_id BIGINT NOT NULL, created_at_ms BIGINT NOT NULL, sent_at_ms BIGINT)
            """,
            """
            CREATE TABLE IF NOT EXISTS review_account (
              login TEXT PRIMARY KEY, password_hash TEXT NOT NULL, updated_at_ms BIGINT NOT NULL)
            """,
            """
            CREATE TABLE IF NOT EXISTS review_second_factor (
              login TEXT PRIMARY KEY, secret TEXT NOT NULL, recovery_hashes TEXT NOT NULL, last_step BIGINT NOT NULL,
              updated_at_ms BIGINT NOT NULL)
            """,
            "CREATE INDEX IF NOT EXISTS audit_entry_message ON audit_entry (message_id)",
            "CREATE INDEX IF NOT EXISTS notice_pending ON notice (sent_at_ms, recipient)",
            // What recognises a retry of a held message (HoldRetryKey); empty for older holds.
            "ALTER TABLE held_message ADD COLUMN IF NOT EXISTS retry_message_id TEXT",
            "ALTER TABLE held_message ADD COLUMN IF NOT EXISTS retry_digest TEXT",
            "CREATE INDEX IF NOT EXISTS held_message_retry ON held_message (retry_digest)",
            // Who is sending a notice, and until when the claim holds (a host that died mid-send).
            "ALTER TABLE notice ADD COLUMN IF NOT EXISTS claimed_by TEXT",
            "ALTER TABLE notice ADD COLUMN IF NOT EXISTS claimed_until_ms BIGINT",
        ]
        for statement in statements + loginRateSchema + observationSchema { _ = try connection.query(statement, logger: logger).wait() }
    }

    // MARK: Writing

    public func hold(_ message: NewHold, actor: String) throws(QuarantineError) -> Int64 {
        try holdOnce(message, actor: actor).id
    }

    public func holdOnce(_ message: NewHold, actor: String) throws(QuarantineError) -> HoldOutcome {
        let envelope = message.envelope
        let verdict = message.verdict
        let digest = SHA256Hex.digest(message.raw)
        let retryKey = HoldRetryKey(raw: message.raw)
        return try transaction(deadline: message.deadline) { connection in
            if let retryKey {
                // Two hosts holding the same retry at once: the second waits and then finds the first.
                _ = try connection.query("SELECT pg_advisory_xact_lock(hashtext(\(retryKey.digest)))", logger: logger).wait()
                if let window = message.retryWindow,
                    let original = try heldOriginal(of: message, key: retryKey, window: window, on: connection)
                {
                    return HoldOutcome(id: original, isRetry: true)
                }
            }
            let recipients = try JSON.text(envelope.recipients)
            let branches = try JSON.text(verdict.branches)
            let findings = try JSON.text(verdict.findings)
            let verdictText = try JSON.text(verdict)
            let envelopeText = try JSON.text(envelope)
            let insert: PostgresQuery = try """
                INSERT INTO held_message (kind, queue_id, held_at_ms, sender, recipients, auth_user, client_address, client_name,
                  direction, branches, action, findings, verdict, envelope, sha256, size, raw, state, subject, reporter)
                VALUES (\(message.kind.rawValue), \(envelope.queueID), \(AuditChain.milliseconds(message.heldAt)), \(envelope.sender),
                  \(recipients), \(envelope.authUser), \(envelope.clientAddress), \(envelope.clientName), \(verdict.direction.rawValue),
                  \(branches), \(verdict.action.rawValue), \(findings), \(verdictText), \(envelopeText), \(digest),
                  \(Int64(message.raw.count)), \(Data(message.raw)), \(HoldState.held.rawValue), \(message.subject), \(message.reporter))
                RETURNING id
                """
            let rows = try connection.query(insert, logger: logger).wait()
            guard let id = try rows.first?.decode(Int64.self) else { throw QuarantineError(code: .writeFailed, detail: "no id returned") }
            for notice in message.notices {
                _ = try connection.query(
                    """
                    INSERT INTO notice (recipient, template, branch, message_id, created_at_ms)
                    VALUES (\(notice.recipient), \(notice.template), \(notice.branch), \(id), \(AuditChain.milliseconds(message.heldAt)))
                    """, logger: logger
                ).wait()
            }
            let what = message.kind == .report ? "reported by \(message.reporter ?? "?")" : verdict.findings.map(\.rule).joined(separator: ", ")
            _ = try append(
                NewAuditEntry(
                    at: message.heldAt, actor: actor, action: message.kind == .report ? .report : .hold, messageID: id,
                    detail: "sha256 \(digest); \(what)"),
                on: connection)
            if let retryKey {
                _ = try connection.query(
                    "UPDATE held_message SET retry_message_id = \(retryKey.messageID), retry_digest = \(retryKey.digest) WHERE id = \(id)",
                    logger: logger
                ).wait()
            }
            return HoldOutcome(id: id, isRetry: false)
        }
    }

    /// The earlier hold `message` repeats, if any (`HoldRetry`), inside the hold's transaction.
    private func heldOriginal(of message: NewHold, key: HoldRetryKey, window: TimeInterval, on connection: PostgresConnection) throws -> Int64? {
        let candidates = try connection.query(
            """
            SELECT id, held_at_ms, sender, recipients FROM held_message
            WHERE retry_digest = \(key.digest) AND retry_message_id = \(key.messageID)
            """, logger: logger
        ).wait().map { row in
            let (id, heldAt, sender, recipients) = try row.decode((Int64, Int64, String, String).self)
            return HoldRetryCandidate(
                id: id, heldAt: AuditChain.date(milliseconds: heldAt), sender: sender,
                recipients: try JSON.decode([String].self, recipients))
        }
        return HoldRetry.original(
            of: message.envelope.sender, recipients: message.envelope.recipients, at: message.heldAt, window: window,
            among: candidates)?.id
    }

    public func apply(_ command: HoldCommand, to id: Int64) throws(QuarantineError) -> HoldChange {
        try transaction { connection in
            // FOR UPDATE: hosts deciding on the same message at once take turns.
            guard let row = try connection.query(
                "SELECT state, legal_hold, sha256 FROM held_message WHERE id = \(id) FOR UPDATE", logger: logger
            ).wait().first else { throw QuarantineError(code: .notFound, detail: "#\(id)") }
            let (state, legalHold, sha256) = try row.decode((String, Bool, String).self)
            let delivered = try connection.query(
                "SELECT COUNT(*) FROM audit_entry WHERE message_id = \(id) AND action = \(AuditAction.releaseDelivered.rawValue)",
                logger: logger
            ).wait().first?.decode(Int64.self) ?? 0
            let record = HoldRecord(
                id: id, state: HoldState(rawValue: state) ?? .held, legalHold: legalHold, sha256: sha256, releaseDelivered: delivered > 0)
            let effects = try HoldLifecycle.apply(command, to: record, at: Date())
            if effects.content == .removed {
                _ = try connection.query("DELETE FROM held_message WHERE id = \(id)", logger: logger).wait()
            } else if let change = effects.stateChange {
                let at = AuditChain.milliseconds(change.at)
                let erase = effects.content == .erased
                _ = try connection.query(
                    """
                    UPDATE held_message SET state = \(change.state.rawValue), state_reason = \(change.reason), state_changed_by = \(change.by),
                      state_changed_at_ms = \(at), raw = CASE WHEN \(erase) THEN ''::bytea ELSE raw END WHERE id = \(id)
                    """, logger: logger
                ).wait()
            }
            if let legalHold = effects.legalHold {
                _ = try connection.query("UPDATE held_message SET legal_hold = \(legalHold) WHERE id = \(id)", logger: logger).wait()
            }
            let audit = try append(effects.audit, on: connection)
            return HoldChange(message: try fetchMessage(id: id, on: connection, forUpdate: false), audit: audit)
        }
    }

    public func enqueueNotices(_ notices: [NewNotice], messageID: Int64) throws(QuarantineError) {
        try transaction { connection in
            for notice in notices {
                _ = try connection.query(
                    """
                    INSERT INTO notice (recipient, template, branch, message_id, created_at_ms)
                    VALUES (\(notice.recipient), \(notice.template), \(notice.branch), \(messageID), \(AuditChain.milliseconds(Date())))
                    """, logger: logger
                ).wait()
            }
        }
    }

    public func pendingNotices() throws(QuarantineError) -> [Notice] {
        try read { connection in
            try connection.query(
                "SELECT id, recipient, template, branch, message_id, created_at_ms FROM notice WHERE sent_at_ms IS NULL ORDER BY id",
                logger: logger
            ).wait().map { row in
                let (id, recipient, template, branch, messageID, created) = try row.decode((Int64, String, String, String, Int64, Int64).self)
                return Notice(
                    id: id, notice: NewNotice(recipient: recipient, template: template, branch: branch), messageID: messageID,
                    createdAt: AuditChain.date(milliseconds: created))
            }
        }
    }

    public func claimNotices(ids: [Int64], claimant: String, until: Date) throws(QuarantineError) -> Set<Int64> {
        try transaction { connection in
            let now = AuditChain.milliseconds(Date())
            // SKIP LOCKED: a row another host is claiming right now is left to it, not waited for.
            let rows = try connection.query(
                """
                UPDATE notice SET claimed_by = \(claimant), claimed_until_ms = \(AuditChain.milliseconds(until))
                WHERE id IN (
                  SELECT id FROM notice
                  WHERE id = ANY(\(ids)) AND sent_at_ms IS NULL
                    AND (claimed_until_ms IS NULL OR claimed_until_ms < \(now) OR claimed_by = \(claimant))
                  FOR UPDATE SKIP LOCKED)
                RETURNING id
                """, logger: logger
            ).wait()
            return Set(try rows.map { try $0.decode(Int64.self) })
        }
    }

    public func lastNoticeSent(to recipient: String) throws(QuarantineError) -> Date? {
        try read { connection in
            try connection.query("SELECT MAX(sent_at_ms) FROM notice WHERE recipient = \(recipient)", logger: logger).wait()
                .first?.decode(Int64?.self).map { AuditChain.date(milliseconds: $0) }
        }
    }

    public func markNoticesSent(_ notices: [Notice], at: Date, actor: String) throws(QuarantineError) {
        try transaction { connection in
            for notice in notices {
                _ = try connection.query("UPDATE notice SET sent_at_ms = \(AuditChain.milliseconds(at)) WHERE id = \(notice.id)", logger: logger).wait()
            }
            for (messageID, group) in Dictionary(grouping: notices, by: \.messageID).sorted(by: { $0.key < $1.key }) {
                let told = group.map { "\($0.notice.template) to \($0.notice.recipient)" }.joined(separator: ", ")
                _ = try append(NewAuditEntry(at: at, actor: actor, action: .notify, messageID: messageID, detail: told), on: connection)
            }
        }
    }

    @discardableResult
    public func appendAudit(_ entry: NewAuditEntry) throws(QuarantineError) -> AuditEntry {
        try transaction { connection in try append(entry, on: connection) }
    }

    public func setPasswordHash(_ hash: String, login: String, audit: NewAuditEntry) throws(QuarantineError) {
        try transaction { connection in
            _ = try connection.query(
                """
                INSERT INTO review_account (login, password_hash, updated_at_ms) VALUES (\(login), \(hash), \(AuditChain.milliseconds(audit.at)))
                ON CONFLICT (login) DO UPDATE SET password_hash = excluded.password_hash, updated_at_ms = excluded.updated_at_ms
                """, logger: logger
            ).wait()
            _ = try append(audit, on: connection)
        }
    }

    public func passwordHash(login: String) throws(QuarantineError) -> String? {
        try read { connection in
            try connection.query("SELECT password_hash FROM review_account WHERE login = \(login)", logger: logger).wait()
                .first?.decode(String.self)
        }
    }

    public func setSecondFactor(_ factor: SecondFactor?, login: String, audit: NewAuditEntry) throws(QuarantineError) {
        try transaction { connection in
            if let factor {
                let hashes = factor.recoveryHashes.joined(separator: " ")
                _ = try connection.query(
                    """
                    INSERT INTO review_second_factor (login, secret, recovery_hashes, last_step, updated_at_ms)
                    VALUES (\(login), \(factor.secret), \(hashes), \(factor.lastStep), \(AuditChain.milliseconds(audit.at)))
                    ON CONFLICT (login) DO UPDATE SET secret = excluded.secret, recovery_hashes = excluded.recovery_hashes,
                      last_step = excluded.last_step, updated_at_ms = excluded.updated_at_ms
                    """, logger: logger
                ).wait()
            } else {
                _ = try connection.query("DELETE FROM review_second_factor WHERE login = \(login)", logger: logger).wait()
            }
            _ = try append(audit, on: connection)
        }
    }

    public func secondFactor(login: String) throws(QuarantineError) -> SecondFactor? {
        try read { connection in
            try connection.query("SELECT secret, recovery_hashes, last_step FROM review_second_factor WHERE login = \(login)", logger: logger)
                .wait().first.map { row in
                    let (secret, hashes, step) = try row.decode((String, String, Int64).self)
                    return SecondFactor(secret: secret, recoveryHashes: hashes.split(separator: " ").map(String.init), lastStep: step)
                }
        }
    }

    public func useSecondFactor(login: String, step: Int64?, recoveryHash: String?) throws(QuarantineError) -> Bool {
        try transaction { connection in
            // FOR UPDATE: two hosts sharing the store cannot both accept the same code.
            guard let row = try connection.query(
                "SELECT recovery_hashes, last_step FROM review_second_factor WHERE login = \(login) FOR UPDATE", logger: logger
            ).wait().first else { return false }
            let (stored, lastStep) = try row.decode((String, Int64).self)
            if let step {
                guard step > lastStep else { return false }
                _ = try connection.query("UPDATE review_second_factor SET last_step = \(step) WHERE login = \(login)", logger: logger).wait()
                return true
            }
            var hashes = stored.split(separator: " ").map(String.init)
            guard let recoveryHash, let index = hashes.firstIndex(of: recoveryHash) else { return false }
            hashes.remove(at: index)
            let remaining = hashes.joined(separator: " ")
            _ = try connection.query("UPDATE review_second_factor SET recovery_hashes = \(remaining) WHERE login = \(login)", logger: logger).wait()
            return true
        }
    }

    /// Appends inside the caller's transaction; the table lock makes hosts take turns.
    private func append(_ new: NewAuditEntry, on connection: PostgresConnection) throws -> AuditEntry {
        let entry = new.cleaned
        _ = try connection.query("LOCK TABLE audit_entry IN EXCLUSIVE MODE", logger: logger).wait()
        let last = try connection.query("SELECT sequence, hash FROM audit_entry ORDER BY sequence DESC LIMIT 1", logger: logger).wait().first
        let (lastSequence, lastHash) = try last?.decode((Int64, String).self) ?? (Int64(0), AuditChain.genesis)
        let sequence = lastSequence + 1
        let hash = AuditChain.hash(sequence: sequence, entry: entry, previousHash: lastHash, anchor: anchor)
        _ = try connection.query(
            """
            INSERT INTO audit_entry (sequence, at_ms, actor, action, message_id, reason, detail, previous_hash, hash)
            VALUES (\(sequence), \(AuditChain.milliseconds(entry.at)), \(entry.actor), \(entry.action.rawValue), \(entry.messageID),
              \(entry.reason), \(entry.detail), \(lastHash), \(hash))
            """, logger: logger
        ).wait()
        return AuditEntry(sequence: sequence, entry: entry, previousHash: lastHash, hash: hash)
    }

    // MARK: Reading

    private static let metadataColumns = """
        id, kind, held_at_ms, envelope, verdict, sha256, size, state, state_reason, state_changed_by, state_changed_at_ms,
        legal_hold, reporter, subject
        """

    public func list(_ query: QuarantineQuery) throws(QuarantineError) -> [HeldMessage] {
        try read { connection in
            // Newest first, narrowed in Swift by the same `matches` every backend uses.
            var result: [HeldMessage] = []
            let rows = try connection.query(
                PostgresQuery(unsafeSQL: "SELECT \(Self.metadataColumns) FROM held_message ORDER BY id DESC"), logger: logger
            ).wait()
            for row in rows {
                let message = try Self.decode(row)
                if query.matches(message) { result.append(message) }
                if result.count >= query.limit { break }
            }
            return result
        }
    }

    public func message(id: Int64) throws(QuarantineError) -> HeldMessage? {
        try read { connection in try fetchMessage(id: id, on: connection, forUpdate: false) }
    }

    public func raw(id: Int64) throws(QuarantineError) -> [UInt8]? {
        try read { connection in
            guard let row = try connection.query("SELECT raw, state FROM held_message WHERE id = \(id)", logger: logger).wait().first
            else { return nil }
            let (raw, state) = try row.decode((Data, String).self)
            return state == HoldState.deleted.rawValue ? nil : [UInt8](raw)
        }
    }

    public func auditTrail(messageID: Int64?) throws(QuarantineError) -> [AuditEntry] {
        try read { connection in
            let columns = Self.auditColumns
            let rows: PostgresQueryResult
            if let messageID {
                var bindings = PostgresBindings()
                bindings.append(messageID)
                rows = try connection.query(
                    PostgresQuery(unsafeSQL: "SELECT \(columns) FROM audit_entry WHERE message_id = $1 ORDER BY sequence", binds: bindings),
                    logger: logger
                ).wait()
            } else {
                rows = try connection.query(PostgresQuery(unsafeSQL: "SELECT \(columns) FROM audit_entry ORDER BY sequence"), logger: logger).wait()
            }
            return try rows.map(Self.auditEntry)
        }
    }

    public func auditTrail(messageIDs: [Int64]) throws(QuarantineError) -> [AuditEntry] {
        guard !messageIDs.isEmpty else { return [] }
        return try read { connection in
            var bindings = PostgresBindings()
            bindings.append(messageIDs)
            let rows = try connection.query(
                PostgresQuery(
                    unsafeSQL: "SELECT \(Self.auditColumns) FROM audit_entry WHERE message_id = ANY($1) ORDER BY sequence", binds: bindings),
                logger: logger
            ).wait()
            return try rows.map(Self.auditEntry)
        }
    }

    private static let auditColumns = "sequence, at_ms, actor, action, message_id, reason, detail, previous_hash, hash"

    private static func auditEntry(_ row: PostgresRow) throws -> AuditEntry {
        let (sequence, at, actor, action, message, reason, detail, previous, hash) =
            try row.decode((Int64, Int64, String, String, Int64?, String?, String?, String, String).self)
        return AuditEntry(
            sequence: sequence,
            entry: NewAuditEntry(
                at: AuditChain.date(milliseconds: at), actor: actor, action: AuditAction(rawValue: action) ?? .view,
                messageID: message, reason: reason, detail: detail),
            previousHash: previous, hash: hash)
    }

    private func fetchMessage(id: Int64, on connection: PostgresConnection, forUpdate: Bool) throws -> HeldMessage? {
        var bindings = PostgresBindings()
        bindings.append(id)
        let sql = "SELECT \(Self.metadataColumns) FROM held_message WHERE id = $1" + (forUpdate ? " FOR UPDATE" : "")
        return try connection.query(PostgresQuery(unsafeSQL: sql, binds: bindings), logger: logger).wait().first.map(Self.decode)
    }

    private static func decode(_ row: PostgresRow) throws -> HeldMessage {
        let (id, kind, heldAt, envelope, verdict, sha256, size, state, reason, changedBy, changedAt, legalHold, reporter, subject) =
            try row.decode((Int64, String, Int64, String, String, String, Int64, String, String?, String?, Int64?, Bool, String?, String).self)
        return HeldMessage(
            id: id, kind: HoldKind(rawValue: kind) ?? .hold, heldAt: AuditChain.date(milliseconds: heldAt),
            envelope: try JSON.decode(Envelope.self, envelope), verdict: try JSON.decode(Verdict.self, verdict), sha256: sha256,
            size: Int(size), state: HoldState(rawValue: state) ?? .held, stateReason: reason, stateChangedBy: changedBy,
            stateChangedAt: changedAt.map(AuditChain.date(milliseconds:)), legalHold: legalHold, reporter: reporter, subject: subject)
    }
}
