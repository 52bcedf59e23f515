public import StewardQuarantine

extension StewardConfig {
    /// The quarantine the config names: PostgreSQL when `store.postgresql` is set, else SQLite.
    public func openStore() throws(QuarantineError) -> any QuarantineStore {
        if let postgres { return try PostgresQuarantineStore(settings: postgres) }
        return try SQLiteQuarantineStore(path: sqlitePath)
    }
}
