public import Foundation
import Synchronization

/// Refuses sign-in attempts after too many failures for one login or one client address:
/// after `limit` failures within `window`, further attempts are refused for `lockout`.
/// In memory, like sessions: a restart forgets it (bcrypt at cost 12 still limits guessing).
public final class LoginThrottle: Sendable {
    public let limit: Int
    public let window: TimeInterval
    public let lockout: TimeInterval
    private let state = Mutex<[String: Record]>([:])

    private struct Record {
        var failures: [Date]
        var lockedUntil: Date?
    }

    public init(limit: Int = 5, window: TimeInterval = 15 * 60, lockout: TimeInterval = 15 * 60) {
        self.limit = limit
        self.window = window
        self.lockout = lockout
    }

    /// Whether any of `keys` (a login, a client address) is locked out now.
    public func isLocked(_ keys: [String], now: Date) -> Bool {
        state.withLock { records in
            keys.contains { key in (records[key]?.lockedUntil).map { $0 > now } ?? false }
        }
    }

    /// Counts one failure against every key; locks a key that reaches the limit.
    public func recordFailure(_ keys: [String], now: Date) {
        state.withLock { records in
            // Bounded memory: forget keys with nothing recent when the table grows large.
            if records.count > 10_000 {
                records = records.filter { $0.value.failures.contains { now.timeIntervalSince($0) < window } || ($0.value.lockedUntil ?? .distantPast) > now }
            }
            for key in keys {
                var record = records[key] ?? Record(failures: [])
                record.failures = record.failures.filter { now.timeIntervalSince($0) < window } + [now]
                if record.failures.count >= limit {
                    record.lockedUntil = now.addingTimeInterval(lockout)
                    record.failures = []
                }
                records[key] = record
            }
        }
    }

    /// A successful sign-in clears that login's failures (not the address's).
    public func recordSuccess(login: String) {
        _ = state.withLock { $0.removeValue(forKey: login) }
    }
}
