import Foundation
import Logging
import StewardCore
import StewardEngine
import Synchronization

/// What every connection shares: the pipeline, the spool settings, and the count of messages in
/// flight that a shutdown waits for.
final class MilterRuntime: Sendable {
    let filter: MessageFilter
    let spoolDirectory: URL
    let memoryThreshold: Int
    /// How large a message may grow in memory when the spool cannot be written (full disk).
    let memoryFallback: Int
    let logger: Logger
    private let inFlight = Mutex(InFlight())
    private let draining = Atomic<Bool>(false)

    /// The count, and the shutdown waiting for it to reach zero (woken, not polled).
    private struct InFlight {
        var count = 0
        var waiters: [Int: CheckedContinuation<Void, Never>] = [:]
        var nextWaiter = 0
    }

    init(filter: MessageFilter, spoolDirectory: URL, memoryThreshold: Int, memoryFallback: Int = 0, logger: Logger) {
        self.filter = filter
        self.spoolDirectory = spoolDirectory
        self.memoryThreshold = memoryThreshold
        self.memoryFallback = memoryFallback
        self.logger = logger
    }

    func messageStarted() { inFlight.withLock { $0.count += 1 } }

    func messageFinished() {
        let woken = inFlight.withLock { state -> [CheckedContinuation<Void, Never>] in
            state.count -= 1
            guard state.count == 0 else { return [] }
            defer { state.waiters = [:] }
            return Array(state.waiters.values)
        }
        for waiter in woken { waiter.resume() }
    }

    var messagesInFlight: Int { inFlight.withLock { $0.count } }

    /// Returns once no message is in flight, or when the calling task is cancelled.
    func waitUntilIdle() async {
        let id = inFlight.withLock { state -> Int in
            state.nextWaiter += 1
            return state.nextWaiter
        }
        await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                let now = inFlight.withLock { state -> Bool in
                    if state.count == 0 || Task.isCancelled { return true }
                    state.waiters[id] = continuation
                    return false
                }
                if now { continuation.resume() }
            }
        } onCancel: {
            inFlight.withLock { $0.waiters.removeValue(forKey: id) }?.resume()
        }
    }

    /// On shutdown: no new connections, and messages begun from now on are deferred.
    func startDraining() { draining.store(true, ordering: .sequentiallyConsistent) }
    var isDraining: Bool { draining.load(ordering: .sequentiallyConsistent) }

}

/// The runtime the C callbacks reach; set once by `MilterService` before libmilter starts.
let currentRuntime = Mutex<MilterRuntime?>(nil)
