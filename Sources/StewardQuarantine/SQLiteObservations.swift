public import Foundation
import GRDB

extension SQLiteQuarantineStore: PolicyObservationStore {
    /// One row per observation: what it is filtered by in columns, the rest as JSON.
    static func createObservationTables(_ db: Database) throws {
        try db.execute(sql: """
            CREATE TABLE policy_observation (
              id INTEGER PRIMARY KEY, at_ms INTEGER NOT NULL, branch TEXT NOT NULL, kind TEXT NOT NULL, record TEXT NOT NULL);
            CREATE INDEX policy_observation_branch ON policy_observation (branch, kind, at_ms);
            """)
    }

    public func record(_ observations: [PolicyObservation]) async throws(QuarantineError) {
        guard !observations.isEmpty else { return }
        try await write { db in
            for observation in observations {
                try db.execute(
                    sql: "INSERT INTO policy_observation (at_ms, branch, kind, record) VALUES (?, ?, ?, ?)",
                    arguments: [
                        AuditChain.milliseconds(observation.at), observation.branch, observation.kind.rawValue, try JSON.text(observation),
                    ])
            }
        }
    }

    public func observations(branch: String, kinds: Set<PolicyObservation.Kind>, since: Date) async throws(QuarantineError) -> [PolicyObservation] {
        let names = kinds.map(\.rawValue)
        return try await read { db in
            let rows = try Row.fetchAll(
                db,
                sql: """
                    SELECT id, record FROM policy_observation
                    WHERE branch = ? AND at_ms >= ? AND kind IN (\(names.map { _ in "?" }.joined(separator: ",")))
                    ORDER BY at_ms, id
                    """,
                arguments: StatementArguments([branch, AuditChain.milliseconds(since)] as [any DatabaseValueConvertible] + names))
            return try rows.map { row in
                var observation = try JSON.decode(PolicyObservation.self, row["record"])
                observation.id = row["id"]
                return observation
            }
        }
    }

    @discardableResult
    public func forgetObservations(branch: String, kinds: Set<PolicyObservation.Kind>) async throws(QuarantineError) -> Int {
        let names = kinds.map(\.rawValue)
        return try await write { db in
            try db.execute(
                sql: "DELETE FROM policy_observation WHERE branch = ? AND kind IN (\(names.map { _ in "?" }.joined(separator: ",")))",
                arguments: StatementArguments([branch] + names))
            return db.changesCount
        }
    }
}
