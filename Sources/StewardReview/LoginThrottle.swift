public import Foundation
import Synchronization

/// Limits sign-in attempts per login and per client address. An attempt is counted when it
/// starts, before its password is hashed: the failures already recorded plus the attempts still
/// being checked may not exceed `limit` within `window`, and at most `maxInFlight` attempts per
/// key are checked at once. So however many requests arrive together, no more than `limit`
/// passwords are tried per login or address before the lockout (`lockout`) begins.
/// In memory, like sessions: a restart forgets it (bcrypt at cost 12 still limits guessing).
public final class LoginThrottle: Sendable {
    public let limit: Int
    public let window: TimeInterval
    public let lockout: TimeInterval
    public let maxInFlight: Int
    private let state = Mutex<[String: Record]>([:])

    private struct Record {
        var failures: [Date] = []
        var inFlight = 0
        var lockedUntil: Date?
    }

    /// The answer to an attempt that wants to check a password.
    public enum Admission: Sendable, Equatable {
        /// Go ahead; report the outcome with `finish`.
        case admitted
        /// A key is locked out, or its budget of attempts is used up.
        case locked
        /// Too many attempts for a key are being checked right now.
        case busy
    }

    public init(limit: Int = 5, window: TimeInterval = 15 * 60, lockout: TimeInterval = 15 * 60, maxInFlight: Int = 2) {
        self.limit = limit
        self.window = window
        self.lockout = lockout
        self.maxInFlight = maxInFlight
    }

    /// Whether any of `keys` (a login, a client address) is locked out now.
    public func isLocked(_ keys: [String], now: Date) -> Bool {
        state.withLock { records in
            keys.contains { key in (records[key]?.lockedUntil).map { $0 > now } ?? false }
        }
    }

    /// Counts an attempt against every key before its password is checked, or refuses it.
    public func begin(_ keys: [String], now: Date) -> Admission {
        state.withLock { records in
            // Bounded memory: forget keys with nothing recent when the table grows large.
            if records.count > 10_000 {
                records = records.filter { $0.value.inFlight > 0 || ($0.value.lockedUntil ?? .distantPast) > now || $0.value.failures.contains { now.timeIntervalSince($0) < window } }
            }
            var current: [String: Record] = [:]
            for key in keys {
                var record = records[key] ?? Record()
                if let until = record.lockedUntil, until <= now { record.lockedUntil = nil }
                record.failures = record.failures.filter { now.timeIntervalSince($0) < window }
                if record.lockedUntil != nil { return .locked }
                if record.failures.count + record.inFlight >= limit {
                    // The attempts still being checked would reach the limit if they fail.
                    return record.failures.count >= limit ? .locked : .busy
                }
                if record.inFlight >= maxInFlight { return .busy }
                current[key] = record
            }
            for (key, var record) in current {
                record.inFlight += 1
                records[key] = record
            }
            return .admitted
        }
    }

    /// The outcome of an admitted attempt. A failure stays counted (and locks a key that
    /// reaches the limit); a success clears the login's failures, not the address's. Returns
    /// false when a key was locked meanwhile: the sign-in must then be refused even if the
    /// password was right.
    @discardableResult
    public func finish(_ keys: [String], login: String, succeeded: Bool, now: Date) -> Bool {
        state.withLock { records in
            var stands = succeeded
            for key in keys {
                var record = records[key] ?? Record()
                record.inFlight = max(0, record.inFlight - 1)
                if let until = record.lockedUntil, until > now { stands = false }
                if !succeeded {
                    record.failures = record.failures.filter { now.timeIntervalSince($0) < window } + [now]
                    if record.failures.count >= limit {
                        record.lockedUntil = now.addingTimeInterval(lockout)
                        record.failures = []
                    }
                }
                records[key] = record
            }
            if stands { records[login]?.failures = [] }
            return stands
        }
    }

    /// An admitted attempt whose password was never checked (the server was too busy): it
    /// gives back its place without counting as a failure.
    public func abandon(_ keys: [String]) {
        state.withLock { records in
            for key in keys {
                guard var record = records[key] else { continue }
                record.inFlight = max(0, record.inFlight - 1)
                records[key] = record
            }
        }
    }
}
