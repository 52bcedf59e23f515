public import StewardQuarantine

extension StewardConfig {
    /// The quarantine the config names: PostgreSQL when `store.postgresql` is set, else SQLite.
    /// No operation waits longer than the hold deadline for another process's lock, so a hold
    /// queued behind one is not kept past its own deadline.
    public func openStore() throws(QuarantineError) -> any QuarantineStore {
        if let postgres { return try PostgresQuarantineStore(settings: postgres) }
        return try SQLiteQuarantineStore(path: sqlitePath, lockWaitSeconds: holdDeadlineSeconds)
    }
}
