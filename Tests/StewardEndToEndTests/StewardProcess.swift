import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// `steward serve --config FILE` in the foreground, for one test.
///
/// The binary is `$STEWARD_BIN`, else `<package root>/.build/debug/steward` (scripts/test
/// builds it before `swift test`). Its config, SQLite store and spool live in a 0700
/// directory inside the lab; it listens on the lab's milter socket. It is started under
/// `umask 007` in the lab's setgid `root:postfix` run directory, so the socket it creates
/// is writable by Postfix. Stopped with SIGTERM by PID (libmilter can take ~5 s to exit).
final class StewardProcess: @unchecked Sendable {
    static var binary: URL {
        if let path = ProcessInfo.processInfo.environment["STEWARD_BIN"], !path.isEmpty {
            return URL(fileURLWithPath: path)
        }
        return TestSupport.packageRoot.appendingPathComponent(".build/debug/steward")
    }

    let stateDirectory: URL
    let configURL: URL
    let storeURL: URL
    let spoolURL: URL
    let logURL: URL
    let socket: URL
    /// Steward's PID (the `/bin/sh -c 'umask 007; exec steward …'` wrapper execs, keeping it).
    let pid: pid_t
    private var exitStatus: Int32?

    /// Reaps Steward if it has exited (it is our child) and reports whether it still runs.
    var isRunning: Bool {
        if exitStatus != nil { return false }
        if let status = TestSupport.reap(pid) { exitStatus = status; return false }
        return true
    }

    /// Writes the config and starts Steward; returns once the socket exists (bounded).
    init(socket: URL, policy: URL = TestSupport.shippedPolicies, in directory: URL,
         startupTimeout: TimeInterval = 30) throws {
        let binary = Self.binary
        guard FileManager.default.isExecutableFile(atPath: binary.path) else {
            throw TestSupport.Failure("no steward binary at \(binary.path): run `swift build` (or set STEWARD_BIN)")
        }
        self.socket = socket
        stateDirectory = directory.appendingPathComponent("steward")
        try FileManager.default.createDirectory(at: stateDirectory, withIntermediateDirectories: true)
        chmod(stateDirectory.path, 0o700)
        configURL = stateDirectory.appendingPathComponent("steward.yaml")
        storeURL = stateDirectory.appendingPathComponent("quarantine.sqlite")
        spoolURL = stateDirectory.appendingPathComponent("spool")
        logURL = stateDirectory.appendingPathComponent("steward.log")
        try FileManager.default.createDirectory(at: spoolURL, withIntermediateDirectories: true)

        let config = """
            # Written by StewardProcess (end-to-end tests).
            milter:
              socket: unix:\(socket.path)
              timeout_seconds: 60
            policy: \(policy.path)
            store:
              sqlite: \(storeURL.path)
            spool:
              directory: \(spoolURL.path)
              memory_threshold_bytes: 1048576

            """
        try config.write(to: configURL, atomically: true, encoding: .utf8)
        // `exec` keeps the PID: the one we hold is Steward's own.
        pid = try TestSupport.spawn(
            ["/bin/sh", "-c", "umask 007; exec \"$0\" serve --config \"$1\"", binary.path, configURL.path],
            output: logURL.path)

        let up = TestSupport.waitUntil(timeout: startupTimeout, interval: 0.05) {
            !isRunning || Self.isSocket(socket.path)
        }
        guard up, isRunning else {
            let state = isRunning ? "still running" : "exited with status \(exitStatus ?? -1)"
            stop(timeout: 10)
            throw TestSupport.Failure(
                "steward serve did not create \(socket.path) within \(Int(startupTimeout)) s (\(state)).\n"
                    + "--- steward log\n\(self.log())")
        }
    }

    deinit {
        _ = stop(timeout: 15)
    }

    static func isSocket(_ path: String) -> Bool {
        var st = stat()
        return lstat(path, &st) == 0 && (st.st_mode & S_IFMT) == S_IFSOCK
    }

    func log() -> String {
        (try? String(contentsOf: logURL, encoding: .utf8)) ?? ""
    }

    /// SIGTERM, bounded wait, SIGKILL as last resort. Returns the exit status
    /// (nil if it had to be killed). Idempotent.
    @discardableResult
    func stop(timeout: TimeInterval = 20) -> Int32? {
        guard isRunning else { return exitStatus }
        kill(pid, SIGTERM)
        if TestSupport.waitUntil(timeout: timeout, interval: 0.05, { !isRunning }) { return exitStatus }
        kill(pid, SIGKILL)
        var status: Int32 = 0
        _ = waitpid(pid, &status, 0)
        exitStatus = 137
        return nil
    }

    // MARK: The quarantine store

    /// A row of `held_message`, read with the sqlite3 CLI.
    struct HeldMessage: Decodable {
        var id: Int
        var queue_id: String?
        var sender: String?
        var recipients: String?
        var action: String?
        var findings: String?
        var sha256: String?
        var size: Int?
        var state: String?
        var raw_hex: String?

        var raw: Data { Data(hexString: raw_hex ?? "") ?? Data() }
    }

    func heldMessages() throws -> [HeldMessage] {
        guard FileManager.default.fileExists(atPath: storeURL.path) else { return [] }
        let sql = """
            SELECT id, queue_id, sender, recipients, action, findings, sha256, size, state,
                   hex(raw) AS raw_hex FROM held_message ORDER BY id
            """
        let result = try TestSupport.run(["sqlite3", "-readonly", "-json", storeURL.path, sql], timeout: 30)
        guard result.succeeded else { throw TestSupport.Failure("sqlite3 failed: \(result.output)") }
        let text = result.output.trimmingCharacters(in: .whitespacesAndNewlines)
        if text.isEmpty { return [] }
        return try JSONDecoder().decode([HeldMessage].self, from: Data(text.utf8))
    }
}

extension Data {
    init?(hexString: String) {
        var bytes = [UInt8]()
        bytes.reserveCapacity(hexString.utf8.count / 2)
        var high: UInt8?
        for c in hexString.utf8 {
            let v: UInt8
            switch c {
            case 0x30...0x39: v = c - 0x30
            case 0x41...0x46: v = c - 0x41 + 10
            case 0x61...0x66: v = c - 0x61 + 10
            default: return nil
            }
            if let h = high { bytes.append(h << 4 | v); high = nil } else { high = v }
        }
        guard high == nil else { return nil }
        self.init(bytes)
    }
}
