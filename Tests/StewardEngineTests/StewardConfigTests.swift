import Foundation
import StewardEngine
import StewardPolicy
import StewardQuarantine
import StewardTestSupport
import Testing

@Suite struct StewardConfigTests {
    let base = URL(fileURLWithPath: "/etc/steward")

    @Test func relativePathsAreRelativeToTheConfigFile() throws {
        let config = try StewardConfig.parse(
            """
            milter:
              socket: unix:run/steward.sock
              socket_mode: "0666"
              socket_group: ""
            policy: Policies
            store:
              sqlite: data/q.sqlite
            spool:
              directory: /var/tmp/spool
              memory_threshold_bytes: 4096
            log:
              level: debug
            """, file: "steward.yaml", base: base)
        #expect(config.milterSocket == "unix:/etc/steward/run/steward.sock")
        #expect(config.milterSocketMode == 0o666)
        #expect(config.milterSocketGroup == nil)
        #expect(config.policyDirectory.path == "/etc/steward/Policies")
        #expect(config.sqlitePath == "/etc/steward/data/q.sqlite")
        #expect(config.spoolDirectory.path == "/var/tmp/spool")
        #expect(config.memoryThresholdBytes == 4096)
        #expect(config.logLevel == "debug")
    }

    @Test func anEmptyFileGivesTheDefaults() throws {
        #expect(try StewardConfig.parse("", file: "steward.yaml", base: base) == StewardConfig())
    }

    @Test(arguments: [
        ("polcy: x", "unknown key \"polcy\""),
        ("notify:\n  digest_minuts: 5", "unknown key \"notify.digest_minuts\""),
        ("review:\n  secure_cookie: true", "unknown key \"review.secure_cookie\""),
        ("store:\n  postgresql:\n    usr: steward", "unknown key \"store.postgresql.usr\""),
        ("milter:\n  socket: /tmp/x.sock", "milter.socket must start with"),
        ("milter:\n  socket_mode: rw", "milter.socket_mode must be octal"),
        ("log:\n  level: loud", "log.level must be one of"),
        ("spool:\n  memory_threshold_bytes: lots", "spool.memory_threshold_bytes"),
        ("milter:\n  hold_deadline_seconds: 0", "milter.hold_deadline_seconds must be positive"),
        ("milter:\n  hold_retry_window_hours: -1", "milter.hold_retry_window_hours must not be negative"),
        ("spool:\n  memory_fallback_bytes: -1", "spool.memory_fallback_bytes must not be negative"),
    ])
    func mistakesAreNamed(text: String, expected: String) {
        #expect {
            _ = try StewardConfig.parse(text, file: "steward.yaml", base: base)
        } throws: { error in
            let description = "\(error)"
            return description.hasPrefix("steward.yaml: ") && description.contains(expected)
        }
    }
}

@Suite struct ShippedConfigTests {
    @Test func theExampleConfigInDeployIsValid() throws {
        let config = try StewardConfig.load(from: PackagePaths.root.appendingPathComponent("deploy/steward.yaml"))
        #expect(config.milterSocket == "unix:/var/spool/postfix/steward/steward.sock")
        #expect(config.sqlitePath == "/var/lib/steward/quarantine.sqlite")
        #expect(config.postgres == nil)
        #expect(config.sendmailPath == "/usr/sbin/sendmail")
        #expect(config.digestMinutes == 15)
        #expect(config.reviewURL == nil)
        #expect(config.review == ReviewSettings(), "the review section's example values are the defaults")
        // The reliability settings shown are the defaults (issue 13).
        #expect(config.holdDeadlineSeconds == StewardConfig().holdDeadlineSeconds)
        #expect(config.holdRetryWindowHours == StewardConfig().holdRetryWindowHours)
        #expect(config.memoryFallbackBytes == StewardConfig().memoryFallbackBytes)
        #expect(config.freeSpaceWarningBytes == StewardConfig().freeSpaceWarningBytes)
    }

    @Test func theReviewSectionHasSafeDefaultsAndChecksItsValues() throws {
        let base = URL(fileURLWithPath: "/etc/steward")
        let defaults = try StewardConfig.parse("", file: "s.yaml", base: base).review
        #expect(defaults.enabled)
        #expect(defaults.listen == "127.0.0.1:8470", "loopback unless told otherwise")
        #expect(defaults.sessionMinutes == 30)
        #expect(!defaults.secureCookies)
        #expect(defaults.trustedProxies.isEmpty)
        let config = try StewardConfig.parse(
            """
            review:
              url: https://old.union.example/review
              enabled: false
              listen: "[::1]:9000"
              session_minutes: 10
              secure_cookies: true
              trusted_proxies: [127.0.0.1/32, "::1/128"]
              base_url: https://review.union.example
            """, file: "s.yaml", base: base)
        #expect(!config.review.enabled)
        #expect(config.review.host == "::1")
        #expect(config.review.port == 9000)
        #expect(config.review.listen == "[::1]:9000")
        #expect(config.review.sessionMinutes == 10)
        #expect(config.review.secureCookies)
        #expect(config.review.trustedProxies == [try #require(NetworkRange("127.0.0.1/32")), try #require(NetworkRange("::1/128"))])
        #expect(config.review.baseURL == "https://review.union.example")
        #expect(config.reviewURL == "https://old.union.example/review")
        for bad in ["listen: 8470", "listen: \"example.org:80\"", "session_minutes: 0", "trusted_proxies: [proxy]", "base_url: review.union.example", "colour: red"] {
            #expect(throws: ConfigError.self, "\(bad)") {
                try StewardConfig.parse("review:\n  \(bad)\n", file: "s.yaml", base: base)
            }
        }
    }

    @Test func aPostgreSQLStoreNeedsUserAndDatabaseAndExcludesSQLite() throws {
        let base = URL(fileURLWithPath: "/etc/steward")
        let config = try StewardConfig.parse(
            "store:\n  postgresql:\n    socket: /run/pg/.s.PGSQL.5432\n    user: steward\n    database: steward\n",
            file: "s.yaml", base: base)
        #expect(config.postgres?.socketPath == "/run/pg/.s.PGSQL.5432")
        #expect(config.postgres?.poolSize == 10, "the pool's size by default")
        let sized = try StewardConfig.parse(
            "store:\n  postgresql:\n    user: steward\n    database: steward\n    pool_size: 3\n", file: "s.yaml", base: base)
        #expect(sized.postgres?.poolSize == 3)
        #expect(throws: ConfigError.self) {
            _ = try StewardConfig.parse("store:\n  postgresql:\n    user: a\n    database: b\n    pool_size: 0\n", file: "s.yaml", base: base)
        }
        #expect(throws: ConfigError.self) {
            _ = try StewardConfig.parse("store:\n  postgresql:\n    user: steward\n", file: "s.yaml", base: base)
        }
        #expect(throws: ConfigError.self) {
            _ = try StewardConfig.parse(
                "store:\n  sqlite: q.sqlite\n  postgresql:\n    user: a\n    database: b\n", file: "s.yaml", base: base)
        }
    }
}
