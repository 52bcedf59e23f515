import Foundation
import GRDB
import StewardCore

/// The embedded default store: one SQLite file through GRDB (WAL mode, so readers such as
/// `steward quarantine list` never block the milter's writes).
public final class SQLiteQuarantineStore: QuarantineStore {
    private let pool: DatabasePool

    /// Opens (and creates or migrates) the store at `path`.
    public init(path: String) throws(QuarantineError) {
        do {
            let directory = URL(fileURLWithPath: path).deletingLastPathComponent()
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            var configuration = Configuration()
            configuration.busyMode = .timeout(10)
            pool = try DatabasePool(path: path, configuration: configuration)
            try Self.migrator.migrate(pool)
        } catch {
            throw QuarantineError(code: .cannotOpen, detail: "\(path): \(error)")
        }
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
        return migrator
    }

    public func hold(_ message: NewHold) throws(QuarantineError) -> Int64 {
        do {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys]
            let json = { (value: any Encodable) throws -> String in
                String(decoding: try encoder.encode(value), as: UTF8.self)
            }
            let envelope = message.envelope
            let verdict = message.verdict
            let arguments: StatementArguments = [
                envelope.queueID, ISO8601.string(message.heldAt), envelope.sender, try json(envelope.recipients),
                envelope.authUser, envelope.clientAddress, envelope.clientName, verdict.direction.rawValue,
                try json(verdict.branches), verdict.action.rawValue, try json(verdict.findings), try json(verdict),
                try json(envelope), SHA256Hex.digest(message.raw), message.raw.count, Data(message.raw),
                HoldState.held.rawValue,
            ]
            return try pool.write { db in
                try db.execute(
                    sql: """
                        INSERT INTO held_message (queue_id, held_at, sender, recipients, auth_user, client_address,
                          client_name, direction, branches, action, findings, verdict, envelope, sha256, size, raw, state)
                        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                        """, arguments: arguments)
                return db.lastInsertedRowID
            }
        } catch {
            throw QuarantineError(code: .writeFailed, detail: "\(error)")
        }
    }

    private static let metadataColumns = "id, held_at, envelope, verdict, sha256, size, state"

    public func list(limit: Int) throws(QuarantineError) -> [HeldMessage] {
        do {
            return try pool.read { db in
                try Row.fetchAll(
                    db, sql: "SELECT \(Self.metadataColumns) FROM held_message ORDER BY id DESC LIMIT ?",
                    arguments: [limit]
                ).map(Self.decode)
            }
        } catch {
            throw QuarantineError(code: .readFailed, detail: "\(error)")
        }
    }

    public func message(id: Int64) throws(QuarantineError) -> HeldMessage? {
        do {
            return try pool.read { db in
                try Row.fetchOne(db, sql: "SELECT \(Self.metadataColumns) FROM held_message WHERE id = ?", arguments: [id])
                    .map(Self.decode)
            }
        } catch {
            throw QuarantineError(code: .readFailed, detail: "\(error)")
        }
    }

    public func raw(id: Int64) throws(QuarantineError) -> [UInt8]? {
        do {
            return try pool.read { db in
                try Data.fetchOne(db, sql: "SELECT raw FROM held_message WHERE id = ?", arguments: [id]).map { [UInt8]($0) }
            }
        } catch {
            throw QuarantineError(code: .readFailed, detail: "\(error)")
        }
    }

    private static func decode(_ row: Row) throws -> HeldMessage {
        let decoder = JSONDecoder()
        let envelopeText: String = row["envelope"]
        let verdictText: String = row["verdict"]
        let heldAtText: String = row["held_at"]
        let stateText: String = row["state"]
        return HeldMessage(
            id: row["id"],
            heldAt: ISO8601.date(heldAtText) ?? Date(timeIntervalSince1970: 0),
            envelope: try decoder.decode(Envelope.self, from: Data(envelopeText.utf8)),
            verdict: try decoder.decode(Verdict.self, from: Data(verdictText.utf8)),
            sha256: row["sha256"],
            size: row["size"],
            state: HoldState(rawValue: stateText) ?? .held
        )
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
