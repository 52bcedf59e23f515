public import Foundation

/// A real `steward serve` process for a test: its own config, socket, store and spool in a
/// temporary directory. Stopped with SIGTERM by its PID (and killed if it does not go).
public final class StewardServe: @unchecked Sendable {
    public let directory: TemporaryDirectory
    public let socketPath: String
    public let configPath: String
    public let storePath: String
    public let logPath: String
    private let process = Process()

    /// Writes a config pointing at `policy` and starts the milter; returns once the socket exists.
    public init(policy: URL, label: String = "serve", extraConfig: String = "", socketGroup: String = "") throws {
        directory = try TemporaryDirectory(label)
        // Sockets have a short path limit (108 bytes); /tmp paths stay well inside it.
        socketPath = directory.path("milter.sock")
        configPath = directory.path("steward.yaml")
        storePath = directory.path("quarantine.sqlite")
        logPath = directory.path("steward.log")
        let config = """
            milter:
              socket: unix:\(socketPath)
              socket_mode: "0666"
              socket_group: "\(socketGroup)"
              drain_seconds: 10
            policy: \(policy.path)
            store:
              sqlite: \(storePath)
            spool:
              directory: \(directory.path("spool"))
              memory_threshold_bytes: 65536
            \(extraConfig)
            """
        try config.write(toFile: configPath, atomically: true, encoding: .utf8)
        FileManager.default.createFile(atPath: logPath, contents: nil)
        let log = try FileHandle(forWritingTo: URL(fileURLWithPath: logPath))
        process.executableURL = PackagePaths.stewardBinary
        process.arguments = ["serve", "--config", configPath]
        process.standardOutput = log
        process.standardError = log
        try process.run()
        let deadline = Date().addingTimeInterval(20)
        while !FileManager.default.fileExists(atPath: socketPath) {
            guard process.isRunning, Date() < deadline else {
                throw StewardServeError(message: "steward serve did not start:\n" + log_())
            }
            usleep(50_000)
        }
    }

    public var pid: Int32 { process.processIdentifier }
    public var isRunning: Bool { process.isRunning }

    /// Sends a signal to this process only.
    public func signal(_ number: Int32) {
        if process.isRunning { kill(process.processIdentifier, number) }
    }

    /// SIGTERM, then waits (libmilter can take ~5 s); SIGKILL after `timeout`. Returns the exit status.
    @discardableResult
    public func stop(timeout: TimeInterval = 30) -> Int32 {
        signal(SIGTERM)
        let deadline = Date().addingTimeInterval(timeout)
        while process.isRunning && Date() < deadline { usleep(50_000) }
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        process.waitUntilExit()
        return process.terminationStatus
    }

    /// What the process logged so far.
    public var log: String { log_() }

    private func log_() -> String {
        (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? ""
    }

    /// Waits until the log contains `text` (bounded).
    public func waitForLog(_ text: String, timeout: TimeInterval = 15) -> Bool {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            if log_().contains(text) { return true }
            usleep(50_000)
        }
        return false
    }

    deinit {
        if process.isRunning { stop() }
    }
}

public struct StewardServeError: Error, CustomStringConvertible {
    public var message: String
    public var description: String { message }
}
