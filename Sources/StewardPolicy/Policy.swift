public import StewardCore

/// One policy file's text and where it came from (for problems that name file and line).
public struct PolicyFile: Sendable, Hashable {
    public var path: String
    public var text: String
    public init(path: String, text: String) {
        self.path = path
        self.text = text
    }
}

/// A problem in a policy file: which file, which line (1-based, 0 when unknown), what is wrong.
public struct PolicyProblem: Sendable, Hashable, CustomStringConvertible {
    public var file: String
    public var line: Int
    public var message: String
    public init(file: String, line: Int, message: String) {
        self.file = file
        self.line = line
        self.message = message
    }
    public var description: String { line > 0 ? "\(file):\(line): \(message)" : "\(file): \(message)" }
}

public struct PolicyError: Error, Sendable, CustomStringConvertible {
    public var problems: [PolicyProblem]
    public init(problems: [PolicyProblem]) { self.problems = problems }
    public var description: String { problems.map(\.description).joined(separator: "\n") }
}

/// The whole loaded policy: the union's directory, the default rule set, and per-branch overrides.
public struct Policy: Sendable {
    public var inspectionLimits: InspectionLimits
    /// The union's directory: domains, networks, branches, officials, logins.
    public var directory: UnionDirectory
    /// The default rule set (`default.yaml`); `branch` is "default".
    public var defaults: BranchSettings
    /// The rule set in force for each branch of the directory (default plus the branch's file).
    public var branchSettings: [String: BranchSettings]
    /// The detection families the evaluator runs, in order.
    public var families: [any DetectionFamily]
    /// Candidate rule sets by branch (`branches/<id>.candidate.yaml`): judged beside the live
    /// ones without acting, so a branch sees what a change would do before promoting it.
    public var candidateSettings: [String: BranchSettings] = [:]
    /// The policy file of each branch that has one, by branch id (as read).
    public var branchFiles: [String: String] = [:]

    public init(
        directory: UnionDirectory, defaults: BranchSettings, branchSettings: [String: BranchSettings] = [:],
        inspectionLimits: InspectionLimits = InspectionLimits(),
        families: [any DetectionFamily] = DetectionFamilies.standard
    ) {
        self.directory = directory
        self.defaults = defaults
        self.branchSettings = branchSettings
        self.inspectionLimits = inspectionLimits
        self.families = families
    }

    /// The rule set for a branch; the default rule set for a branch with no file of its own.
    public func settings(for branch: String) -> BranchSettings {
        if let settings = branchSettings[branch] { return settings }
        var settings = defaults
        settings.branch = branch
        return settings
    }

    /// Whether `path` is a candidate rule set (`branches/<id>.candidate.yaml`).
    public static func isCandidateFile(_ path: String) -> Bool { PolicyParser.isCandidateFile(path) }

    /// This policy with `branch`'s candidate rule set in force instead of its live one; nil when
    /// the branch has no candidate. Every other branch keeps its live rules.
    public func withCandidate(for branch: String) -> Policy? {
        guard let candidate = candidateSettings[branch] else { return nil }
        var policy = self
        policy.branchSettings[branch] = candidate
        policy.candidateSettings = [:]
        return policy
    }

    /// The rule descriptor with this id, from the registered families.
    public func rule(_ id: String) -> (kind: String, descriptor: RuleDescriptor)? {
        for family in families {
            if let descriptor = family.rules.first(where: { $0.id == id }) { return (family.kind, descriptor) }
        }
        return nil
    }

    /// Parses a policy from its files' texts (no I/O here).
    public static func parse(_ files: [PolicyFile]) throws(PolicyError) -> Policy {
        try parse(files, families: DetectionFamilies.standard)
    }

    /// Parses with a given list of families (tests, or a build with extra families).
    public static func parse(_ files: [PolicyFile], families: [any DetectionFamily]) throws(PolicyError) -> Policy {
        let (policy, problems) = PolicyParser(families: families).parse(files)
        guard problems.isEmpty else { throw PolicyError(problems: problems) }
        return policy
    }

    /// Every problem in the files, each naming file and line; empty when the policy is sound.
    public static func lint(_ files: [PolicyFile]) -> [PolicyProblem] {
        lint(files, families: DetectionFamilies.standard)
    }

    public static func lint(_ files: [PolicyFile], families: [any DetectionFamily]) -> [PolicyProblem] {
        PolicyParser(families: families).parse(files).1
    }
}
