public import Hummingbird

/// The in-memory session store with a ceiling: at most `maxSessions` sessions in all and
/// `maxPerLogin` for one account. A new session beyond either ends the one closest to expiry
/// (for one account: that person's oldest), so memory stays bounded whatever signs in, and a
/// stolen password cannot push every other official out. Only signed-in people have sessions.
public actor SessionCap: PersistDriver {
    public let maxSessions: Int
    public let maxPerLogin: Int
    private let store = MemoryPersistDriver(ContinuousClock())
    private let clock = ContinuousClock()
    private var index: [String: Entry] = [:]

    private struct Entry {
        var login: String?
        var expires: ContinuousClock.Instant?
    }

    public init(maxSessions: Int = 1000, maxPerLogin: Int = 5) {
        self.maxSessions = maxSessions
        self.maxPerLogin = maxPerLogin
    }

    /// Sessions stored now and not yet expired (for tests and figures).
    public var count: Int {
        let now = clock.now
        return index.values.filter { ($0.expires ?? now) >= now }.count
    }

    public func create<Object: Codable & Sendable>(key: String, value: Object, expires: Duration?) async throws {
        try await admit(key: key, value: value, expires: expires)
        try await store.create(key: key, value: value, expires: expires)
    }

    public func set<Object: Codable & Sendable>(key: String, value: Object, expires: Duration?) async throws {
        try await admit(key: key, value: value, expires: expires)
        try await store.set(key: key, value: value, expires: expires)
    }

    public func get<Object: Codable & Sendable>(key: String, as type: Object.Type) async throws -> Object? {
        try await store.get(key: key, as: type)
    }

    public func getWithTTL<Object: Codable & Sendable>(key: String, as type: Object.Type) async throws -> (object: Object, ttl: Duration?)? {
        try await store.getWithTTL(key: key, as: type)
    }

    public func remove(key: String) async throws {
        index[key] = nil
        try await store.remove(key: key)
    }

    public func shutdown() async throws {
        try await store.shutdown()
    }

    /// The underlying store's tidying loop (expired sessions leave memory).
    public func run() async throws {
        try await store.run()
    }

    private func admit<Object>(key: String, value: Object, expires: Duration?) async throws {
        let now = clock.now
        let expiry = expires.map { now.advanced(by: $0) }
        if var entry = index[key] {
            if let expiry { entry.expires = expiry }
            index[key] = entry
            return
        }
        index = index.filter { ($0.value.expires ?? now) >= now }
        let login = (value as? ReviewSession)?.login
        if let login {
            let mine = index.filter { $0.value.login == login }
            if mine.count >= maxPerLogin, let oldest = Self.soonest(mine) { try await remove(key: oldest) }
        }
        if index.count >= maxSessions, let oldest = Self.soonest(index) { try await remove(key: oldest) }
        index[key] = Entry(login: login, expires: expiry)
    }

    private static func soonest(_ entries: [String: Entry]) -> String? {
        // A session without an expiry counts as the last to end.
        entries.min { lhs, rhs in
            switch (lhs.value.expires, rhs.value.expires) {
            case let (left?, right?): left < right
            case (.some, nil): true
            default: false
            }
        }?.key
    }
}
