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

    /// The repository's shipped policy directory.
    static let shippedPolicies: URL = packageRoot.appendingPathComponent("Policies")

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
    /// Output goes through a temporary file, not a pipe, so a daemon that inherits
    /// the descriptor (Postfix's master) cannot make us wait for EOF.
    @discardableResult
    static func run(_ argv: [String], timeout: TimeInterval = 60, stdin: URL? = nil) throws -> RunResult {
        let outURL = FileManager.default.temporaryDirectory
            .appendingPathComponent("steward-e2e-out-\(UUID().uuidString)")
        _ = FileManager.default.createFile(atPath: outURL.path, contents: nil)
        defer { try? FileManager.default.removeItem(at: outURL) }
        let out = try FileHandle(forWritingTo: outURL)
        defer { try? out.close() }

        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = argv
        process.environment = childEnvironment
        process.standardOutput = out
        process.standardError = out
        if let stdin {
            process.standardInput = try FileHandle(forReadingFrom: stdin)
        } else {
            process.standardInput = FileHandle.nullDevice
        }
        try process.run()
        let deadline = Date().addingTimeInterval(timeout)
        var timedOut = false
        while process.isRunning {
            if Date() > deadline {
                timedOut = true
                kill(process.processIdentifier, SIGKILL)
                break
            }
            usleep(20_000)
        }
        process.waitUntilExit()
        let text = (try? String(contentsOf: outURL, encoding: .utf8)) ?? ""
        return RunResult(status: process.terminationStatus, output: text, timedOut: timedOut)
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
