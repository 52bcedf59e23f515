import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Small, bounded helpers shared by the lab, the Steward process wrapper and the tests.
enum TestSupport {
    /// The package root, found from this file's path (Tests/StewardEndToEndTests/TestSupport.swift).
    static let packageRoot: URL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    static let labScript: URL = packageRoot.appendingPathComponent("scripts/lib/postfix-lab.sh")

    /// The repository's shipped policy directory (`STEWARD_E2E_POLICY` overrides it).
    static var shippedPolicies: URL {
        if let path = ProcessInfo.processInfo.environment["STEWARD_E2E_POLICY"], !path.isEmpty {
            return URL(fileURLWithPath: path)
        }
        return packageRoot.appendingPathComponent("Policies")
    }

    /// Environment for child processes: Postfix's commands live in /usr/sbin.
    static var childEnvironment: [String: String] {
        var env = ProcessInfo.processInfo.environment
        let path = env["PATH"] ?? ""
        env["PATH"] = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin" + (path.isEmpty ? "" : ":" + path)
        env["LC_ALL"] = "C"
        return env
    }

    struct RunResult: Sendable {
        var status: Int32
        var output: String
        var timedOut: Bool
        var succeeded: Bool { status == 0 && !timedOut }
    }

    struct Failure: Error, CustomStringConvertible {
        var description: String
        init(_ description: String) { self.description = description }
    }

    /// Runs a command to completion (bounded by `timeout`), stdout and stderr merged.
    ///
    /// posix_spawn + waitpid rather than Foundation's Process: Process learns that a child
    /// ended from a descriptor the child inherits, so when the child leaves a daemon behind
    /// (Postfix's master, smtp-sink) that inherited it too, Process waits for the daemon.
    /// Output goes through a temporary file, never a pipe, for the same reason.
    @discardableResult
    static func run(_ argv: [String], timeout: TimeInterval = 60, stdin: URL? = nil) throws -> RunResult {
        let outURL = FileManager.default.temporaryDirectory
            .appendingPathComponent("steward-e2e-out-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: outURL) }

        let pid = try spawn(argv, stdin: stdin?.path ?? "/dev/null", output: outURL.path)
        let deadline = Date().addingTimeInterval(timeout)
        var timedOut = false
        var exitCode: Int32
        while true {
            if let code = reap(pid) { exitCode = code; break }
            if Date() > deadline {
                timedOut = true
                kill(pid, SIGKILL)
                var status: Int32 = 0
                _ = waitpid(pid, &status, 0)
                exitCode = 137
                break
            }
            usleep(10_000)
        }
        let text = (try? String(contentsOf: outURL, encoding: .utf8)) ?? ""
        return RunResult(status: exitCode, output: text, timedOut: timedOut)
    }

    /// Starts `argv` (looked up in PATH by /usr/bin/env) with stdin from `stdin` and stdout
    /// and stderr appended to `output`. The child gets an empty signal mask and default
    /// signal actions: a test runner's threads block SIGTERM, and daemons started from a
    /// child would otherwise inherit that and ignore `kill -TERM`.
    static func spawn(_ argv: [String], stdin: String = "/dev/null", output: String) throws -> pid_t {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, stdin, O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, output, O_WRONLY | O_CREAT | O_APPEND, 0o600)
        posix_spawn_file_actions_adddup2(&actions, 1, 2)

        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var empty = sigset_t()
        sigemptyset(&empty)
        posix_spawnattr_setsigmask(&attributes, &empty)
        var defaults = sigset_t()
        sigemptyset(&defaults)
        for signal in [SIGTERM, SIGINT, SIGHUP, SIGQUIT, SIGPIPE, SIGCHLD, SIGUSR1, SIGUSR2, SIGALRM] {
            sigaddset(&defaults, signal)
        }
        posix_spawnattr_setsigdefault(&attributes, &defaults)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))

        let args = ["/usr/bin/env"] + argv
        let cArgs: [UnsafeMutablePointer<CChar>?] = args.map { strdup($0) } + [nil]
        let cEnv: [UnsafeMutablePointer<CChar>?] = childEnvironment.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer { (cArgs + cEnv).forEach { free($0) } }

        var pid: pid_t = 0
        let spawned = posix_spawn(&pid, "/usr/bin/env", &actions, &attributes, cArgs, cEnv)
        guard spawned == 0 else { throw Failure("posix_spawn \(argv) failed: \(String(cString: strerror(spawned)))") }
        return pid
    }

    /// Non-blocking reap: the exit status if `pid` (our child) has ended, else nil.
    static func reap(_ pid: pid_t) -> Int32? {
        var status: Int32 = 0
        let r = waitpid(pid, &status, WNOHANG)
        guard r == pid else { return r < 0 && errno == ECHILD ? -1 : nil }
        return (status & 0x7f) == 0 ? (status >> 8) & 0xff : 128 + (status & 0x7f)
    }

    /// A TCP port on 127.0.0.1 that is free right now (the kernel picks it).
    static func freeLoopbackPort() throws -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw Failure("socket() failed: errno \(errno)") }
        defer { close(fd) }
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_port = 0
        addr.sin_addr.s_addr = inet_addr("127.0.0.1")
        let bound = withUnsafePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard bound == 0 else { throw Failure("bind(127.0.0.1:0) failed: errno \(errno)") }
        var len = socklen_t(MemoryLayout<sockaddr_in>.size)
        let named = withUnsafeMutablePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &len) }
        }
        guard named == 0 else { throw Failure("getsockname failed: errno \(errno)") }
        return Int(UInt16(bigEndian: addr.sin_port))
    }

    /// A fresh directory under /tmp that the postfix user can traverse.
    static func makeTemporaryDirectory(prefix: String) throws -> URL {
        let url = URL(fileURLWithPath: "/tmp")
            .appendingPathComponent("\(prefix)-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        chmod(url.path, 0o755)
        return url
    }

    /// Lower-case hex SHA-256, computed by coreutils' sha256sum.
    static func sha256Hex(_ data: Data) throws -> String {
        let url = FileManager.default.temporaryDirectory
            .appendingPathComponent("steward-e2e-sha-\(UUID().uuidString)")
        try data.write(to: url)
        defer { try? FileManager.default.removeItem(at: url) }
        let result = try run(["sha256sum", url.path], timeout: 30)
        guard result.succeeded, let hex = result.output.split(separator: " ").first else {
            throw Failure("sha256sum failed: \(result.output)")
        }
        return String(hex)
    }

    static var isRoot: Bool { geteuid() == 0 }

    static func commandExists(_ name: String) -> Bool {
        let dirs = (childEnvironment["PATH"] ?? "").split(separator: ":")
        return dirs.contains { FileManager.default.isExecutableFile(atPath: "\($0)/\(name)") }
    }

    /// Bounded polling: returns true as soon as `condition` holds, false after `timeout`.
    static func waitUntil(timeout: TimeInterval, interval: TimeInterval = 0.1, _ condition: () throws -> Bool) rethrows -> Bool {
        let deadline = Date().addingTimeInterval(timeout)
        repeat {
            if try condition() { return true }
            usleep(useconds_t(interval * 1_000_000))
        } while Date() < deadline
        return try condition()
    }
}

extension Data {
    /// The same bytes with every CRLF turned into LF (SMTP carries CRLF; Postfix and smtp-sink store LF).
    var normalisedToLF: Data {
        var out = Data(capacity: count)
        var previousCR = false
        for byte in self {
            if previousCR {
                if byte != 0x0A { out.append(0x0D) }
                previousCR = false
            }
            if byte == 0x0D { previousCR = true; continue }
            out.append(byte)
        }
        if previousCR { out.append(0x0D) }
        return out
    }

    /// Splits a message at its first empty line: (header section without the empty line, body).
    /// Expects LF line endings.
    var headerAndBodyLF: (headers: Data, body: Data)? {
        guard let range = self.range(of: Data("\n\n".utf8)) else { return nil }
        return (Data(self[startIndex..<range.lowerBound + 1]), Data(self[range.upperBound...]))
    }
}
