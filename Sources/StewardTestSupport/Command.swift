public import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// How a program run by `Command.run` ended, and what it wrote.
public struct CommandResult: Sendable {
    /// The exit status; 128 + N when killed by signal N (137 after a timeout).
    public var status: Int32
    /// Standard output (with standard error too when run with `combineOutput`).
    public var output: String
    /// Standard error (empty when run with `combineOutput`).
    public var error: String
    /// The program outlived its time limit and was killed.
    public var timedOut: Bool
    public var succeeded: Bool { status == 0 && !timedOut }
}

/// Runs programs as children: posix_spawn + waitpid, output to files, bounded in time.
///
/// Not Foundation's `Process`: it learns that a child ended from a descriptor the child
/// inherits, so when the child leaves a daemon behind (Postfix's master, smtp-sink) that
/// inherited it too, it waits for the daemon; and its children inherit the test runner's
/// blocked SIGTERM. Output goes through temporary files, never pipes, for the same reason.
public enum Command {
    /// Runs `executable` (a path, or a name looked up in `environment`'s PATH) to completion;
    /// kills it with SIGKILL if it outlives `timeout` seconds. `input` becomes its stdin
    /// (else /dev/null). With `combineOutput`, stderr goes into `output` in order.
    @discardableResult
    public static func run(
        _ executable: String, _ arguments: [String] = [], input: Data? = nil, timeout: TimeInterval = 60,
        combineOutput: Bool = false
    ) throws -> CommandResult {
        let scratch = FileManager.default.temporaryDirectory
            .appendingPathComponent("steward-run-\(UUID().uuidString)")
        let outPath = scratch.path + ".out"
        let errPath = combineOutput ? nil : scratch.path + ".err"
        var inPath = "/dev/null"
        if let input {
            inPath = scratch.path + ".in"
            try input.write(to: URL(fileURLWithPath: inPath))
        }
        defer {
            for path in [outPath, errPath, input == nil ? nil : inPath].compactMap({ $0 }) {
                try? FileManager.default.removeItem(atPath: path)
            }
        }

        let pid = try spawn([executable] + arguments, stdin: inPath, output: outPath, error: errPath)
        let deadline = Date().addingTimeInterval(timeout)
        var timedOut = false
        var status: Int32
        while true {
            if let code = reap(pid) { status = code; break }
            if Date() > deadline {
                timedOut = true
                kill(pid, SIGKILL)
                var raw: Int32 = 0
                _ = waitpid(pid, &raw, 0)
                status = 137
                break
            }
            usleep(10_000)
        }
        func read(_ path: String?) -> String {
            guard let path, let data = FileManager.default.contents(atPath: path) else { return "" }
            return String(decoding: data, as: UTF8.self)
        }
        return CommandResult(status: status, output: read(outPath), error: read(errPath), timedOut: timedOut)
    }

    /// Starts `argv` (looked up in PATH by /usr/bin/env) with stdin from `stdin`, stdout appended
    /// to `output` and stderr to `error` (to `output` when nil). The child gets an empty signal
    /// mask and default signal actions: a test runner's threads block SIGTERM, and daemons
    /// started from a child would otherwise inherit that and ignore `kill -TERM`.
    public static func spawn(
        _ argv: [String], stdin: String = "/dev/null", output: String, error: String? = nil
    ) throws -> Int32 {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, stdin, O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, output, O_WRONLY | O_CREAT | O_APPEND, 0o600)
        if let error {
            posix_spawn_file_actions_addopen(&actions, 2, error, O_WRONLY | O_CREAT | O_APPEND, 0o600)
        } else {
            posix_spawn_file_actions_adddup2(&actions, 1, 2)
        }

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
        let cEnv: [UnsafeMutablePointer<CChar>?] = environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer { (cArgs + cEnv).forEach { free($0) } }

        var pid: pid_t = 0
        let spawned = posix_spawn(&pid, "/usr/bin/env", &actions, &attributes, cArgs, cEnv)
        guard spawned == 0 else { throw TestFailure("posix_spawn \(argv) failed: \(String(cString: strerror(spawned)))") }
        return pid
    }

    /// Non-blocking reap: the exit status (128 + N for signal N) if `pid`, our child, has
    /// ended, -1 if it is not our child (any more), else nil.
    public static func reap(_ pid: Int32) -> Int32? {
        var status: Int32 = 0
        let r = waitpid(pid, &status, WNOHANG)
        guard r == pid else { return r < 0 && errno == ECHILD ? -1 : nil }
        return (status & 0x7f) == 0 ? (status >> 8) & 0xff : 128 + (status & 0x7f)
    }

    /// The environment children get: this one, with Postfix's /usr/sbin on PATH and LC_ALL=C.
    public static var environment: [String: String] {
        var env = ProcessInfo.processInfo.environment
        let path = env["PATH"] ?? ""
        env["PATH"] = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin" + (path.isEmpty ? "" : ":" + path)
        env["LC_ALL"] = "C"
        return env
    }

    /// Is `name` an executable on the children's PATH?
    public static func exists(_ name: String) -> Bool {
        let dirs = (environment["PATH"] ?? "").split(separator: ":")
        return dirs.contains { FileManager.default.isExecutableFile(atPath: "\($0)/\(name)") }
    }
}

/// Small, bounded helpers for tests that drive real processes.
public enum TestSupport {
    public static var isRoot: Bool { geteuid() == 0 }

    /// Bounded polling: returns true as soon as `condition` holds, false after `timeout`.
    public static func waitUntil(
        timeout: TimeInterval, interval: TimeInterval = 0.1, _ condition: () throws -> Bool
    ) rethrows -> Bool {
        let deadline = Date().addingTimeInterval(timeout)
        repeat {
            if try condition() { return true }
            usleep(useconds_t(interval * 1_000_000))
        } while Date() < deadline
        return try condition()
    }

    /// A TCP port on 127.0.0.1 that is free right now (the kernel picks it).
    public static func freeLoopbackPort() throws -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw TestFailure("socket() failed: errno \(errno)") }
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
        guard bound == 0 else { throw TestFailure("bind(127.0.0.1:0) failed: errno \(errno)") }
        var len = socklen_t(MemoryLayout<sockaddr_in>.size)
        let named = withUnsafeMutablePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &len) }
        }
        guard named == 0 else { throw TestFailure("getsockname failed: errno \(errno)") }
        return Int(UInt16(bigEndian: addr.sin_port))
    }

    /// Lower-case hex SHA-256, computed by coreutils' sha256sum.
    public static func sha256Hex(_ data: Data) throws -> String {
        let result = try Command.run("sha256sum", [], input: data, timeout: 30)
        guard result.succeeded, let hex = result.output.split(separator: " ").first else {
            throw TestFailure("sha256sum failed: \(result.output)\(result.error)")
        }
        return String(hex)
    }

    /// Is `path` a Unix socket?
    public static func isSocket(_ path: String) -> Bool {
        var st = stat()
        return lstat(path, &st) == 0 && (st.st_mode & S_IFMT) == S_IFSOCK
    }
}

extension Data {
    /// The same bytes with every CRLF turned into LF (SMTP carries CRLF; Postfix and smtp-sink store LF).
    public var normalisedToLF: Data {
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
    public var headerAndBodyLF: (headers: Data, body: Data)? {
        guard let range = self.range(of: Data("\n\n".utf8)) else { return nil }
        return (Data(self[startIndex..<range.lowerBound + 1]), Data(self[range.upperBound...]))
    }

    /// Bytes from hexadecimal text (either case); nil if it is not whole bytes of hex digits.
    public init?(hexString: String) {
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

extension Command {
    /// Runs `argv` (output to a file) and returns its exit status, output and peak resident
    /// memory, as GNU time reports it for that one process.
    ///
    /// Not from this process's own wait4: posix_spawn shares the test process's memory until
    /// exec, and Linux carries that high-water mark into the child's `ru_maxrss`, so a child of
    /// a big test runner would read as big as the runner. GNU time forks its child from a
    /// small process.
    public static func runMeasuringPeakMemory(_ argv: [String], timeout: TimeInterval = 120) throws
        -> (status: Int32, output: String, peakBytes: Int)
    {
        let time = "/usr/bin/time"
        guard FileManager.default.isExecutableFile(atPath: time) else {
            throw TestFailure("GNU time is missing at \(time) (Debian package `time`; scripts/install-deps installs it)")
        }
        let scratch = try TemporaryDirectory("peak")
        let pid = try spawn([time, "-f", "%M", "-o", scratch.path("peak")] + argv, output: scratch.path("out"))
        var status: Int32 = 0
        let deadline = Date().addingTimeInterval(timeout)
        var reaped: pid_t = 0
        while true {
            reaped = waitpid(pid, &status, WNOHANG)
            if reaped != 0 { break }
            if Date() > deadline {
                kill(pid, SIGKILL)
                _ = waitpid(pid, &status, 0)
                throw TestFailure("\(argv[0]) took over \(Int(timeout)) s")
            }
            usleep(20_000)
        }
        guard reaped == pid else { throw TestFailure("waitpid on \(argv[0]) failed: errno \(errno)") }
        let output = (try? String(contentsOfFile: scratch.path("out"), encoding: .utf8)) ?? ""
        // GNU time writes "Command exited with non-zero status N" before the figure when it fails.
        let report = (try? String(contentsOfFile: scratch.path("peak"), encoding: .utf8)) ?? ""
        guard let kilobytes = report.split(separator: "\n").last.flatMap({ Int($0.trimmingCharacters(in: .whitespaces)) }) else {
            throw TestFailure("GNU time gave no peak memory for \(argv[0]): \(report)")
        }
        let exitStatus = (status & 0x7f) == 0 ? (status >> 8) & 0xff : 128 + (status & 0x7f)
        return (exitStatus, output, kilobytes * 1024)
    }
}
