import Foundation

/// Where a thread that is not Swift's (libmilter's per-connection thread, a command's main
/// thread) waits for async work: the one bridge per message. The work runs as a task whose
/// executor is the waiting thread itself, so inspection and evaluation keep running on that
/// thread (never on Swift's few cooperative threads, which the review app needs), and only the
/// awaited store calls leave it, resuming on it when they are done. Never call it from async
/// code: it blocks the thread it is called on until the work finishes.
public enum ThreadBridge {
    public static func run<T: Sendable>(_ work: @escaping @Sendable () async -> T) -> T {
        let executor = CallingThreadExecutor()
        let result = ResultBox<T>()
        Task(executorPreference: executor) {
            result.value = await work()
            executor.finish()
        }
        executor.runUntilFinished()
        return result.value!
    }
}

/// Runs the jobs of one task on the thread that calls `runUntilFinished`.
private final class CallingThreadExecutor: TaskExecutor, @unchecked Sendable {
    private let condition = NSCondition()
    private var jobs: [UnownedJob] = []
    private var finished = false

    func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        condition.lock()
        jobs.append(job)
        condition.signal()
        condition.unlock()
    }

    func finish() {
        condition.lock()
        finished = true
        condition.signal()
        condition.unlock()
    }

    func runUntilFinished() {
        while true {
            condition.lock()
            while jobs.isEmpty && !finished { condition.wait() }
            if jobs.isEmpty && finished {
                condition.unlock()
                return
            }
            let job = jobs.removeFirst()
            condition.unlock()
            job.runSynchronously(on: asUnownedTaskExecutor())
        }
    }
}

/// The task's result, handed to the waiting thread (written before `finish`, read after).
private final class ResultBox<T>: @unchecked Sendable {
    var value: T?
}
