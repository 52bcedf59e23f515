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
        /// The files it was read from, as read (a reload's record compares them).
        public let files: [PolicyFile]
    }

    public let directory: URL
    private let current: Mutex<Snapshot>
    private let refused = Mutex<String?>(nil)

    /// Loads the policy at `directory`; throws when it has any problem, so `serve` refuses to start.
    public init(directory: URL) throws(PolicyError) {
        self.directory = directory
        current = Mutex(try Self.load(directory))
    }

    public var snapshot: Snapshot { current.withLock { $0 } }

    /// Reads the policy again. On success it replaces the old one; on failure the old one stays
    /// and the problems are thrown for the caller to log.
    @discardableResult
    public func reload() throws(PolicyError) -> PolicyChange {
        do {
            let fresh = try Self.load(directory)
            let old = current.withLock { state in
                defer { state = fresh }
                return state
            }
            refused.withLock { $0 = nil }
            return PolicyChange(from: old.files, to: fresh.files)
        } catch {
            refused.withLock { $0 = error.description }
            throw error
        }
    }

    /// Why the last reload was refused (the policy on disk is not the one in force); nil when
    /// the last load succeeded. `/healthz` reports it.
    public var lastReloadProblem: String? { refused.withLock { $0 } }

    private static func load(_ directory: URL) throws(PolicyError) -> Snapshot {
        let files = try PolicyDirectoryReader.read(directory)
        let policy = try Policy.parse(files)
        return Snapshot(
            evaluator: Evaluator(policy: policy), inspector: Inspector(limits: policy.inspectionLimits), loadedAt: Date(),
            files: files)
    }
}
