import HummingbirdBcrypt
import NIOPosix
import Synchronization

/// Bounds the Bcrypt work the review app does at once. Every password check in the process runs
/// on one thread of its own (a cost-12 check is about a quarter of a second of CPU), so a flood
/// of sign-ins from many addresses costs at most one core and cannot starve the milter that runs
/// in the same `serve` process; checks beyond `maxWaiting` are refused at once instead of queueing.
public final class PasswordCheck: Sendable {
    /// One thread for the whole process, whatever number of apps a test creates: NIOThreadPool
    /// runs its work items first-in first-out on that thread.
    private static let pool: NIOThreadPool = {
        let pool = NIOThreadPool(numberOfThreads: 1)
        pool.start()
        return pool
    }()

    public let maxWaiting: Int
    private let waiting = Atomic<Int>(0)

    public struct Busy: Error {}

    public init(maxWaiting: Int = 16) {
        self.maxWaiting = maxWaiting
    }

    /// Whether `password` matches the Bcrypt `hash`; throws `Busy` when too many checks wait.
    public func verify(_ password: String, hash: String) async throws -> Bool {
        let (_, count) = waiting.add(1, ordering: .relaxed)
        defer { waiting.subtract(1, ordering: .relaxed) }
        guard count <= maxWaiting else { throw Busy() }
        return try await Self.pool.runIfActive { Bcrypt.verify(password, hash: hash) }
    }
}
