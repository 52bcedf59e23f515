import Foundation
import Logging
import StewardCore
import StewardEngine
import Synchronization

/// What every connection shares: the pipeline, the spool settings, and the count of messages in
/// flight that SIGTERM waits for.
final class MilterRuntime: Sendable {
    let filter: MessageFilter
    let spoolDirectory: URL
    let memoryThreshold: Int
    /// How large a message may grow in memory when the spool cannot be written (full disk).
    let memoryFallback: Int
    let logger: Logger
    private let inFlight = Atomic<Int>(0)
    private let draining = Atomic<Bool>(false)

    init(filter: MessageFilter, spoolDirectory: URL, memoryThreshold: Int, memoryFallback: Int = 0, logger: Logger) {
        self.filter = filter
        self.spoolDirectory = spoolDirectory
        self.memoryThreshold = memoryThreshold
        self.memoryFallback = memoryFallback
        self.logger = logger
    }

    func messageStarted() { inFlight.add(1, ordering: .relaxed) }
    func messageFinished() { inFlight.subtract(1, ordering: .relaxed) }
    var messagesInFlight: Int { inFlight.load(ordering: .relaxed) }

    /// After SIGTERM: no new connections, and messages begun from now on are deferred.
    func startDraining() { draining.store(true, ordering: .sequentiallyConsistent) }
    var isDraining: Bool { draining.load(ordering: .sequentiallyConsistent) }

}

/// The runtime the C callbacks reach; set once by `MilterServer` before libmilter starts.
let currentRuntime = Mutex<MilterRuntime?>(nil)
