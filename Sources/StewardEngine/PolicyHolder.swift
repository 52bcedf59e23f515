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
        /// One evaluator per branch with a candidate rule set: the live policy with that
        /// branch's candidate in force (shadow policy, judged beside the live one, never acted on).
        public let candidates: [String: Evaluator]
        /// The promotion stamp's date when this policy was loaded (`PolicyHolder.promotedStamp`).
        let stamp: Date?
    }

    /// Written by `steward policy promote`/`discard` (and the review app) after changing a
    /// branch file: a running Steward that sees it change reloads within a second, so a
    /// promoted candidate is judged by from the next message. Nothing else reloads unasked.
    public static let promotedStamp = ".promoted"

    public let directory: URL
    private let current: Mutex<Snapshot>
    /// When the stamp was last looked at (at most once per `stampInterval`, one stat).
    private let lastStampCheck = Mutex<Date>(.distantPast)
    private let stampInterval: TimeInterval

    /// Loads the policy at `directory`; throws when it has any problem, so `serve` refuses to start.
    /// The promotion stamp is looked at every `stampInterval` seconds at most.
    public init(directory: URL, stampInterval: TimeInterval = 1) throws(PolicyError) {
        self.directory = directory
        self.stampInterval = stampInterval
        current = Mutex(try Self.load(directory))
    }

    public var snapshot: Snapshot {
        let snapshot = current.withLock { $0 }
        let now = Date()
        let due = lastStampCheck.withLock { last in
            guard now.timeIntervalSince(last) >= stampInterval else { return false }
            last = now
            return true
        }
        guard due, Self.stampDate(directory) != snapshot.stamp else { return snapshot }
        // A promoted or discarded candidate: reload (a policy with problems keeps the last good one).
        try? reload()
        return current.withLock { $0 }
    }

    /// Reads the policy again. On success it replaces the old one; on failure the old one stays
    /// and the problems are thrown for the caller to log.
    public func reload() throws(PolicyError) {
        let fresh = try Self.load(directory)
        current.withLock { $0 = fresh }
    }

    /// Marks the policy directory as changed by a promotion, for every running Steward.
    public static func touchStamp(_ directory: URL) throws {
        try Data(ISO8601DateFormatter().string(from: Date()).utf8).write(to: directory.appendingPathComponent(promotedStamp))
    }

    private static func stampDate(_ directory: URL) -> Date? {
        (try? FileManager.default.attributesOfItem(atPath: directory.appendingPathComponent(promotedStamp).path))?[.modificationDate] as? Date
    }

    private static func load(_ directory: URL) throws(PolicyError) -> Snapshot {
        let stamp = stampDate(directory)
        let policy = try Policy.parse(try PolicyDirectoryReader.read(directory))
        let candidates = Dictionary(uniqueKeysWithValues: policy.candidateSettings.keys.compactMap { branch in
            policy.withCandidate(for: branch).map { (branch, Evaluator(policy: $0)) }
        })
        return Snapshot(
            evaluator: Evaluator(policy: policy), inspector: Inspector(limits: policy.inspectionLimits), loadedAt: Date(),
            candidates: candidates, stamp: stamp)
    }
}
