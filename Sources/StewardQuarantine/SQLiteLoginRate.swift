public import Foundation
import GRDB
public import StewardCore

extension SQLiteQuarantineStore: LoginRateStore {
    static func createLoginRateTables(_ db: Database) throws {
        try db.execute(sql: """
            CREATE TABLE login_minute (
              login TEXT NOT NULL, minute INTEGER NOT NULL, messages INTEGER NOT NULL, recipients INTEGER NOT NULL,
              PRIMARY KEY (login, minute)) WITHOUT ROWID;
            CREATE INDEX login_minute_minute ON login_minute (minute);
            CREATE TABLE login_rate_notice (login TEXT PRIMARY KEY NOT NULL, noticed_at_ms INTEGER NOT NULL);
            """)
    }

    public func countMessage(login: String, recipients: Int, at: Date) async throws(QuarantineError) -> LoginActivity {
        let minute = LoginRateWindow.minute(at)
        return try await write { db in
            // IMMEDIATE transaction: messages counted at once see each other's counts in turn.
            let messages = try Int.fetchOne(db, sql: """
                INSERT INTO login_minute (login, minute, messages, recipients) VALUES (?, ?, 1, ?)
                ON CONFLICT (login, minute) DO UPDATE SET messages = messages + 1, recipients = recipients + excluded.recipients
                RETURNING messages
                """, arguments: [login, minute, recipients]) ?? 1
            if messages == 1 {
                // A new minute for this login: expire every login's counts older than the window.
                try db.execute(sql: "DELETE FROM login_minute WHERE minute <= ?", arguments: [minute - LoginRateWindow.minutes])
            }
            let totals = try Row.fetchOne(db, sql: """
                SELECT COALESCE(SUM(messages), 0) AS messages, COALESCE(SUM(recipients), 0) AS recipients
                FROM login_minute WHERE login = ? AND minute > ?
                """, arguments: [login, minute - LoginRateWindow.minutes])
            guard let totals else { throw QuarantineError(code: .readFailed, detail: "no login count returned") }
            let sum: (messages: Int, recipients: Int) = (totals["messages"], totals["recipients"])
            return LoginActivity(login: login, messages: sum.messages, recipients: sum.recipients)
        }
    }

    public func claimRateNotice(login: String, at: Date) async throws(QuarantineError) -> Bool {
        let now = LoginRateWindow.milliseconds(at)
        return try await write { db in
            try String.fetchOne(db, sql: """
                INSERT INTO login_rate_notice (login, noticed_at_ms) VALUES (?, ?)
                ON CONFLICT (login) DO UPDATE SET noticed_at_ms = excluded.noticed_at_ms
                  WHERE login_rate_notice.noticed_at_ms <= excluded.noticed_at_ms - ?
                RETURNING login
                """, arguments: [login, now, LoginRateWindow.noticeMilliseconds]) != nil
        }
    }
}
