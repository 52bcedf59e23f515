public import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A real `steward serve --config FILE` in the foreground, for one test.
///
/// The binary is `PackagePaths.stewardBinary`. Its config, SQLite store, spool and log live in a
/// directory it owns (`directory`); test scripts may be written there too. Started with
/// posix_spawn under `umask 007` (see `Command.spawn`), stopped with SIGTERM by its PID
/// (libmilter can take ~5 s to exit) and SIGKILL as the last resort.
///
/// Standalone (`init(policy:…)`), the socket is `directory/milter.sock`, mode 0666. In a
/// `PostfixLab` (`init(lab:…)`), the directory is the lab's `steward/` (mode 0700) and the
/// socket the lab's milter socket: its `run/` is setgid `root:postfix`, so with umask 007 the
/// socket is writable by Postfix.
public final class StewardServe: @unchecked Sendable {
    public let directory: TemporaryDirectory
    public let socketPath: String
    public let configPath: String
    public let storePath: String
    public let logPath: String
    /// Steward's PID (the `/bin/sh -c 'umask 007; exec steward …'` wrapper execs, keeping it).
    public let pid: Int32
    public private(set) var exitStatus: Int32?

    /// Standalone: writes a config pointing at `policy` and starts the milter; returns once the
    /// socket exists (bounded by `startupTimeout`), else throws with the log.
    public convenience init(
        policy: URL = PackagePaths.policies, label: String = "serve", extraConfig: String = "",
        socketGroup: String = "", environment: [String: String] = [:], logAsJournal: Bool = false,
        startupTimeout: TimeInterval = 30
    ) throws {
        let directory = try TemporaryDirectory(label)
        try self.init(
            policy: policy, directory: directory, socket: directory.path("milter.sock"),
            socketSettings: "socket_mode: \"0666\"\n  socket_group: \"\(socketGroup)\"",
            // No MTA here: notices must never reach the machine's own Postfix (they stay queued).
            extraConfig: "mta:\n  sendmail: /bin/false\n" + extraConfig, environment: environment,
            logAsJournal: logAsJournal, startupTimeout: startupTimeout)
    }

    /// In `lab`: listens on `lab.milterSocket`, keeps its state in `<lab>/steward`.
    /// `milterSettings` and `notifySettings` are extra lines for the `milter:` and `notify:`
    /// sections (e.g. `hold_deadline_seconds: 2`). `sendmail` is what releases and notices run
    /// (Postfix's, given the config directory of `mtaLab`, by default `lab` itself).
    /// `keysFrom`: a directory whose `release.key` and `audit.key` are copied in before the
    /// start, as a host joining a shared quarantine is given the first host's keys.
    public convenience init(
        lab: PostfixLab, policy: URL = PackagePaths.endToEndPolicies, extraConfig: String = "",
        milterSettings: [String] = [], notifySettings: [String] = [], sendmail: String = "/usr/sbin/sendmail",
        mtaLab: PostfixLab? = nil, keysFrom: URL? = nil, startupTimeout: TimeInterval = 30
    ) throws {
        let directory = try TemporaryDirectory(at: lab.directory.appendingPathComponent("steward"), mode: 0o700)
        for name in ["release.key", "audit.key"] {
            guard let keysFrom else { break }
            try FileManager.default.copyItem(at: keysFrom.appendingPathComponent(name), to: directory.url.appendingPathComponent(name))
            chmod(directory.path(name), 0o600)
        }
        // Releases and notices go back in through the lab's own Postfix (or `mtaLab`'s).
        let mta = """
            mta:
              sendmail: \(sendmail)
              arguments: ["-C", "\((mtaLab ?? lab).configDirectory.path)"]
            notify:
              from: steward@union.example
              check_seconds: 1
            \(notifySettings.map { "  " + $0 }.joined(separator: "\n"))
            """
        try self.init(
            policy: policy, directory: directory, socket: lab.milterSocket.path, socketSettings: nil,
            extraConfig: mta + "\n" + extraConfig, milterSettings: milterSettings, startupTimeout: startupTimeout)
    }

    private init(
        policy: URL, directory: TemporaryDirectory, socket: String, socketSettings: String?,
        extraConfig: String, milterSettings: [String] = [], environment: [String: String] = [:], logAsJournal: Bool = false,
        startupTimeout: TimeInterval
    ) throws {
        let binary = PackagePaths.stewardBinary
        guard FileManager.default.isExecutableFile(atPath: binary.path) else {
            throw TestFailure("no steward binary at \(binary.path): run `swift build` (or set STEWARD_BIN)")
        }
        self.directory = directory
        socketPath = socket
        configPath = directory.path("steward.yaml")
        storePath = directory.path("quarantine.sqlite")
        logPath = directory.path("steward.log")
        let spool = directory.path("spool")
        try FileManager.default.createDirectory(atPath: spool, withIntermediateDirectories: true)
        // A test that names its own store (PostgreSQL) replaces the SQLite one.
        let ownStore = extraConfig.split(separator: "\n").contains { $0.hasPrefix("store:") }
        let store = ownStore ? "" : "store:\n  sqlite: \(storePath)"
        // The review app stays off (many serves run at once; it would want one port) unless
        // the test gives its own `review:` section.
        let ownReview = extraConfig.split(separator: "\n").contains { $0.hasPrefix("review:") }
        let review = ownReview ? "" : "review:\n  enabled: false"
        let config = """
            # Written by StewardServe (StewardTestSupport).
            milter:
              socket: unix:\(socket)
              \(socketSettings ?? "# socket permissions: umask 007 in the lab's setgid run directory")
              timeout_seconds: 60
              drain_seconds: 10
            \(milterSettings.map { "  " + $0 }.joined(separator: "\n"))
            policy: \(policy.path)
            \(store)
            spool:
              directory: \(spool)
              memory_threshold_bytes: 65536
            release:
              secret_file: \(directory.path("release.key"))
            \(review)
            \(extraConfig)

            """
        try config.write(toFile: configPath, atomically: true, encoding: .utf8)
        // `exec` keeps the PID: the one we hold is Steward's own.
        // Extra variables (NOTIFY_SOCKET, JOURNAL_STREAM…) as `env NAME=VALUE` arguments.
        // `logAsJournal`: JOURNAL_STREAM names the log file, as systemd names the journal's
        // stream, so Steward writes as it does under systemd.
        // Created only when missing: a Steward restarted in the same lab appends to its log.
        if !FileManager.default.fileExists(atPath: logPath) { _ = FileManager.default.createFile(atPath: logPath, contents: nil) }
        var environment = environment
        var status = stat()
        if logAsJournal, stat(logPath, &status) == 0 { environment["JOURNAL_STREAM"] = "\(status.st_dev):\(status.st_ino)" }
        let variables = environment.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }
        pid = try Command.spawn(
            variables + ["/bin/sh", "-c", "umask 007; exec \"$0\" serve --config \"$1\"", binary.path, configPath],
            output: logPath)

        let up = TestSupport.waitUntil(timeout: startupTimeout, interval: 0.05) {
            !isRunning || TestSupport.isSocket(socket)
        }
        guard up, isRunning else {
            let state = isRunning ? "still running" : "exited with status \(exitStatus ?? -1)"
            stop(timeout: 10)
            throw TestFailure(
                "steward serve did not create \(socket) within \(Int(startupTimeout)) s (\(state)).\n"
                    + "--- steward log\n\(log)")
        }
    }

    deinit {
        stop(timeout: 15)
    }

    /// Reaps Steward if it has exited (it is our child) and reports whether it still runs.
    public var isRunning: Bool {
        if exitStatus != nil { return false }
        if let status = Command.reap(pid) { exitStatus = status; return false }
        return true
    }

    /// Sends a signal to this process only.
    public func signal(_ number: Int32) {
        if isRunning { kill(pid, number) }
    }

    /// SIGTERM, then waits up to `timeout` (libmilter can take ~5 s); SIGKILL after that.
    /// Returns the exit status (137 if it had to be killed). Idempotent.
    @discardableResult
    public func stop(timeout: TimeInterval = 30) -> Int32 {
        if let exitStatus { return exitStatus }
        signal(SIGTERM)
        if !TestSupport.waitUntil(timeout: timeout, interval: 0.05, { !isRunning }) {
            kill(pid, SIGKILL)
            var raw: Int32 = 0
            _ = waitpid(pid, &raw, 0)
            exitStatus = 137
        }
        return exitStatus ?? -1
    }

    /// What the process logged so far.
    public var log: String {
        (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? ""
    }

    /// Waits until the log contains `text` (bounded).
    public func waitForLog(_ text: String, timeout: TimeInterval = 15) -> Bool {
        TestSupport.waitUntil(timeout: timeout, interval: 0.05) { log.contains(text) }
    }

    // MARK: The quarantine store, as stored

    /// A row of `held_message`, read with the sqlite3 CLI (the columns as they are on disk).
    /// Runs `steward ARGS --config <this config>` (the review commands) and returns its result.
    public func command(_ arguments: [String], timeout: TimeInterval = 60) throws -> CommandResult {
        try Command.run(PackagePaths.stewardBinary.path, arguments + ["--config", configPath], timeout: timeout)
    }

    public struct StoredRow: Decodable, Sendable {
        public var id: Int
        public var queue_id: String?
        public var sender: String?
        public var recipients: String?
        public var auth_user: String?
        public var client_address: String?
        public var action: String?
        public var findings: String?
        public var sha256: String?
        public var size: Int?
        public var state: String?
        public var raw_hex: String?

        public var raw: Data { Data(hexString: raw_hex ?? "") ?? Data() }
    }

    /// Every held message, oldest first, read-only (empty when the store does not exist yet).
    /// `storePath` names the SQLite file when the test's config put it elsewhere.
    public func heldMessages(storePath: String? = nil) throws -> [StoredRow] {
        let storePath = storePath ?? self.storePath
        guard FileManager.default.fileExists(atPath: storePath) else { return [] }
        let sql = """
            SELECT id, queue_id, sender, recipients, auth_user, client_address, action, findings, sha256, size, state,
                   hex(raw) AS raw_hex FROM held_message ORDER BY id
            """
        // Waits up to 10 s for Steward's own writes: with a rollback journal a reader is held
        // off while a commit is written.
        let result = try Command.run("sqlite3", ["-readonly", "-json", "-cmd", ".timeout 10000", storePath, sql], timeout: 30)
        guard result.succeeded else { throw TestFailure("sqlite3 failed: \(result.output)\(result.error)") }
        let text = result.output.trimmingCharacters(in: .whitespacesAndNewlines)
        if text.isEmpty { return [] }
        return try JSONDecoder().decode([StoredRow].self, from: Data(text.utf8))
    }
}
