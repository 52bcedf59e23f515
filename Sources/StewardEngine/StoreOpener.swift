import Foundation
public import ServiceLifecycle
public import StewardQuarantine

extension StewardConfig {
    /// The quarantine the config names: PostgreSQL when `store.postgresql` is set, else SQLite;
    /// its audit trail anchored by the key beside the release secret. No operation waits longer
    /// than the hold deadline for another process's lock, so a hold queued behind one is not
    /// kept past its own deadline. PostgreSQL's pool is not running yet: see `QuarantineStore.poolService`.
    public func openStore() async throws(QuarantineError) -> any QuarantineStore {
        let anchor = try auditAnchor()
        if let postgres {
            return try await PostgresQuarantineStore.open(settings: postgres, anchor: anchor, lockWaitSeconds: holdDeadlineSeconds)
        }
        return try SQLiteQuarantineStore(path: sqlitePath, anchor: anchor, lockWaitSeconds: holdDeadlineSeconds)
    }

    /// The audit key and checkpoint file, in the release secret's directory (outside the store).
    public func auditAnchor() throws(QuarantineError) -> AuditAnchor {
        try AuditAnchor.load(directory: URL(fileURLWithPath: releaseSecretPath).deletingLastPathComponent())
    }
}

extension QuarantineStore {
    /// What must run while the store is used: PostgreSQL's connection pool (a service of
    /// `serve`'s and `review`'s group, started before the others and stopped after them);
    /// nil for SQLite.
    public var poolService: (any Service)? { (self as? PostgresQuarantineStore)?.pool }

    /// Runs `body` with the store's pool running, and stops the pool after it (a command line).
    public func withPoolRunning<T, E: Error>(_ body: () async throws(E) -> T) async throws(E) -> T {
        guard let postgres = self as? PostgresQuarantineStore else { return try await body() }
        return try await postgres.withPool(body)
    }
}
