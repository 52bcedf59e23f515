public import StewardCore

// CONTRACT STUB — the policy helper replaces the bodies, keeps these signatures.

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

    /// Parses a policy from its files' texts (no I/O here).
    public static func parse(_ files: [PolicyFile]) throws(PolicyError) -> Policy {
        Policy(inspectionLimits: InspectionLimits())
    }

    public static func lint(_ files: [PolicyFile]) -> [PolicyProblem] { [] }
}

/// Decides one verdict for a message across every branch involved. Pure: no I/O.
public struct Evaluator: Sendable {
    public let policy: Policy
    public init(policy: Policy) { self.policy = policy }

    public func evaluate(_ message: InspectedMessage, envelope: Envelope) -> Verdict {
        Verdict(action: .accept, direction: .incoming, branches: [], findings: [])
    }
}
