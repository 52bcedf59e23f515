import Foundation
public import StewardCore
public import StewardQuarantine

/// Stored messages re-judged under another policy, per rule: which would newly be stopped (held
/// or refused), which would no longer be, and what officials decided about those messages. Pure:
/// it compares the stored verdicts with new ones the caller computed.
public struct Backtest: Sendable {
    /// What officials decided about a set of messages.
    public struct Decisions: Sendable, Hashable {
        public var messages = 0
        public var released = 0
        public var refused = 0
        public var undecided = 0

        mutating func add(_ message: HeldMessage) {
            messages += 1
            switch message.state {
            case .released: released += 1
            case .refused: refused += 1
            default: undecided += 1
            }
        }
    }

    /// One rule's change: messages it stopped and would no longer, and messages it would newly stop.
    public struct RuleChange: Sendable, Hashable {
        public var rule: String
        public var wouldPass = Decisions()
        public var wouldStop = Decisions()
    }

    public var judged = 0
    /// Messages whose content was erased (deleted, purged): not re-judged.
    public var skipped = 0
    /// Messages that would not be stopped by any rule under the new policy.
    public var wouldPassEntirely = Decisions()
    public var rules: [RuleChange] = []

    public init() {}

    /// `kind/rule` of the findings that stop a message (hold or refuse it).
    static func stopping(_ verdict: Verdict) -> Set<String> {
        Set(verdict.findings.filter { $0.action == .quarantine || $0.action == .reject }.map { "\($0.kind)/\($0.rule)" })
    }

    /// Adds one message and its verdict under the new policy.
    public mutating func add(_ message: HeldMessage, newVerdict: Verdict) {
        judged += 1
        let old = Self.stopping(message.verdict), new = Self.stopping(newVerdict)
        var byRule = Dictionary(uniqueKeysWithValues: rules.map { ($0.rule, $0) })
        for rule in old.subtracting(new) { byRule[rule, default: RuleChange(rule: rule)].wouldPass.add(message) }
        for rule in new.subtracting(old) { byRule[rule, default: RuleChange(rule: rule)].wouldStop.add(message) }
        rules = byRule.values.sorted { $0.rule < $1.rule }
        if message.kind == .hold, new.isEmpty, newVerdict.action < .quarantine { wouldPassEntirely.add(message) }
    }

    /// Plain sentences, one a rule.
    public var lines: [String] {
        func decided(_ d: Decisions) -> String {
            "officials released \(d.released) of them, refused \(d.refused), \(d.undecided) not decided"
        }
        var lines = ["\(judged) stored message(s) re-judged" + (skipped > 0 ? "; \(skipped) skipped (content erased)" : "")]
        for change in rules {
            if change.wouldPass.messages > 0 {
                lines.append("\(change.wouldPass.messages) stopped by \(change.rule) would no longer be under the new policy; \(decided(change.wouldPass))")
            }
            if change.wouldStop.messages > 0 {
                lines.append("\(change.wouldStop.messages) would newly be stopped by \(change.rule); \(decided(change.wouldStop))")
            }
        }
        if rules.isEmpty { lines.append("No rule would judge these messages differently.") }
        lines.append("\(wouldPassEntirely.messages) held message(s) would pass entirely; \(decided(wouldPassEntirely))")
        return lines
    }
}
