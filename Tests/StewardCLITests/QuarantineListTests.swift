import Foundation
import StewardTestSupport
import Testing

/// `steward quarantine list` used to stop at 100 without a word (issue 13): it now says when
/// more messages match, and `--limit 0` lists them all.
@Suite struct QuarantineListTests {
    @Test func aListCutShortSaysSoAndLimitZeroListsAll() throws {
        let directory = try TemporaryDirectory("list")
        let (config, store) = try Self.config(in: directory)
        let binary = PackagePaths.stewardBinary.path
        let empty = try Command.run(binary, ["quarantine", "list", "--config", config])  // creates the store
        #expect(empty.output.contains("nothing held"), "\(empty.error)")

        // 130 held messages, written as the store keeps them.
        let envelope = #"{"recipients":["b@london.union.example"],"sender":"a@example.org"}"#
        let verdict = #"{"action":"quarantine","branches":["london"],"direction":"incoming","findings":[]}"#
        var sql = "BEGIN;"
        for index in 1...130 {
            sql += """
                INSERT INTO held_message (held_at, sender, recipients, direction, branches, action, findings, verdict, envelope,
                  sha256, size, raw, subject)
                VALUES ('2026-12-01T10:00:00.000Z', 'a@example.org', '["b@london.union.example"]', 'incoming', '["london"]',
                  'quarantine', '[]', '\(verdict)', '\(envelope)', 'x', 1, x'41', 'message \(index)');
                """
        }
        let insert = try Command.run("sqlite3", [store, sql + "COMMIT;"])
        #expect(insert.succeeded, "\(insert.error)")

        let cut = try Command.run(binary, ["quarantine", "list", "--config", config])
        #expect(cut.status == 0, "\(cut.error)")
        let lines = cut.output.split(separator: "\n")
        #expect(lines.filter { $0.hasPrefix("#") }.count == 100)
        #expect(lines.last?.contains("only the newest 100 shown; more messages match") == true, "\(lines.last ?? "")")

        let all = try Command.run(binary, ["quarantine", "list", "--config", config, "--limit", "0", "--format", "json"])
        #expect(all.output.split(separator: "\n").count == 130)
        #expect(all.error.isEmpty)
        let json = try Command.run(binary, ["quarantine", "list", "--config", config, "--limit", "10", "--format", "json"])
        #expect(json.output.split(separator: "\n").count == 10)
        #expect(json.error.contains("only the newest 10 shown"), "the note goes to stderr, JSON lines stay clean")
    }

    /// A config in `directory` with a SQLite store there and `policy` (the shipped one unless given).
    static func config(in directory: TemporaryDirectory, policy: String = PackagePaths.policies.path) throws -> (config: String, store: String) {
        let config = directory.path("steward.yaml")
        let store = directory.path("quarantine.sqlite")
        try """
            policy: \(policy)
            store:
              sqlite: \(store)
            mta:
              sendmail: /bin/false
            release:
              secret_file: \(directory.path("release.key"))
            """.write(toFile: config, atomically: true, encoding: .utf8)
        return (config, store)
    }
}
