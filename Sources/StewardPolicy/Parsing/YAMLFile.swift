import Foundation
import Yams

/// Collects problems while reading policy files; every problem names file and line.
struct ProblemLog {
    private(set) var problems: [PolicyProblem] = []

    mutating func add(_ file: String, _ line: Int, _ message: String) {
        problems.append(PolicyProblem(file: file, line: line, message: message))
    }
}

/// One YAML policy file composed into Yams `Node`s, whose marks carry line numbers, with
/// small typed readers that report a problem (file, line, what was expected) instead of failing.
struct YAMLFile {
    let path: String
    /// The document root; nil when the file is empty or could not be read as YAML.
    let root: Node?
    /// False when the text could not be read as YAML (the problem is already logged).
    let isValid: Bool

    /// Composes `file`; a syntax error becomes a problem at the line libyaml reports.
    init(_ file: PolicyFile, log: inout ProblemLog) {
        path = file.path
        do {
            root = try Yams.compose(yaml: file.text)
            isValid = true
        } catch let error as YamlError {
            root = nil
            isValid = false
            let (line, message) = Self.describe(error)
            log.add(file.path, line, message)
        } catch {
            root = nil
            isValid = false
            log.add(file.path, 0, "this is not valid YAML: \(error)")
        }
    }

    private static func describe(_ error: YamlError) -> (Int, String) {
        switch error {
        case let .scanner(context, problem, mark, _),
             let .parser(context, problem, mark, _),
             let .composer(context, problem, mark, _):
            let around = context.map { " (\($0.text))" } ?? ""
            return (mark.line, "this is not valid YAML: \(problem)\(around)")
        case let .duplicatedKeysInMapping(duplicates, context):
            let keys = duplicates.map { "'\($0)'" }.joined(separator: ", ")
            return (context.mark.line, "key \(keys) appears more than once in the same section; give each key once")
        case let .reader(problem, _, _, _):
            return (0, "this file could not be read as text: \(problem)")
        default:
            return (0, "this is not valid YAML: \(error)")
        }
    }

    static func line(_ node: Node) -> Int { node.mark?.line ?? 0 }

    /// The root as a mapping; an empty file counts as an empty mapping.
    func rootMapping(log: inout ProblemLog) -> Node.Mapping? {
        guard isValid else { return nil }
        guard let root else { return Node.Mapping([]) }
        return mapping(root, what: "the file", log: &log)
    }

    func mapping(_ node: Node, what: String, log: inout ProblemLog) -> Node.Mapping? {
        if case let .mapping(mapping) = node { return mapping }
        log.add(path, Self.line(node), "\(what) should be a mapping of `key: value` lines")
        return nil
    }

    func sequence(_ node: Node, what: String, log: inout ProblemLog) -> [Node]? {
        if case let .sequence(sequence) = node { return Array(sequence) }
        log.add(path, Self.line(node), "\(what) should be a list (lines starting with `- `)")
        return nil
    }

    func string(_ node: Node, what: String, log: inout ProblemLog) -> String? {
        if case let .scalar(scalar) = node, !scalar.string.trimmingCharacters(in: .whitespaces).isEmpty {
            return scalar.string.trimmingCharacters(in: .whitespaces)
        }
        log.add(path, Self.line(node), "\(what) should be a single non-empty value")
        return nil
    }

    func strings(_ node: Node, what: String, log: inout ProblemLog) -> [(String, Int)]? {
        guard let items = sequence(node, what: what, log: &log) else { return nil }
        return items.compactMap { item in
            string(item, what: "each entry of \(what)", log: &log).map { ($0, Self.line(item)) }
        }
    }

    func int(_ node: Node, what: String, log: inout ProblemLog) -> Int? {
        if case .scalar = node, let value = node.int { return value }
        log.add(path, Self.line(node), "\(what) should be a whole number")
        return nil
    }

    func number(_ node: Node, what: String, log: inout ProblemLog) -> Double? {
        if case .scalar = node, let value = node.float { return value }
        log.add(path, Self.line(node), "\(what) should be a number")
        return nil
    }

    func bool(_ node: Node, what: String, log: inout ProblemLog) -> Bool? {
        if case let .scalar(scalar) = node {
            switch scalar.string.lowercased() {
            case "true", "yes": return true
            case "false", "no": return false
            default: break
            }
        }
        log.add(path, Self.line(node), "\(what) should be true or false")
        return nil
    }

    /// The mapping's entries keyed by their (string) key, reporting keys that are not allowed,
    /// keys that appear twice, and keys that are not plain words.
    func entries(
        _ mapping: Node.Mapping, allowed: [String]?, in what: String, log: inout ProblemLog
    ) -> [(key: String, keyLine: Int, value: Node)] {
        var seen: Set<String> = []
        var result: [(key: String, keyLine: Int, value: Node)] = []
        for (keyNode, value) in mapping {
            let line = Self.line(keyNode)
            guard case let .scalar(scalar) = keyNode else {
                log.add(path, line, "a key in \(what) should be a plain word")
                continue
            }
            let key = scalar.string
            if let allowed, !allowed.contains(key) {
                log.add(path, line, "unknown key '\(key)' in \(what); expected one of: \(allowed.joined(separator: ", "))")
                continue
            }
            if !seen.insert(key).inserted {
                log.add(path, line, "key '\(key)' appears twice in \(what)")
                continue
            }
            result.append((key, line, value))
        }
        return result
    }
}
