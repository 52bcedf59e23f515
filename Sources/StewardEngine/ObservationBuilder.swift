import Foundation
import StewardCore
import StewardQuarantine

/// Turns a judgement into the metadata a branch tunes by (`PolicyObservation`): one record per
/// branch whose `log` rules matched. Pure; the filter stores what it returns.
enum ObservationBuilder {
    /// At most this many part names are kept per message (a zip of thousands of files).
    static let maximumPartNames = 50

    /// The message's metadata, shared by every observation made of it.
    struct Facts {
        var at: Date
        var envelope: Envelope
        var subject: String
        var partNames: [String]
        var heldID: Int64?
    }

    static func partNames(_ inspected: InspectedMessage) -> [String] {
        var names: [String] = []
        for part in inspected.allParts {
            for name in part.allNames where !name.isEmpty && !names.contains(name) {
                names.append(UntrustedText.cleaned(String(name.prefix(200))))
                if names.count == maximumPartNames { return names }
            }
        }
        return names
    }

    /// One `logged` observation per branch with a matching rule set to `log`, whatever the
    /// message's outcome (another rule may have held it).
    static func logged(_ verdict: Verdict, facts: Facts) -> [PolicyObservation] {
        let logged = verdict.findings.filter { $0.action == .tag }
        let branches = Array(Set(logged.map(\.branch))).sorted()
        return branches.map { branch in
            observation(.logged, branch: branch, verdict: verdict, facts: facts, rules: mentions(logged, branch: branch))
        }
    }

    /// Where a branch's candidate policy and its live one disagree on stopping the message (a
    /// hold or a refusal): one observation per such branch, with both sides' rules. Agreement,
    /// and differences that change nothing (another rule, a log instead of nothing), are not kept.
    static func disagreements(_ live: Verdict, candidates: [String: Verdict], facts: Facts) -> [PolicyObservation] {
        candidates.keys.sorted().compactMap { branch in
            guard let candidate = candidates[branch] else { return nil }
            let liveStops = stops(live, branch: branch), candidateStops = stops(candidate, branch: branch)
            guard liveStops != candidateStops else { return nil }
            return observation(
                candidateStops ? .candidateWouldHold : .candidateWouldPass, branch: branch, verdict: live, facts: facts,
                rules: mentions(live.findings, branch: branch), candidateRules: mentions(candidate.findings, branch: branch))
        }
    }

    /// Whether `branch`'s findings stop the message (hold or refuse it).
    static func stops(_ verdict: Verdict, branch: String) -> Bool {
        verdict.findings.contains { $0.branch == branch && $0.action >= .quarantine && $0.action != .tempfail }
    }

    static func mentions(_ findings: [Finding], branch: String) -> [RuleMention] {
        var seen: Set<RuleMention> = []
        return findings.filter { $0.branch == branch }.map(RuleMention.init).filter { seen.insert($0).inserted }
    }

    static func observation(
        _ kind: PolicyObservation.Kind, branch: String, verdict: Verdict, facts: Facts, rules: [RuleMention], candidateRules: [RuleMention] = []
    ) -> PolicyObservation {
        PolicyObservation(
            at: facts.at, kind: kind, branch: branch, direction: verdict.direction, branches: verdict.branches,
            sender: facts.envelope.sender, recipients: facts.envelope.recipients, subject: facts.subject,
            partNames: facts.partNames, rules: rules, candidateRules: candidateRules, heldID: facts.heldID)
    }
}
