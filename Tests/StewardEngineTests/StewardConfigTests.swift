import Foundation
import StewardEngine
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
        ("milter:\n  socket: /tmp/x.sock", "milter.socket must start with"),
        ("milter:\n  socket_mode: rw", "milter.socket_mode must be octal"),
        ("log:\n  level: loud", "log.level must be one of"),
        ("spool:\n  memory_threshold_bytes: lots", "spool.memory_threshold_bytes"),
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
    }

    @Test func aPostgreSQLStoreNeedsUserAndDatabaseAndExcludesSQLite() throws {
        let base = URL(fileURLWithPath: "/etc/steward")
        let config = try StewardConfig.parse(
            "store:\n  postgresql:\n    socket: /run/pg/.s.PGSQL.5432\n    user: steward\n    database: steward\n",
            file: "s.yaml", base: base)
        #expect(config.postgres?.socketPath == "/run/pg/.s.PGSQL.5432")
        #expect(throws: ConfigError.self) {
            _ = try StewardConfig.parse("store:\n  postgresql:\n    user: steward\n", file: "s.yaml", base: base)
        }
        #expect(throws: ConfigError.self) {
            _ = try StewardConfig.parse(
                "store:\n  sqlite: q.sqlite\n  postgresql:\n    user: a\n    database: b\n", file: "s.yaml", base: base)
        }
    }
}
