public import Foundation
import Logging
import PostgresNIO
public import StewardCore

extension PostgresQuarantineStore: LoginRateStore {
    static var loginRateSchema: [PostgresQuery] {
        [
            """
            CREATE TABLE IF NOT EXISTS login_minute (
              login TEXT NOT NULL, minute BIGINT NOT NULL, messages BIGINT NOT NULL, recipients BIGINT NOT NULL,
              PRIMARY KEY (login, minute))
            """,
            "CREATE INDEX IF NOT EXISTS login_minute_minute ON login_minute (minute)",
            "CREATE TABLE IF NOT EXISTS login_rate_notice (login TEXT PRIMARY KEY, noticed_at_ms BIGINT NOT NULL)",
        ]
    }

    public func countMessage(login: String, recipients: Int, at: Date) async throws(QuarantineError) -> LoginActivity {
        let minute = LoginRateWindow.minute(at)
        let since = minute - LoginRateWindow.minutes
        let logger = Logger(label: "steward.postgres")
        return try await transaction { connection in
            // The upsert locks the login's row for this minute until commit, so hosts counting the
            // same login at once take turns, and each then sums what the others committed.
            let inserted = try await connection.query("""
                INSERT INTO login_minute (login, minute, messages, recipients) VALUES (\(login), \(minute), 1, \(Int64(recipients)))
                ON CONFLICT (login, minute) DO UPDATE
                  SET messages = login_minute.messages + 1, recipients = login_minute.recipients + excluded.recipients
                RETURNING messages
                """, logger: logger).collect()
            if try inserted.first?.decode(Int64.self) == 1 {
                _ = try await connection.query("DELETE FROM login_minute WHERE minute <= \(since)", logger: logger).collect()
            }
            let rows = try await connection.query("""
                SELECT COALESCE(SUM(messages), 0)::BIGINT, COALESCE(SUM(recipients), 0)::BIGINT
                FROM login_minute WHERE login = \(login) AND minute > \(since)
                """, logger: logger).collect()
            guard let (messages, total) = try rows.first?.decode((Int64, Int64).self) else {
                throw QuarantineError(code: .readFailed, detail: "no login count returned")
            }
            return LoginActivity(login: login, messages: Int(messages), recipients: Int(total))
        }
    }

    public func claimRateNotice(login: String, at: Date) async throws(QuarantineError) -> Bool {
        let now = LoginRateWindow.milliseconds(at)
        let logger = Logger(label: "steward.postgres")
        return try await transaction { connection in
            let rows = try await connection.query("""
                INSERT INTO login_rate_notice (login, noticed_at_ms) VALUES (\(login), \(now))
                ON CONFLICT (login) DO UPDATE SET noticed_at_ms = excluded.noticed_at_ms
                  WHERE login_rate_notice.noticed_at_ms <= excluded.noticed_at_ms - \(LoginRateWindow.noticeMilliseconds)
                RETURNING login
                """, logger: logger).collect()
            return try rows.first?.decode(String.self) != nil
        }
    }
}
