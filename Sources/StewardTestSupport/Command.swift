public import Foundation

/// Runs a program to completion with a time limit, capturing its output.
public struct CommandResult: Sendable {
    public var status: Int32
    public var output: String
    public var error: String
}

public enum Command {
    /// Runs `executable` with `arguments`; kills it (by its PID) if it outlives `timeout` seconds.
    @discardableResult
    public static func run(
        _ executable: String, _ arguments: [String], input: Data? = nil, timeout: TimeInterval = 60,
        environment: [String: String]? = nil
    ) throws -> CommandResult {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        if let environment { process.environment = environment }
        let out = Pipe()
        let err = Pipe()
        process.standardOutput = out
        process.standardError = err
        let stdin = Pipe()
        process.standardInput = stdin
        try process.run()
        if let input { stdin.fileHandleForWriting.write(input) }
        try? stdin.fileHandleForWriting.close()
        // Read while it runs so a chatty child never blocks on a full pipe.
        let collected = OutputCollector()
        let group = DispatchGroup()
        for (pipe, isError) in [(out, false), (err, true)] {
            group.enter()
            DispatchQueue.global().async {
                let data = pipe.fileHandleForReading.readDataToEndOfFile()
                collected.set(data, isError: isError)
                group.leave()
            }
        }
        let deadline = Date().addingTimeInterval(timeout)
        while process.isRunning && Date() < deadline { usleep(20_000) }
        if process.isRunning {
            kill(process.processIdentifier, SIGKILL)
        }
        process.waitUntilExit()
        group.wait()
        return CommandResult(status: process.terminationStatus, output: collected.output, error: collected.error)
    }
}

private final class OutputCollector: @unchecked Sendable {
    private let lock = NSLock()
    private var out = Data()
    private var err = Data()

    func set(_ data: Data, isError: Bool) {
        lock.lock()
        defer { lock.unlock() }
        if isError { err = data } else { out = data }
    }

    var output: String { lock.lock(); defer { lock.unlock() }; return String(decoding: out, as: UTF8.self) }
    var error: String { lock.lock(); defer { lock.unlock() }; return String(decoding: err, as: UTF8.self) }
}
