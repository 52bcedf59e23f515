import StewardCore

/// Puts a policy together from its files: which file is which, the directory, the default rule
/// set, the branch overrides, and the login map; collects every problem on the way.
struct PolicyParser {
    let families: [any DetectionFamily]

    func parse(_ files: [PolicyFile]) -> (Policy, [PolicyProblem]) {
        var log = ProblemLog()
        var descriptors: [String: RuleDescriptor] = [:]
        var noExceptions: Set<String> = []
        for family in families {
            if !family.allowsSenderExceptions { noExceptions.formUnion(family.rules.map(\.id)) }
            for rule in family.rules {
                if descriptors[rule.id] != nil { log.add("steward", 0, "two detection families both define rule '\(rule.id)'") }
                descriptors[rule.id] = rule
            }
        }

        let directoryFile = files.first { Self.name($0.path) == "directory.yaml" }
        let defaultFile = files.first { Self.name($0.path) == "default.yaml" && !Self.isBranchFile($0.path) }
        let branchFiles = files.filter { Self.isBranchFile($0.path) && !Self.isCandidateFile($0.path) }
        let candidateFiles = files.filter { Self.isCandidateFile($0.path) }

        // The directory.
        var parsedDirectory: DirectoryParser.Result?
        if let directoryFile {
            parsedDirectory = DirectoryParser(file: YAMLFile(directoryFile, log: &log)).parse(log: &log)
        } else {
            log.add(Self.sibling(of: defaultFile?.path, "directory.yaml"), 0, "directory.yaml is missing: it lists the union's domains, branches and officials")
        }
        var directory = parsedDirectory?.directory
            ?? UnionDirectory(unionName: "", domains: [], defaultBranch: "", branches: [])

        // The login map file directory.yaml names.
        var loginMapFile: PolicyFile?
        if let directoryFile, let (name, line) = parsedDirectory?.loginMaps {
            let expected = Self.sibling(of: directoryFile.path, name)
            loginMapFile = files.first { $0.path == expected || $0.path == name || $0.path.hasSuffix("/" + name) }
            if let loginMapFile {
                for entry in LoginMapParser.parse(loginMapFile, log: &log) {
                    if let line = parsedDirectory?.loginLines[entry.key] {
                        log.add(loginMapFile.path, entry.line, "'\(entry.key)' is also under `logins:` in directory.yaml (line \(line)); keep it in one place")
                    }
                    directory.senderLogins[entry.key, default: []].formUnion(entry.logins)
                }
            } else {
                log.add(directoryFile.path, line, "login map file '\(name)' was not found (it is read relative to directory.yaml)")
            }
        }

        // The default rule set.
        var defaults = BranchSettings(
            branch: "default", directions: Set(Direction.allCases),
            rules: descriptors.mapValues { RuleSetting(action: $0.defaultAction, options: $0.options) }
        )
        var limits = InspectionLimits()
        if let defaultFile {
            let parsed = RuleSetParser(file: YAMLFile(defaultFile, log: &log), isDefault: true, descriptors: descriptors, noExceptions: noExceptions).parse(log: &log)
            Self.apply(parsed, to: &defaults)
            limits = parsed.inspection ?? limits
        } else {
            log.add(Self.sibling(of: directoryFile?.path, "default.yaml"), 0, "default.yaml is missing: it holds the default rule set every branch inherits")
        }

        // Branch files, each inheriting the default.
        var branchSettings: [String: BranchSettings] = [:]
        var fileOfBranch: [String: String] = [:]
        for file in branchFiles {
            let parsed = RuleSetParser(file: YAMLFile(file, log: &log), isDefault: false, descriptors: descriptors, noExceptions: noExceptions).parse(log: &log)
            guard let (id, line) = parsed.branch else { continue }
            if parsedDirectory != nil, directory.branch(id: id) == nil {
                let known = directory.branches.map(\.id).sorted().joined(separator: ", ")
                log.add(file.path, line, "branch '\(id)' is not in directory.yaml (branches: \(known))")
                continue
            }
            if let other = fileOfBranch[id] {
                log.add(file.path, line, "branch '\(id)' already has a policy file: \(other)")
                continue
            }
            fileOfBranch[id] = file.path
            var settings = defaults
            settings.branch = id
            Self.apply(parsed, to: &settings)
            branchSettings[id] = settings
        }
        // Candidate rule sets (`branches/<id>.candidate.yaml`), each inheriting the default like
        // the branch's own file: run beside the live one without acting (shadow policy).
        var candidateSettings: [String: BranchSettings] = [:]
        for file in candidateFiles {
            let parsed = RuleSetParser(file: YAMLFile(file, log: &log), isDefault: false, descriptors: descriptors, noExceptions: noExceptions).parse(log: &log)
            guard let (id, line) = parsed.branch else { continue }
            if parsedDirectory != nil, directory.branch(id: id) == nil {
                log.add(file.path, line, "branch '\(id)' is not in directory.yaml")
                continue
            }
            guard Self.name(file.path).hasPrefix(id + ".candidate.") else {
                log.add(file.path, line, "a candidate policy is named after its branch: branches/\(id).candidate.yaml")
                continue
            }
            var settings = defaults
            settings.branch = id
            Self.apply(parsed, to: &settings)
            candidateSettings[id] = settings
        }
        for branch in directory.branches where branchSettings[branch.id] == nil {
            var settings = defaults
            settings.branch = branch.id
            branchSettings[branch.id] = settings
        }

        // Anything else is not something Steward reads.
        for file in files where file.path != directoryFile?.path && file.path != defaultFile?.path
            && !Self.isBranchFile(file.path) && file.path != loginMapFile?.path {
            log.add(file.path, 0, "Steward does not read this file: policy files are directory.yaml, default.yaml, branches/<id>.yaml and the login map directory.yaml names")
        }

        var policy = Policy(
            directory: directory, defaults: defaults, branchSettings: branchSettings,
            inspectionLimits: limits, families: families
        )
        policy.candidateSettings = candidateSettings
        policy.branchFiles = fileOfBranch
        // In the order the files were given, then by line, so a reader can work down the list.
        let order = Dictionary(files.enumerated().map { ($1.path, $0) }, uniquingKeysWith: { first, _ in first })
        let problems = log.problems.enumerated().sorted { lhs, rhs in
            let left = (order[lhs.element.file] ?? -1, lhs.element.line, lhs.offset)
            let right = (order[rhs.element.file] ?? -1, rhs.element.line, rhs.offset)
            return left < right
        }.map(\.element)
        return (policy, problems)
    }

    static func apply(_ parsed: RuleSetParser.Result, to settings: inout BranchSettings) {
        if let directions = parsed.directions { settings.directions = directions }
        if let days = parsed.retentionDays { settings.quarantine.retentionDays = days }
        if let tell = parsed.tellSenderOnRefusal { settings.quarantine.tellSenderOnRefusal = tell }
        if let header = parsed.findingsHeader { settings.findingsHeader = header }
        for (id, override) in parsed.rules {
            guard var rule = settings.rules[id] else { continue }
            if let action = override.action { rule.action = action }
            rule.options.merge(override.options) { _, new in new }
            if let senders = override.exceptSenders { rule.exceptSenders = senders }
            settings.rules[id] = rule
        }
    }

    /// `branches/<id>.candidate.yaml`: a branch's candidate rule set (shadow policy).
    static func isCandidateFile(_ path: String) -> Bool {
        isBranchFile(path) && path.hasSuffix(".candidate.yaml")
    }

    static func name(_ path: String) -> String {
        String(path.split(separator: "/").last ?? Substring(path))
    }

    static func isBranchFile(_ path: String) -> Bool {
        let components = path.split(separator: "/")
        guard components.count >= 2, components[components.count - 2] == "branches" else { return false }
        return path.hasSuffix(".yaml") || path.hasSuffix(".yml")
    }

    /// `name` in the same folder as `path` (`Policies/directory.yaml` → `Policies/name`).
    static func sibling(of path: String?, _ name: String) -> String {
        guard let path, let slash = path.lastIndex(of: "/") else { return name }
        return String(path[...slash]) + name
    }
}
