import Foundation
import StewardEngine
import StewardQuarantine

/// Store work done as the milter does it: on threads of its own, each waiting once
/// (`ThreadBridge`), not on Swift's few cooperative threads, which a parallel test run keeps
/// busy (a transaction resumed late there holds its locks the longer, and is timed as slow).
enum MilterThreads {
    /// Runs `work` on a new thread through `ThreadBridge` and returns its result.
    static func run<T: Sendable>(_ work: @escaping @Sendable () async -> T) async -> T {
        await withCheckedContinuation { continuation in
            Thread { continuation.resume(returning: ThreadBridge.run(work)) }.start()
        }
    }

    /// Runs `work(index)` for `count` indexes at once, each on a thread of its own; the results in order.
    static func run<T: Sendable>(count: Int, _ work: @escaping @Sendable (Int) async -> T) async -> [T] {
        await withTaskGroup(of: (Int, T).self) { group in
            for index in 0..<count {
                group.addTask { (index, await run { await work(index) }) }
            }
            var results: [Int: T] = [:]
            for await (index, value) in group { results[index] = value }
            return (0..<count).compactMap { results[$0] }
        }
    }

    /// One `holdOnce` on a thread of its own: its outcome or error, and how long it took there.
    static func holdOnce(_ message: NewHold, in store: any QuarantineStore) async -> (Result<HoldOutcome, QuarantineError>, TimeInterval) {
        await run {
            let started = Date()
            do throws(QuarantineError) {
                let outcome = try await store.holdOnce(message, actor: "steward")
                return (.success(outcome), Date().timeIntervalSince(started))
            } catch {
                return (.failure(error), Date().timeIntervalSince(started))
            }
        }
    }
}
