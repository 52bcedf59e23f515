import StewardCore
import Yams

/// Reads `default.yaml` or a branch file: directions in scope, rule overrides, and (default
/// only) inspection limits.
struct RuleSetParser {
    struct RuleOverride {
        var action: PolicyAction?
        var options: [String: RuleOptionValue] = [:]
        var exceptSenders: Set<String>?
    }

    struct Result {
        var branch: (id: String, line: Int)?
        var directions: Set<Direction>?
        var inspection: InspectionLimits?
        var rules: [String: RuleOverride] = [:]
        var retentionDays: Int?
        var tellSenderOnRefusal: Bool?
        var findingsHeader: Bool?
    }

    let file: YAMLFile
    let isDefault: Bool
    /// Every rule of every registered family, by id.
    let descriptors: [String: RuleDescriptor]
    /// Rules whose family takes no `except_senders:` (impersonation).
    var noExceptions: Set<String> = []

    /// `quarantine: {retention_days: N, tell_sender_on_refusal: true|false}`.
    private func parseQuarantine(_ node: Node, into result: inout Result, log: inout ProblemLog) {
        guard let mapping = file.mapping(node, what: "quarantine", log: &log) else { return }
        for item in file.entries(mapping, allowed: ["retention_days", "tell_sender_on_refusal"], in: "quarantine", log: &log) {
            if item.key == "retention_days" {
                if let days = file.int(item.value, what: "retention_days", log: &log) {
                    if days < 1 {
                        log.add(file.path, YAMLFile.line(item.value), "retention_days must be at least 1 (clause 13: held mail is evidence)")
                    } else {
                        result.retentionDays = days
                    }
                }
            } else {
                result.tellSenderOnRefusal = file.bool(item.value, what: "tell_sender_on_refusal", log: &log)
            }
        }
    }

    /// `monitor: {findings_header: true|false}`.
    private func parseMonitor(_ node: Node, into result: inout Result, log: inout ProblemLog) {
        guard let mapping = file.mapping(node, what: "monitor", log: &log) else { return }
        for item in file.entries(mapping, allowed: ["findings_header"], in: "monitor", log: &log) {
            result.findingsHeader = file.bool(item.value, what: "findings_header", log: &log)
        }
    }

    func parse(log: inout ProblemLog) -> Result {
        var result = Result()
        let allowed = isDefault
            ? ["directions", "inspection", "rules", "quarantine", "monitor"]
            : ["branch", "directions", "rules", "inspection", "quarantine", "monitor"]
        let what = isDefault ? "the default rule set" : "a branch file"
        guard let top = file.rootMapping(log: &log) else { return result }
        for entry in file.entries(top, allowed: allowed, in: what, log: &log) {
            switch entry.key {
            case "branch":
                if let id = file.string(entry.value, what: "branch", log: &log) {
                    result.branch = (id, YAMLFile.line(entry.value))
                }
            case "directions":
                result.directions = parseDirections(entry.value, log: &log)
            case "inspection" where isDefault:
                result.inspection = parseInspection(entry.value, log: &log)
            case "inspection":
                log.add(file.path, entry.keyLine, "inspection limits apply to every message, whatever its branch: set them in default.yaml, not in a branch file")
            case "quarantine":
                parseQuarantine(entry.value, into: &result, log: &log)
            case "monitor":
                parseMonitor(entry.value, into: &result, log: &log)
            default:
                result.rules = parseRules(entry.value, log: &log)
            }
        }
        if !isDefault, result.branch == nil, file.isValid {
            log.add(file.path, 1, "a branch file must say which branch it is for: `branch: <id>`")
        }
        return result
    }

    private func parseDirections(_ node: Node, log: inout ProblemLog) -> Set<Direction>? {
        guard let words = file.strings(node, what: "directions", log: &log) else { return nil }
        var directions: Set<Direction> = []
        for (word, line) in words {
            if let direction = Direction(rawValue: word.lowercased()) {
                directions.insert(direction)
            } else {
                log.add(file.path, line, "'\(word)' is not a direction; use incoming, outgoing or internal")
            }
        }
        return directions
    }

    private func parseInspection(_ node: Node, log: inout ProblemLog) -> InspectionLimits? {
        guard let mapping = file.mapping(node, what: "inspection", log: &log) else { return nil }
        var limits = InspectionLimits()
        let keys = [
            "max_depth", "max_parts", "max_decoded_bytes", "timeout_seconds",
            "max_archive_depth", "max_archive_members", "max_expanded_bytes", "max_whole_part_bytes",
        ]
        for item in file.entries(mapping, allowed: keys, in: "inspection", log: &log) {
            if item.key == "timeout_seconds" {
                guard let value = file.number(item.value, what: item.key, log: &log) else { continue }
                if value > 0 { limits.timeoutSeconds = value } else { log.add(file.path, item.keyLine, "timeout_seconds must be more than 0") }
                continue
            }
            guard let value = file.int(item.value, what: item.key, log: &log) else { continue }
            guard value > 0 else {
                log.add(file.path, item.keyLine, "\(item.key) must be more than 0")
                continue
            }
            switch item.key {
            case "max_depth": limits.maxDepth = value
            case "max_parts": limits.maxParts = value
            case "max_archive_depth": limits.maxArchiveDepth = value
            case "max_archive_members": limits.maxArchiveMembers = value
            case "max_expanded_bytes": limits.maxExpandedBytes = value
            case "max_whole_part_bytes": limits.maxWholePartBytes = value
            default: limits.maxDecodedBytes = value
            }
        }
        return limits
    }

    private func parseRules(_ node: Node, log: inout ProblemLog) -> [String: RuleOverride] {
        guard let mapping = file.mapping(node, what: "rules", log: &log) else { return [:] }
        var rules: [String: RuleOverride] = [:]
        for item in file.entries(mapping, allowed: nil, in: "rules", log: &log) {
            guard let descriptor = descriptors[item.key] else {
                log.add(file.path, item.keyLine, "unknown rule '\(item.key)'; known rules: \(descriptors.keys.sorted().joined(separator: ", "))")
                continue
            }
            guard let settings = file.mapping(item.value, what: "rule '\(item.key)'", log: &log) else { continue }
            var override = RuleOverride()
            let allowed = ["action", "except_senders"] + descriptor.options.keys.sorted()
            for field in file.entries(settings, allowed: allowed, in: "rule '\(item.key)'", log: &log) {
                if field.key == "except_senders" {
                    if noExceptions.contains(item.key) {
                        log.add(file.path, YAMLFile.line(field.value), "rule '\(item.key)' takes no except_senders: it is there to catch senders who are not who they claim, and a sender address can be forged")
                        continue
                    }
                    guard let entries = file.strings(field.value, what: "except_senders", log: &log) else { continue }
                    for (entry, line) in entries where entry.split(separator: "@", omittingEmptySubsequences: false).count != 2 || entry.contains(" ") {
                        log.add(file.path, line, "except_senders: '\(entry)' is not an e-mail address")
                    }
                    override.exceptSenders = Set(entries.map { EmailAddress.normalize($0.0) })
                } else if field.key == "action" {
                    guard let word = file.string(field.value, what: "action", log: &log) else { continue }
                    if let action = PolicyAction(rawValue: word.lowercased()) {
                        override.action = action
                    } else {
                        log.add(file.path, YAMLFile.line(field.value), "'\(word)' is not an action; use quarantine, reject, log or off")
                    }
                } else if let kind = descriptor.options[field.key],
                          let value = optionValue(field.value, like: kind, name: field.key, log: &log) {
                    override.options[field.key] = value
                }
            }
            rules[item.key] = override
        }
        return rules
    }

    private func optionValue(_ node: Node, like example: RuleOptionValue, name: String, log: inout ProblemLog) -> RuleOptionValue? {
        switch example {
        case .integer:
            file.int(node, what: name, log: &log).map { value in
                // A negative limit or count means nothing; it would quietly hold or pass everything.
                if value < 0 { log.add(file.path, YAMLFile.line(node), "\(name): \(value) is below 0; give a whole number of 0 or more") }
                return .integer(value)
            }
        case .number: file.number(node, what: name, log: &log).map(RuleOptionValue.number)
        case .text:
            file.string(node, what: name, log: &log).map { text in
                // The one word-valued option: any other word would quietly mean the default.
                if name == "strictness", !["markings", "mentions"].contains(text.lowercased()) {
                    log.add(file.path, YAMLFile.line(node), "strictness: '\(text)' is not a strictness; use markings or mentions")
                }
                return .text(text)
            }
        case .list:
            file.strings(node, what: name, log: &log).map { entries in
                if let check = OptionEntryCheck.forOption(name) {
                    for (entry, line) in entries {
                        if let problem = check.problem(with: entry) { log.add(file.path, line, "\(name): \(problem)") }
                    }
                }
                return .list(entries.map(\.0))
            }
        case .flag: file.bool(node, what: name, log: &log).map(RuleOptionValue.flag)
        }
    }
}
