public import Foundation
import Logging
import PostgresNIO
import StewardCore
import NIOConcurrencyHelpers
public import ServiceLifecycle

/// The store for several mail hosts sharing one quarantine: PostgreSQL through postgres-nio's
/// `PostgresClient`, a pool of connections that reconnects by itself after the server comes
/// back. The pool works only while it runs: `steward serve` runs it as a service of its group
/// (`pool`), a command for its own duration (`withPool`). Audit entries are appended under
/// `LOCK TABLE audit_entry IN EXCLUSIVE MODE`, so hosts writing at once still make one chain.
public final class PostgresQuarantineStore: QuarantineStore {
    public struct Settings: Sendable, Hashable {
        /// The server's Unix socket file (e.g. `/var/run/postgresql/.s.PGSQL.5432`), or nil for TCP.
        public var socketPath: String?
        public var host: String
        public var port: Int
        public var user: String
        public var password: String?
        public var database: String
        /// The most connections this process keeps open to the server (the pool's size).
        public var poolSize: Int

        public init(
            socketPath: String? = nil, host: String = "127.0.0.1", port: Int = 5432, user: String, password: String? = nil,
            database: String, poolSize: Int = 10
        ) {
            self.socketPath = socketPath
            self.host = host
            self.port = port
            self.user = user
            self.password = password
            self.database = database
            self.poolSize = poolSize
        }
    }

    private let settings: Settings
    private let client: PostgresClient
    let logger = Logger(label: "steward.postgres")
    /// How long an operation without a deadline of its own waits for a connection and a lock.
    private let lockWaitSeconds: TimeInterval
    /// The audit key and checkpoint file (the same key on every host sharing the store).
    private let anchor: AuditAnchor?
    /// The connection attempt under way to tell a stopped server from a busy pool (`unreachable`).
    private let probing = NIOLockedValueBox<Task<String?, Never>?>(nil)
    /// The task running the pool when the store runs it itself (`start`), ended with the store.
    private let ownPool = NIOLockedValueBox<Task<Void, Never>?>(nil)

    private init(settings: Settings, anchor: AuditAnchor?, lockWaitSeconds: TimeInterval) {
        self.settings = settings
        self.anchor = anchor
        self.lockWaitSeconds = lockWaitSeconds
        var configuration = Self.endpoint(
            settings,
            socket: { PostgresClient.Configuration(unixSocketPath: $0, username: $1.user, password: $1.password, database: $1.database) },
            tcp: { PostgresClient.Configuration(host: $0.host, port: $0.port, username: $0.user, password: $0.password, database: $0.database, tls: .disable) })
        configuration.options.connectTimeout = .seconds(max(1, Int64(lockWaitSeconds)))
        configuration.options.maximumConnections = max(1, settings.poolSize)
        client = PostgresClient(configuration: configuration, backgroundLogger: logger)
    }

    deinit {
        ownPool.withLockedValue { $0?.cancel() }
    }

    /// Opens the store: creates or migrates the schema on a connection of its own (closed again),
    /// and lets the audit anchor adopt the chain's head. With `anchor`, audit entries are HMACs
    /// with its key and each change leaves a signed checkpoint of the chain's head. The pool is
    /// not running yet: run `pool` (a service of `steward serve`), or `withPool` around the work.
    public static func open(settings: Settings, anchor: AuditAnchor? = nil, lockWaitSeconds: TimeInterval = 10) async throws(QuarantineError) -> PostgresQuarantineStore {
        let store = PostgresQuarantineStore(settings: settings, anchor: anchor, lockWaitSeconds: lockWaitSeconds)
        try await store.prepare()
        return store
    }

    /// `open`, with the pool run by the store itself for as long as the store lives (tests).
    public static func start(settings: Settings, anchor: AuditAnchor? = nil, lockWaitSeconds: TimeInterval = 10) async throws(QuarantineError) -> PostgresQuarantineStore {
        let store = try await open(settings: settings, anchor: anchor, lockWaitSeconds: lockWaitSeconds)
        let client = store.client
        store.ownPool.withLockedValue { $0 = Task.detached(executorPreference: StoreExecutor.shared) { await client.run() } }
        return store
    }

    /// The connection pool as a service: runs until graceful shutdown or cancellation. Every
    /// store operation waits for it (up to its deadline), so it must run while the store is used.
    public var pool: any Service { PoolService(client: client) }

    /// Runs the pool for the duration of `body` (a command line that uses the store, then exits).
    public func withPool<T, E: Error>(_ body: () async throws(E) -> T) async throws(E) -> T {
        let running = Task.detached(executorPreference: StoreExecutor.shared) { [client] in await client.run() }
        defer { running.cancel() }
        return try await body()
    }

    /// The pool, run on the store's own threads (`StoreExecutor`) like every store operation:
    /// the pool's loop opens connections and hands them out, and on Swift's few cooperative
    /// threads it waited while blocking code held them all (seen as "no PostgreSQL connection
    /// within 10 s" with the server idle). Its child tasks inherit the preference.
    private struct PoolService: Service {
        let client: PostgresClient

        func run() async {
            await withTaskExecutorPreference(StoreExecutor.shared) { await client.run() }
        }
    }

    private func prepare() async throws(QuarantineError) {
        let head: AuditEntry?
        do {
            let connection = try await PostgresConnection.connect(
                configuration: connectionConfiguration(), id: 0, logger: logger)
            do {
                try await Self.migrate(connection, logger: logger)
                head = try await self.head(on: connection)
                try? await connection.close()
            } catch {
                try? await connection.close()
                throw error
            }
        } catch {
            throw QuarantineError(code: .cannotOpen, detail: "PostgreSQL \(settings.database): \(Self.describe(error))")
        }
        if let anchor { try anchor.adopt(head: head) }
    }

    /// The one connection `open` migrates on: the pool's settings, outside the pool.
    private func connectionConfiguration() -> PostgresConnection.Configuration {
        var configuration = Self.endpoint(
            settings,
            socket: { PostgresConnection.Configuration(unixSocketPath: $0, username: $1.user, password: $1.password, database: $1.database) },
            tcp: { PostgresConnection.Configuration(host: $0.host, port: $0.port, username: $0.user, password: $0.password, database: $0.database, tls: .disable) })
        configuration.options.connectTimeout = .seconds(max(1, Int64(lockWaitSeconds)))
        return configuration
    }

    /// The server's Unix socket when one is set, else its host and port (no TLS).
    private static func endpoint<C>(_ settings: Settings, socket: (String, Settings) -> C, tcp: (Settings) -> C) -> C {
        if let path = settings.socketPath { return socket(path, settings) }
        return tcp(settings)
    }

    private func head(on connection: PostgresConnection) async throws -> AuditEntry? {
        try await Self.head(on: connection, logger: logger)
    }

    private static func head(on connection: PostgresConnection, logger: Logger) async throws -> AuditEntry? {
        try await connection.query(
            PostgresQuery(unsafeSQL: "SELECT \(Self.auditColumns) FROM audit_entry ORDER BY sequence DESC LIMIT 1"), logger: logger
        ).collect().first.map(Self.auditEntry)
    }

    // MARK: Connection

    /// Leases a connection from the pool for `body`, waiting for one at most until `deadline`
    /// (the server may be down, or every connection busy). Only the wait is cut off: a `body`
    /// that started is never cancelled by it (the server's own timeouts bound it), and once the
    /// wait is over no `body` starts, so no transaction is abandoned midway. The work runs on the
    /// store's own threads (`StoreExecutor`): a transaction holding locks never waits for one of
    /// Swift's few cooperative threads to go on.
    private func withConnection<T: Sendable>(
        until deadline: Date, _ body: @escaping @Sendable (PostgresConnection) async throws -> T
    ) async throws -> T {
        try await withTaskExecutorPreference(StoreExecutor.shared) {
            // nil: waiting for a connection; true: leased, `body` runs; false: the wait is over.
            let lease = NIOLockedValueBox<Bool?>(nil)
            return try await withThrowingTaskGroup(of: T?.self) { group in
                group.addTask { [client] in
                    try await client.withConnection { connection in
                        let start = lease.withLockedValue { state in
                            if state == nil { state = true }
                            return state == true
                        }
                        guard start else { throw QuarantineError(code: .timedOut, detail: "no PostgreSQL connection in time") }
                        return try await body(connection)
                    }
                }
                group.addTask { [self] in
                    let wait = max(0, deadline.timeIntervalSinceNow)
                    func giveUp() -> Bool {
                        lease.withLockedValue { state in
                            if state == nil { state = false }
                            return state == false
                        }
                    }
                    // No connection yet: a stopped server is answered at once, not at the
                    // deadline (the pool itself keeps trying, and gives up only after a minute).
                    try? await Task.sleep(for: .milliseconds(Int64(min(wait, 0.25) * 1000)))
                    if lease.withLockedValue({ $0 == nil }), let problem = await unreachable(), giveUp() {
                        throw QuarantineError(code: .writeFailed, detail: "PostgreSQL cannot be reached (\(problem))")
                    }
                    try? await Task.sleep(for: .milliseconds(Int64(max(0, deadline.timeIntervalSinceNow) * 1000)))
                    if giveUp() { throw QuarantineError(code: .timedOut, detail: "no PostgreSQL connection within \(Int(wait.rounded(.up))) s") }
                    return nil
                }
                while let next = try await group.next() {
                    if let value = next {
                        group.cancelAll()
                        return value
                    }
                }
                throw QuarantineError(code: .readFailed, detail: "no result")
            }
        }
    }

    /// Why the server cannot be connected to now, or nil when it can: one short connection
    /// attempt (at most 2 s), shared by every operation waiting at the time.
    private func unreachable() async -> String? {
        let configuration = probeConfiguration()
        let logger = logger
        let probe = probing.withLockedValue { current in
            if let current { return current }
            let started = Task<String?, Never>(executorPreference: StoreExecutor.shared) {
                do {
                    let connection = try await PostgresConnection.connect(configuration: configuration, id: 0, logger: logger)
                    try? await connection.close()
                    return nil
                } catch {
                    return Self.describe(error)
                }
            }
            current = started
            return started
        }
        let problem = await probe.value
        probing.withLockedValue { if $0 == probe { $0 = nil } }
        return problem
    }

    private func probeConfiguration() -> PostgresConnection.Configuration {
        var configuration = connectionConfiguration()
        configuration.options.connectTimeout = .seconds(min(2, max(1, Int64(lockWaitSeconds))))
        return configuration
    }

    /// Runs `body` in one transaction (committed, or rolled back on any error). With a
    /// `deadline`, the wait for a connection, every statement and every lock wait is cut off at
    /// it (`statement_timeout`, `lock_timeout`), and the transaction is rolled back rather than
    /// committed once it passed. Without one, only the wait for a connection is bounded.
    func transaction<T: Sendable>(
        deadline: Date? = nil, _ body: @escaping @Sendable (PostgresConnection) async throws -> T
    ) async throws(QuarantineError) -> T {
        let until = deadline ?? Date().addingTimeInterval(lockWaitSeconds)
        let logger = logger
        let anchor = anchor
        let committing = NIOLockedValueBox(false)
        @Sendable func work(_ connection: PostgresConnection) async throws -> T {
            _ = try await connection.query("BEGIN", logger: logger).collect()
            do {
                if let deadline {
                    let left = String(max(1, Int(deadline.timeIntervalSinceNow * 1000)))
                    _ = try await connection.query(
                        "SELECT set_config('statement_timeout', \(left), true), set_config('lock_timeout', \(left), true)",
                        logger: logger
                    ).collect()
                }
                let result = try await body(connection)
                if let deadline, Date() >= deadline {
                    throw QuarantineError(code: .timedOut, detail: "the deadline passed before the commit")
                }
                committing.withLockedValue { $0 = true }
                _ = try await connection.query("COMMIT", logger: logger).collect()
                // After the commit, never failing it: a missing checkpoint only shows in
                // `audit verify` as entries the newest checkpoint does not cover yet.
                if let anchor, let newest = try? await Self.head(on: connection, logger: logger) {
                    _ = try? anchor.record(sequence: newest.sequence, hash: newest.hash)
                }
                return result
            } catch {
                // Not cancelled with the caller: the connection goes back to the pool clean.
                await Task(executorPreference: StoreExecutor.shared) {
                    _ = try? await connection.query("ROLLBACK", logger: logger).collect()
                }.value
                throw error
            }
        }
        do {
            guard let deadline else { return try await withConnection(until: until, work) }
            // With a deadline the caller's own wait ends there, even on a server that has
            // stopped answering (see `abandoningAtDeadline`).
            return try await abandoningAtDeadline(
                deadline, isCommitting: { committing.withLockedValue { $0 } },
                late: { _ in logger.warning("a hold answered 451 at its deadline was committed after it; the MTA's retry is recognised as held if the message has a Message-ID") }
            ) { try await self.withConnection(until: until, work) }
        } catch let error as QuarantineError {
            throw error
        } catch {
            if let deadline, Date() >= deadline {
                throw QuarantineError(code: .timedOut, detail: "PostgreSQL did not finish before the deadline (\(Self.describe(error)))")
            }
            throw QuarantineError(code: .writeFailed, detail: Self.describe(error))
        }
    }

    func read<T: Sendable>(_ body: @escaping @Sendable (PostgresConnection) async throws -> T) async throws(QuarantineError) -> T {
        do {
            return try await withConnection(until: Date().addingTimeInterval(lockWaitSeconds), body)
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

    private static func migrate(_ connection: PostgresConnection, logger: Logger) async throws {
        // Hosts started at once on a new database would each create the same tables, and
        // PostgreSQL's catalogue refuses all but one of them (a unique violation): take turns.
        _ = try await connection.query("SELECT pg_advisory_lock(\(schemaLock))", logger: logger).collect()
        do {
            try await createSchema(connection, logger: logger)
        } catch {
            _ = try? await connection.query("SELECT pg_advisory_unlock(\(schemaLock))", logger: logger).collect()
            throw error
        }
        _ = try await connection.query("SELECT pg_advisory_unlock(\(schemaLock))", logger: logger).collect()
    }

    private static func createSchema(_ connection: PostgresConnection, logger: Logger) async throws {
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
        for statement in statements + loginRateSchema + observationSchema { _ = try await connection.query(statement, logger: logger).collect() }
    }

    // MARK: Writing

    public func hold(_ message: NewHold, actor: String) async throws(QuarantineError) -> Int64 {
        try await holdOnce(message, actor: actor).id
    }

    public func holdOnce(_ message: NewHold, actor: String) async throws(QuarantineError) -> HoldOutcome {
        let envelope = message.envelope
        let verdict = message.verdict
        let digest = SHA256Hex.digest(message.raw)
        let retryKey = HoldRetryKey(raw: message.raw)
        return try await transaction(deadline: message.deadline) { [self] connection in
            if let retryKey {
                // Two hosts holding the same retry at once: the second waits and then finds the first.
                _ = try await connection.query("SELECT pg_advisory_xact_lock(hashtext(\(retryKey.digest)))", logger: logger).collect()
                if let window = message.retryWindow,
                    let original = try await heldOriginal(of: message, key: retryKey, window: window, on: connection)
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
            let rows = try await connection.query(insert, logger: logger).collect()
            guard let id = try rows.first?.decode(Int64.self) else { throw QuarantineError(code: .writeFailed, detail: "no id returned") }
            for notice in message.notices {
                _ = try await connection.query(
                    """
                    INSERT INTO notice (recipient, template, branch, message_id, created_at_ms)
                    VALUES (\(notice.recipient), \(notice.template), \(notice.branch), \(id), \(AuditChain.milliseconds(message.heldAt)))
                    """, logger: logger
                ).collect()
            }
            let what = message.kind == .report ? "reported by \(message.reporter ?? "?")" : verdict.findings.map(\.rule).joined(separator: ", ")
            _ = try await append(
                NewAuditEntry(
                    at: message.heldAt, actor: actor, action: message.kind == .report ? .report : .hold, messageID: id,
                    detail: "sha256 \(digest); \(what)"),
                on: connection)
            if let retryKey {
                _ = try await connection.query(
                    "UPDATE held_message SET retry_message_id = \(retryKey.messageID), retry_digest = \(retryKey.digest) WHERE id = \(id)",
                    logger: logger
                ).collect()
            }
            return HoldOutcome(id: id, isRetry: false)
        }
    }

    /// The earlier hold `message` repeats, if any (`HoldRetry`), inside the hold's transaction.
    private func heldOriginal(of message: NewHold, key: HoldRetryKey, window: TimeInterval, on connection: PostgresConnection) async throws -> Int64? {
        let candidates = try await connection.query(
            """
            SELECT id, held_at_ms, sender, recipients FROM held_message
            WHERE retry_digest = \(key.digest) AND retry_message_id = \(key.messageID)
            """, logger: logger
        ).collect().map { row in
            let (id, heldAt, sender, recipients) = try row.decode((Int64, Int64, String, String).self)
            return HoldRetryCandidate(
                id: id, heldAt: AuditChain.date(milliseconds: heldAt), sender: sender,
                recipients: try JSON.decode([String].self, recipients))
        }
        return HoldRetry.original(
            of: message.envelope.sender, recipients: message.envelope.recipients, at: message.heldAt, window: window,
            among: candidates)?.id
    }

    public func apply(_ command: HoldCommand, to id: Int64) async throws(QuarantineError) -> HoldChange {
        try await transaction { [self] connection in
            // FOR UPDATE: hosts deciding on the same message at once take turns.
            guard let row = try await connection.query(
                "SELECT state, legal_hold, sha256 FROM held_message WHERE id = \(id) FOR UPDATE", logger: logger
            ).collect().first else { throw QuarantineError(code: .notFound, detail: "#\(id)") }
            let (state, legalHold, sha256) = try row.decode((String, Bool, String).self)
            let delivered = try await connection.query(
                "SELECT COUNT(*) FROM audit_entry WHERE message_id = \(id) AND action = \(AuditAction.releaseDelivered.rawValue)",
                logger: logger
            ).collect().first?.decode(Int64.self) ?? 0
            let record = HoldRecord(
                id: id, state: HoldState(rawValue: state) ?? .held, legalHold: legalHold, sha256: sha256, releaseDelivered: delivered > 0)
            let effects = try HoldLifecycle.apply(command, to: record, at: Date())
            if effects.content == .removed {
                _ = try await connection.query("DELETE FROM held_message WHERE id = \(id)", logger: logger).collect()
            } else if let change = effects.stateChange {
                let at = AuditChain.milliseconds(change.at)
                let erase = effects.content == .erased
                _ = try await connection.query(
                    """
                    UPDATE held_message SET state = \(change.state.rawValue), state_reason = \(change.reason), state_changed_by = \(change.by),
                      state_changed_at_ms = \(at), raw = CASE WHEN \(erase) THEN ''::bytea ELSE raw END WHERE id = \(id)
                    """, logger: logger
                ).collect()
            }
            if let legalHold = effects.legalHold {
                _ = try await connection.query("UPDATE held_message SET legal_hold = \(legalHold) WHERE id = \(id)", logger: logger).collect()
            }
            let audit = try await append(effects.audit, on: connection)
            return HoldChange(message: try await fetchMessage(id: id, on: connection, forUpdate: false), audit: audit)
        }
    }

    public func enqueueNotices(_ notices: [NewNotice], messageID: Int64) async throws(QuarantineError) {
        try await transaction { [self] connection in
            for notice in notices {
                _ = try await connection.query(
                    """
                    INSERT INTO notice (recipient, template, branch, message_id, created_at_ms)
                    VALUES (\(notice.recipient), \(notice.template), \(notice.branch), \(messageID), \(AuditChain.milliseconds(Date())))
                    """, logger: logger
                ).collect()
            }
        }
    }

    public func pendingNotices() async throws(QuarantineError) -> [Notice] {
        try await read { [self] connection in
            try await connection.query(
                "SELECT id, recipient, template, branch, message_id, created_at_ms FROM notice WHERE sent_at_ms IS NULL ORDER BY id",
                logger: logger
            ).collect().map { row in
                let (id, recipient, template, branch, messageID, created) = try row.decode((Int64, String, String, String, Int64, Int64).self)
                return Notice(
                    id: id, notice: NewNotice(recipient: recipient, template: template, branch: branch), messageID: messageID,
                    createdAt: AuditChain.date(milliseconds: created))
            }
        }
    }

    public func claimNotices(ids: [Int64], claimant: String, until: Date) async throws(QuarantineError) -> Set<Int64> {
        try await transaction { [self] connection in
            let now = AuditChain.milliseconds(Date())
            // SKIP LOCKED: a row another host is claiming right now is left to it, not waited for.
            let rows = try await connection.query(
                """
                UPDATE notice SET claimed_by = \(claimant), claimed_until_ms = \(AuditChain.milliseconds(until))
                WHERE id IN (
                  SELECT id FROM notice
                  WHERE id = ANY(\(ids)) AND sent_at_ms IS NULL
                    AND (claimed_until_ms IS NULL OR claimed_until_ms < \(now) OR claimed_by = \(claimant))
                  FOR UPDATE SKIP LOCKED)
                RETURNING id
                """, logger: logger
            ).collect()
            return Set(try rows.map { try $0.decode(Int64.self) })
        }
    }

    public func lastNoticeSent(to recipient: String) async throws(QuarantineError) -> Date? {
        try await read { [self] connection in
            try await connection.query("SELECT MAX(sent_at_ms) FROM notice WHERE recipient = \(recipient)", logger: logger).collect()
                .first?.decode(Int64?.self).map { AuditChain.date(milliseconds: $0) }
        }
    }

    public func markNoticesSent(_ notices: [Notice], at: Date, actor: String) async throws(QuarantineError) {
        try await transaction { [self] connection in
            for notice in notices {
                _ = try await connection.query("UPDATE notice SET sent_at_ms = \(AuditChain.milliseconds(at)) WHERE id = \(notice.id)", logger: logger).collect()
            }
            for (messageID, group) in Dictionary(grouping: notices, by: \.messageID).sorted(by: { $0.key < $1.key }) {
                let told = group.map { "\($0.notice.template) to \($0.notice.recipient)" }.joined(separator: ", ")
                _ = try await append(NewAuditEntry(at: at, actor: actor, action: .notify, messageID: messageID, detail: told), on: connection)
            }
        }
    }

    @discardableResult
    public func appendAudit(_ entry: NewAuditEntry) async throws(QuarantineError) -> AuditEntry {
        try await transaction { [self] connection in try await append(entry, on: connection) }
    }

    public func setPasswordHash(_ hash: String, login: String, audit: NewAuditEntry) async throws(QuarantineError) {
        try await transaction { [self] connection in
            _ = try await connection.query(
                """
                INSERT INTO review_account (login, password_hash, updated_at_ms) VALUES (\(login), \(hash), \(AuditChain.milliseconds(audit.at)))
                ON CONFLICT (login) DO UPDATE SET password_hash = excluded.password_hash, updated_at_ms = excluded.updated_at_ms
                """, logger: logger
            ).collect()
            _ = try await append(audit, on: connection)
        }
    }

    public func passwordHash(login: String) async throws(QuarantineError) -> String? {
        try await read { [self] connection in
            try await connection.query("SELECT password_hash FROM review_account WHERE login = \(login)", logger: logger).collect()
                .first?.decode(String.self)
        }
    }

    public func setSecondFactor(_ factor: SecondFactor?, login: String, audit: NewAuditEntry) async throws(QuarantineError) {
        try await transaction { [self] connection in
            if let factor {
                let hashes = factor.recoveryHashes.joined(separator: " ")
                _ = try await connection.query(
                    """
                    INSERT INTO review_second_factor (login, secret, recovery_hashes, last_step, updated_at_ms)
                    VALUES (\(login), \(factor.secret), \(hashes), \(factor.lastStep), \(AuditChain.milliseconds(audit.at)))
                    ON CONFLICT (login) DO UPDATE SET secret = excluded.secret, recovery_hashes = excluded.recovery_hashes,
                      last_step = excluded.last_step, updated_at_ms = excluded.updated_at_ms
                    """, logger: logger
                ).collect()
            } else {
                _ = try await connection.query("DELETE FROM review_second_factor WHERE login = \(login)", logger: logger).collect()
            }
            _ = try await append(audit, on: connection)
        }
    }

    public func secondFactor(login: String) async throws(QuarantineError) -> SecondFactor? {
        try await read { [self] connection in
            try await connection.query("SELECT secret, recovery_hashes, last_step FROM review_second_factor WHERE login = \(login)", logger: logger)
                .collect().first.map { row in
                    let (secret, hashes, step) = try row.decode((String, String, Int64).self)
                    return SecondFactor(secret: secret, recoveryHashes: hashes.split(separator: " ").map(String.init), lastStep: step)
                }
        }
    }

    public func useSecondFactor(login: String, step: Int64?, recoveryHash: String?) async throws(QuarantineError) -> Bool {
        try await transaction { [self] connection in
            // FOR UPDATE: two hosts sharing the store cannot both accept the same code.
            guard let row = try await connection.query(
                "SELECT recovery_hashes, last_step FROM review_second_factor WHERE login = \(login) FOR UPDATE", logger: logger
            ).collect().first else { return false }
            let (stored, lastStep) = try row.decode((String, Int64).self)
            if let step {
                guard step > lastStep else { return false }
                _ = try await connection.query("UPDATE review_second_factor SET last_step = \(step) WHERE login = \(login)", logger: logger).collect()
                return true
            }
            var hashes = stored.split(separator: " ").map(String.init)
            guard let recoveryHash, let index = hashes.firstIndex(of: recoveryHash) else { return false }
            hashes.remove(at: index)
            let remaining = hashes.joined(separator: " ")
            _ = try await connection.query("UPDATE review_second_factor SET recovery_hashes = \(remaining) WHERE login = \(login)", logger: logger).collect()
            return true
        }
    }

    /// Appends inside the caller's transaction; the table lock makes hosts take turns.
    private func append(_ new: NewAuditEntry, on connection: PostgresConnection) async throws -> AuditEntry {
        let entry = new.cleaned
        _ = try await connection.query("LOCK TABLE audit_entry IN EXCLUSIVE MODE", logger: logger).collect()
        let last = try await connection.query("SELECT sequence, hash FROM audit_entry ORDER BY sequence DESC LIMIT 1", logger: logger).collect().first
        let (lastSequence, lastHash) = try last?.decode((Int64, String).self) ?? (Int64(0), AuditChain.genesis)
        let sequence = lastSequence + 1
        let hash = AuditChain.hash(sequence: sequence, entry: entry, previousHash: lastHash, anchor: anchor)
        _ = try await connection.query(
            """
            INSERT INTO audit_entry (sequence, at_ms, actor, action, message_id, reason, detail, previous_hash, hash)
            VALUES (\(sequence), \(AuditChain.milliseconds(entry.at)), \(entry.actor), \(entry.action.rawValue), \(entry.messageID),
              \(entry.reason), \(entry.detail), \(lastHash), \(hash))
            """, logger: logger
        ).collect()
        return AuditEntry(sequence: sequence, entry: entry, previousHash: lastHash, hash: hash)
    }

    // MARK: Reading

    private static let metadataColumns = """
        id, kind, held_at_ms, envelope, verdict, sha256, size, state, state_reason, state_changed_by, state_changed_at_ms,
        legal_hold, reporter, subject
        """

    public func list(_ query: QuarantineQuery) async throws(QuarantineError) -> [HeldMessage] {
        try await read { [self] connection in
            // Newest first, narrowed in Swift by the same `matches` every backend uses.
            var result: [HeldMessage] = []
            let rows = try await connection.query(
                PostgresQuery(unsafeSQL: "SELECT \(Self.metadataColumns) FROM held_message ORDER BY id DESC"), logger: logger
            ).collect()
            for row in rows {
                let message = try Self.decode(row)
                if query.matches(message) { result.append(message) }
                if result.count >= query.limit { break }
            }
            return result
        }
    }

    public func message(id: Int64) async throws(QuarantineError) -> HeldMessage? {
        try await read { [self] connection in try await fetchMessage(id: id, on: connection, forUpdate: false) }
    }

    public func raw(id: Int64) async throws(QuarantineError) -> [UInt8]? {
        try await read { [self] connection in
            guard let row = try await connection.query("SELECT raw, state FROM held_message WHERE id = \(id)", logger: logger).collect().first
            else { return nil }
            let (raw, state) = try row.decode((Data, String).self)
            return state == HoldState.deleted.rawValue ? nil : [UInt8](raw)
        }
    }

    public func auditTrail(messageID: Int64?) async throws(QuarantineError) -> [AuditEntry] {
        try await read { [self] connection in
            let columns = Self.auditColumns
            let rows: [PostgresRow]
            if let messageID {
                var bindings = PostgresBindings()
                bindings.append(messageID)
                rows = try await connection.query(
                    PostgresQuery(unsafeSQL: "SELECT \(columns) FROM audit_entry WHERE message_id = $1 ORDER BY sequence", binds: bindings),
                    logger: logger
                ).collect()
            } else {
                rows = try await connection.query(PostgresQuery(unsafeSQL: "SELECT \(columns) FROM audit_entry ORDER BY sequence"), logger: logger).collect()
            }
            return try rows.map(Self.auditEntry)
        }
    }

    public func auditTrail(messageIDs: [Int64]) async throws(QuarantineError) -> [AuditEntry] {
        guard !messageIDs.isEmpty else { return [] }
        return try await read { [self] connection in
            var bindings = PostgresBindings()
            bindings.append(messageIDs)
            let rows = try await connection.query(
                PostgresQuery(
                    unsafeSQL: "SELECT \(Self.auditColumns) FROM audit_entry WHERE message_id = ANY($1) ORDER BY sequence", binds: bindings),
                logger: logger
            ).collect()
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

    private func fetchMessage(id: Int64, on connection: PostgresConnection, forUpdate: Bool) async throws -> HeldMessage? {
        var bindings = PostgresBindings()
        bindings.append(id)
        let sql = "SELECT \(Self.metadataColumns) FROM held_message WHERE id = $1" + (forUpdate ? " FOR UPDATE" : "")
        return try await connection.query(PostgresQuery(unsafeSQL: sql, binds: bindings), logger: logger).collect().first.map(Self.decode)
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

/// The threads PostgreSQL work resumes on (a dispatch queue's), apart from Swift's cooperative
/// ones, which the review app or a busy test run may keep occupied while a transaction holds
/// its locks.
final class StoreExecutor: TaskExecutor {
    static let shared = StoreExecutor()
    private let queue = DispatchQueue(label: "steward.postgres", attributes: .concurrent)

    func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        queue.async { job.runSynchronously(on: self.asUnownedTaskExecutor()) }
    }
}
