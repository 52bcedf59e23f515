public import Foundation
import Synchronization
public import StewardInspection
public import StewardPolicy

/// The policy in force, swapped whole on reload. A reload that fails keeps the last good policy.
public final class PolicyHolder: Sendable {
    /// What one message is judged with: taken once at end-of-message, so a reload never
    /// changes the rules halfway through a message.
    public struct Snapshot: Sendable {
        public let evaluator: Evaluator
        public let inspector: Inspector
        /// When this policy was loaded.
        public let loadedAt: Date
    }

    public let directory: URL
    private let current: Mutex<Snapshot>

    /// Loads the policy at `directory`; throws when it has any problem, so `serve` refuses to start.
    public init(directory: URL) throws(PolicyError) {
        self.directory = directory
        current = Mutex(try Self.load(directory))
    }

    public var snapshot: Snapshot { current.withLock { $0 } }

    /// Reads the policy again. On success it replaces the old one; on failure the old one stays
    /// and the problems are thrown for the caller to log.
    public func reload() throws(PolicyError) {
        let fresh = try Self.load(directory)
        current.withLock { $0 = fresh }
    }

    private static func load(_ directory: URL) throws(PolicyError) -> Snapshot {
        let policy = try Policy.parse(try PolicyDirectoryReader.read(directory))
        return Snapshot(
            evaluator: Evaluator(policy: policy), inspector: Inspector(limits: policy.inspectionLimits), loadedAt: Date())
    }
}
