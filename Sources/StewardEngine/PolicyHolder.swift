public import Foundation
import Synchronization
public import StewardInspection
import StewardCore
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
        /// One per branch with a candidate rule set (shadow policy, judged beside the live one,
        /// never acted on).
        public let candidates: [String: Candidate]
        /// The promotion stamp's date when this policy was loaded (`PolicyHolder.promotedStamp`).
        let stamp: Date?
        /// The files it was read from, as read (a reload's record compares them).
        public let files: [PolicyFile]
    }

    /// A branch's candidate: the live policy with that branch's candidate rule set in force, and
    /// what it changes: the detection families whose rules it changes (nil: all, as its
    /// directions differ) and the rules themselves. Only those families run again, and of a
    /// family whose rules are independent only the changed rules; every other finding for the
    /// branch is the live one.
    public struct Candidate: Sendable {
        public let evaluator: Evaluator
        public let families: Set<String>?
        /// The rules whose settings differ from the live ones (nil with `families`).
        public let rules: Set<String>?
        /// Families whose rules are independent (`DetectionFamily.rulesAreIndependent`).
        let independent: Set<String>

        init?(policy: Policy, branch: String) {
            guard let candidate = policy.candidateSettings[branch], let shadow = policy.withCandidate(for: branch) else { return nil }
            evaluator = Evaluator(policy: shadow)
            independent = Set(policy.families.filter(\.rulesAreIndependent).map(\.kind))
            let live = policy.settings(for: branch)
            guard live.directions == candidate.directions else {
                families = nil
                rules = nil
                return
            }
            let changed = Set(candidate.rules.keys.filter { candidate.rules[$0] != live.rules[$0] })
            families = Set(policy.families.filter { $0.rules.contains { changed.contains($0.id) } }.map(\.kind))
            rules = changed
        }

        /// Whether the candidate works `finding` out again (else the live one stands).
        func reruns(_ finding: Finding) -> Bool {
            guard let families else { return true }
            guard families.contains(finding.kind) else { return false }
            return !independent.contains(finding.kind) || rules?.contains(finding.rule) ?? true
        }
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
    private let refused = Mutex<String?>(nil)

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
        _ = try? reload()
        return current.withLock { $0 }
    }

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

    /// Marks the policy directory as changed by a promotion, for every running Steward.
    public static func touchStamp(_ directory: URL) throws {
        try Data(ISO8601DateFormatter().string(from: Date()).utf8).write(to: directory.appendingPathComponent(promotedStamp))
    }

    private static func stampDate(_ directory: URL) -> Date? {
        (try? FileManager.default.attributesOfItem(atPath: directory.appendingPathComponent(promotedStamp).path))?[.modificationDate] as? Date
    }

    /// Why the last reload was refused (the policy on disk is not the one in force); nil when
    /// the last load succeeded. `/healthz` reports it.
    public var lastReloadProblem: String? { refused.withLock { $0 } }

    private static func load(_ directory: URL) throws(PolicyError) -> Snapshot {
        let stamp = stampDate(directory)
        let files = try PolicyDirectoryReader.read(directory)
        let policy = try Policy.parse(files)
        let candidates = Dictionary(uniqueKeysWithValues: policy.candidateSettings.keys.compactMap { branch in
            Candidate(policy: policy, branch: branch).map { (branch, $0) }
        })
        return Snapshot(
            evaluator: Evaluator(policy: policy), inspector: Inspector(limits: policy.inspectionLimits), loadedAt: Date(),
            candidates: candidates, stamp: stamp, files: files)
    }
}
