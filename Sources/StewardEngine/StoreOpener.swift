import Foundation
public import StewardQuarantine

extension StewardConfig {
    /// The quarantine the config names: PostgreSQL when `store.postgresql` is set, else SQLite;
    /// its audit trail anchored by the key beside the release secret. No operation waits longer
    /// than the hold deadline for another process's lock, so a hold queued behind one is not
    /// kept past its own deadline.
    public func openStore() async throws(QuarantineError) -> any QuarantineStore {
        let anchor = try auditAnchor()
        if let postgres {
            return try await PostgresQuarantineStore.start(settings: postgres, anchor: anchor, lockWaitSeconds: holdDeadlineSeconds)
        }
        return try SQLiteQuarantineStore(path: sqlitePath, anchor: anchor, lockWaitSeconds: holdDeadlineSeconds)
    }

    /// The audit key and checkpoint file, in the release secret's directory (outside the store).
    public func auditAnchor() throws(QuarantineError) -> AuditAnchor {
        try AuditAnchor.load(directory: URL(fileURLWithPath: releaseSecretPath).deletingLastPathComponent())
    }
}
