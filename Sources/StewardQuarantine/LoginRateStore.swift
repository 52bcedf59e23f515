public import Foundation
public import StewardCore

/// Counts what each login sends, for clause 12's rate per login, in the store every mail host
/// shares (so several hosts on one PostgreSQL count together, and a restart forgets nothing).
///
/// One row per login and minute (`login_minute`), not one per message: counting a message is one
/// small upsert. The last hour is the sum of the login's last 60 minute rows. Rows older than an
/// hour are deleted when a login opens a new minute, so stale counts expire without a timer.
public protocol LoginRateStore: Sendable {
    /// Adds one message with `recipients` recipients to `login`'s count for the minute of `at`,
    /// and returns the login's totals over the hour up to `at`, this message included.
    func countMessage(login: String, recipients: Int, at: Date) async throws(QuarantineError) -> LoginActivity
    /// Claims the one notice about `login` going over its limit: true the first time, then false
    /// until an hour has passed since the claim, however many hosts ask.
    func claimRateNotice(login: String, at: Date) async throws(QuarantineError) -> Bool
}

/// The window and its buckets, shared by both backends.
enum LoginRateWindow {
    /// Minutes in the sliding window.
    static let minutes: Int64 = 60

    /// Minutes since 1970: the bucket a message falls in.
    static func minute(_ date: Date) -> Int64 { Int64((date.timeIntervalSince1970 / 60).rounded(.down)) }

    static func milliseconds(_ date: Date) -> Int64 { Int64((date.timeIntervalSince1970 * 1000).rounded(.down)) }

    /// A claim older than this may be made again.
    static let noticeMilliseconds: Int64 = minutes * 60_000
}
