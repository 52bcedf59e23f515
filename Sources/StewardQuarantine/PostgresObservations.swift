public import Foundation
import Logging
import PostgresNIO

extension PostgresQuarantineStore: PolicyObservationStore {
    static var observationSchema: [PostgresQuery] {
        [
            """
            CREATE TABLE IF NOT EXISTS policy_observation (
              id BIGSERIAL PRIMARY KEY, at_ms BIGINT NOT NULL, branch TEXT NOT NULL, kind TEXT NOT NULL, record TEXT NOT NULL)
            """,
            "CREATE INDEX IF NOT EXISTS policy_observation_branch ON policy_observation (branch, kind, at_ms)",
        ]
    }

    public func record(_ observations: [PolicyObservation]) async throws(QuarantineError) {
        guard !observations.isEmpty else { return }
        let logger = Logger(label: "steward.postgres")
        try await transaction { connection in
            for observation in observations {
                let (at, kind, record) = (AuditChain.milliseconds(observation.at), observation.kind.rawValue, try JSON.text(observation))
                _ = try await connection.query("""
                    INSERT INTO policy_observation (at_ms, branch, kind, record) VALUES (\(at), \(observation.branch), \(kind), \(record))
                    """, logger: logger).collect()
            }
        }
    }

    public func observations(branch: String, kinds: Set<PolicyObservation.Kind>, since: Date) async throws(QuarantineError) -> [PolicyObservation] {
        let names = kinds.map(\.rawValue)
        let logger = Logger(label: "steward.postgres")
        return try await read { connection in
            let rows = try await connection.query("""
                SELECT id, record FROM policy_observation
                WHERE branch = \(branch) AND at_ms >= \(AuditChain.milliseconds(since)) AND kind = ANY(\(names))
                ORDER BY at_ms, id
                """, logger: logger).collect()
            return try rows.map { row in
                let (id, record) = try row.decode((Int64, String).self)
                var observation = try JSON.decode(PolicyObservation.self, record)
                observation.id = id
                return observation
            }
        }
    }

    @discardableResult
    public func forgetObservations(branch: String, kinds: Set<PolicyObservation.Kind>) async throws(QuarantineError) -> Int {
        let names = kinds.map(\.rawValue)
        let logger = Logger(label: "steward.postgres")
        return try await transaction { connection in
            let rows = try await connection.query(
                "DELETE FROM policy_observation WHERE branch = \(branch) AND kind = ANY(\(names)) RETURNING id", logger: logger
            ).collect()
            return rows.count
        }
    }
}
