import Foundation

/// A private PostgreSQL server for the tests: its own data directory under /tmp, listening only
/// on a Unix socket in that directory (no TCP at all), run as the `postgres` user from Debian's
/// packages, stopped when the test process exits. One server per test process; each test gets
/// a database of its own.
public final class PostgresLab: @unchecked Sendable {
    public let directory: TemporaryDirectory
    public let port: Int
    private let binaries: String

    /// The socket file postgres-nio connects to.
    public var socketPath: String { directory.path(".s.PGSQL.\(port)") }

    /// The shared server, started on first use; nil (with the reason) when it cannot run here.
    public static let shared: Result<PostgresLab, TestFailure> = {
        do {
            let lab = try PostgresLab()
            running = lab
            atexit { PostgresLab.running?.stop() }
            return .success(lab)
        } catch let error as TestFailure {
            return .failure(error)
        } catch {
            return .failure(TestFailure("\(error)"))
        }
    }()

    nonisolated(unsafe) private static var running: PostgresLab?

    /// A server of its own (a test that stops it must not share it).
    public init() throws {
        guard TestSupport.isRoot else { throw TestFailure("PostgreSQL tests need root (to run the server as the postgres user)") }
        let versions = (try? FileManager.default.contentsOfDirectory(atPath: "/usr/lib/postgresql")) ?? []
        guard let version = versions.sorted().last,
            FileManager.default.isExecutableFile(atPath: "/usr/lib/postgresql/\(version)/bin/initdb")
        else { throw TestFailure("PostgreSQL is not installed: run scripts/install-deps") }
        binaries = "/usr/lib/postgresql/\(version)/bin"
        directory = try TemporaryDirectory("postgres", mode: 0o700)
        port = try TestSupport.freeLoopbackPort()
        let chown = try Command.run("chown", ["-R", "postgres:postgres", directory.url.path])
        guard chown.succeeded else { throw TestFailure("chown: \(chown.error)") }
        let data = directory.path("data")
        try asPostgres(["\(binaries)/initdb", "-D", data, "-A", "trust", "-U", "postgres", "--no-sync", "-E", "UTF8"], "initdb")
        try start()
    }

    /// Starts the server (again, after `stop()`: a restart drill).
    public func start() throws {
        try asPostgres([
            "\(binaries)/pg_ctl", "-D", directory.path("data"), "-l", directory.path("server.log"), "-w", "-t", "60",
            "-o", "-k \(directory.url.path) -c listen_addresses='' -p \(port) -c fsync=off -c synchronous_commit=off",
            "start",
        ], "pg_ctl start")
    }

    /// A new, empty database; returns its name.
    public func createDatabase() throws -> String {
        let name = "steward_\(UUID().uuidString.prefix(8).lowercased())"
        try asPostgres(["\(binaries)/psql", "-h", directory.url.path, "-p", String(port), "-d", "postgres", "-c", "CREATE DATABASE \(name)"], "createdb")
        return name
    }

    /// Runs SQL in a database as the superuser (tests use it to tamper with a store).
    @discardableResult
    public func sql(_ statement: String, database: String) throws -> String {
        try asPostgres(["\(binaries)/psql", "-h", directory.url.path, "-p", String(port), "-d", database, "-At", "-c", statement], "psql")
    }

    /// The `store:` section of a `steward.yaml` naming `database` on this server.
    public func storeConfig(database: String) -> String {
        """
        store:
          postgresql:
            socket: \(socketPath)
            user: postgres
            database: \(database)
        """
    }

    /// Every held message in `database`, oldest first, as `StewardServe.heldMessages` reads a
    /// SQLite store (the columns as stored).
    public func heldMessages(database: String) throws -> [StewardServe.StoredRow] {
        let json = try sql(
            """
            SELECT COALESCE(json_agg(row ORDER BY row.id), '[]') FROM (
              SELECT id, queue_id, sender, recipients, auth_user, client_address, action, findings, sha256, size, state,
                     upper(encode(raw, 'hex')) AS raw_hex FROM held_message) row
            """, database: database)
        return try JSONDecoder().decode([StewardServe.StoredRow].self, from: Data(json.utf8))
    }

    /// Stops the server: `immediate` by default (the end of a test run); `fast` for a restart
    /// drill, since with `synchronous_commit=off` an immediate stop loses the last commits.
    public func stop(mode: String = "immediate") {
        _ = try? Command.run("runuser", ["-u", "postgres", "--", "\(binaries)/pg_ctl", "-D", directory.path("data"), "-m", mode, "stop"], timeout: 30)
    }

    /// Freezes the server and its backends (SIGSTOP), as a server that stops answering without
    /// closing its connections does (a hung host, a network partition in a failover); `thaw()`
    /// resumes them. Only this lab's processes, by PID.
    public func freeze() { signalServer("-STOP") }
    public func thaw() { signalServer("-CONT") }

    private func signalServer(_ signal: String) {
        guard let text = try? String(contentsOfFile: directory.path("data/postmaster.pid"), encoding: .utf8),
            let postmaster = text.split(separator: "\n").first.map(String.init), Int32(postmaster) != nil
        else { return }
        let children = (try? Command.run("ps", ["-o", "pid=", "--ppid", postmaster]).output) ?? ""
        _ = try? Command.run("kill", [signal, postmaster] + children.split(whereSeparator: \.isWhitespace).map(String.init))
    }

    @discardableResult
    private func asPostgres(_ argv: [String], _ what: String) throws -> String {
        let result = try Command.run("runuser", ["-u", "postgres", "--"] + argv, timeout: 120)
        guard result.succeeded else {
            let log = (try? String(contentsOfFile: directory.path("server.log"), encoding: .utf8)) ?? ""
            throw TestFailure("\(what) failed: \(result.output)\(result.error)\n\(log)")
        }
        return result.output
    }
}
