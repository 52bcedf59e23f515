public import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Another process holding a SQLite store's lock: the sqlite3 CLI inside `BEGIN EXCLUSIVE` for
/// `seconds`, as an administrator's long query or a stuck backup would. The drills use it to make
/// the store slow without touching Steward.
public final class StoreLock: @unchecked Sendable {
    public let pid: Int32
    private let output: String
    private var finished = false

    /// Returns once the lock is held (bounded by `timeout`), else throws.
    public init(path: String, seconds: Int, timeout: TimeInterval = 15) throws {
        output = FileManager.default.temporaryDirectory.appendingPathComponent("steward-lock-\(UUID().uuidString).out").path
        // `.shell echo` writes at once; the CLI's own output is buffered until it exits.
        pid = try Command.spawn(
            ["sqlite3", path, "BEGIN EXCLUSIVE;", ".shell echo locked", ".shell sleep \(seconds)", "COMMIT;"], output: output)
        let held = TestSupport.waitUntil(timeout: timeout, interval: 0.02) {
            (try? String(contentsOfFile: output, encoding: .utf8))?.contains("locked") == true || Command.reap(pid) != nil
        }
        guard held, (try? String(contentsOfFile: output, encoding: .utf8))?.contains("locked") == true else {
            let text = (try? String(contentsOfFile: output, encoding: .utf8)) ?? ""
            release()
            throw TestFailure("sqlite3 could not lock \(path): \(text)")
        }
    }

    deinit { release() }

    /// Whether the sqlite3 CLI still runs (and so still holds the lock).
    public var isHeld: Bool { !finished && Command.reap(pid) == nil }

    /// Waits for the CLI to end on its own (bounded by `timeout`); kills it after that.
    public func wait(timeout: TimeInterval) {
        guard !finished else { return }
        if !TestSupport.waitUntil(timeout: timeout, interval: 0.05, { Command.reap(pid) != nil }) { release() }
        finished = true
        try? FileManager.default.removeItem(atPath: output)
    }

    /// Ends the lock now (the process exits and SQLite releases its lock).
    public func release() {
        guard !finished else { return }
        finished = true
        if Command.reap(pid) == nil {
            kill(pid, SIGKILL)
            var raw: Int32 = 0
            _ = waitpid(pid, &raw, 0)
        }
        try? FileManager.default.removeItem(atPath: output)
    }
}
