import Foundation
import Hummingbird
import StewardCore
import StewardEngine
import StewardPolicy
import StewardQuarantine

/// "Release and allow": on releasing a message, its sender can be allowed for one of the rules
/// that held it, in that branch's candidate policy (`branches/NAME.candidate.yaml`, made from
/// the live one when absent). Never the live policy: the exception is shadowed like any other
/// candidate change and becomes live only when a review admin promotes it.
extension ReviewApp {
    /// The rules this reviewer may allow the sender for: each rule that asked for the hold in a
    /// branch that decides on the message and that they serve, outside the impersonation
    /// family. None without a sender address, and none when the sender did not sign in (SMTP
    /// AUTH): an exception applies only to signed-in senders, as an envelope sender can be forged.
    func allowChoices(_ message: HeldMessage, reviewer: Reviewer) -> [MessagePage.AllowChoice] {
        guard message.kind == .hold, message.envelope.sender.contains("@"), message.envelope.authUser != nil,
            reviewer.access(to: message, directory: directory) == .decide
        else { return [] }
        let deciding = Set(DecisionRights.decidingBranches(of: message, directory: directory))
        let noExceptions = Set(DetectionFamilies.standard.filter { !$0.allowsSenderExceptions }.map(\.kind))
        var seen: Set<String> = []
        return message.verdict.findings.compactMap { finding in
            guard finding.action == .quarantine, !noExceptions.contains(finding.kind), deciding.contains(finding.branch),
                reviewer.serves(branch: finding.branch)
            else { return nil }
            let value = "\(finding.branch)/\(finding.rule)"
            guard seen.insert(value).inserted else { return nil }
            return MessagePage.AllowChoice(
                value: value, label: "Release, and allow \(message.envelope.sender) for rule \(finding.rule) in \(branchName(finding.branch))'s candidate policy")
        }
    }

    /// The `allow` field of a release form as (branch, rule): nil when empty; 403 when it names
    /// anything not offered to this reviewer for this message (another branch, another rule).
    func allowChoice(_ field: String?, _ message: HeldMessage, reviewer: Reviewer) throws -> (branch: String, rule: String)? {
        guard let field, !field.isEmpty else { return nil }
        guard allowChoices(message, reviewer: reviewer).contains(where: { $0.value == field }),
            let slash = field.firstIndex(of: "/")
        else { throw HTTPError(.forbidden, message: "That exception is not yours to add for this message.") }
        return (String(field[..<slash]), String(field[field.index(after: slash)...]))
    }

    /// Writes the exception into the candidate (audited) and says what happened, in one line.
    func allowSender(of message: HeldMessage, _ allow: (branch: String, rule: String), reviewer: Reviewer, reason: String) async -> String {
        let candidate = CandidatePolicy(directory: policy.directory, branch: allow.branch)
        do {
            try await candidate.allowSender(
                message.envelope.sender, rule: allow.rule, store: store, actor: reviewer.login, reason: reason, messageID: message.id)
        } catch {
            return "The sender was not added to the candidate policy: \(error.description)"
        }
        _ = try? policy.reload()
        return "\(message.envelope.sender) is allowed for rule \(allow.rule) in \(branchName(allow.branch))'s candidate policy "
            + "(not yet live: see the branch's candidate policy page)."
    }
}
