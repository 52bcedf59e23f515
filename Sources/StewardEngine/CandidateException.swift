import Foundation
import StewardCore
import StewardPolicy
public import StewardQuarantine
import Yams

extension CandidatePolicy {
    /// Adds `sender` to `rule`'s `except_senders:` in the branch's candidate policy, creating
    /// the candidate from the live branch file when there is none: "release and allow" in the
    /// review app. The live policy is never touched; the exception takes effect only when an
    /// admin promotes the candidate, and meanwhile the shadow report shows what it changes.
    /// Checked like a reload (the directory with the new candidate must lint clean), then put on
    /// the audit trail against `messageID` with the change. Returns the change.
    ///
    /// The file is rewritten from its parsed form, so comments in the candidate are not kept
    /// (the live file's comments stay until a promotion).
    @discardableResult
    public func allowSender(
        _ sender: String, rule: String, store: any QuarantineStore, actor: String, reason: String, messageID: Int64?
    ) async throws(Failure) -> String {
        try await exclusively { () async throws(Failure) in
            try await allowSenderLocked(sender, rule: rule, store: store, actor: actor, reason: reason, messageID: messageID)
        }
    }

    private func allowSenderLocked(
        _ sender: String, rule: String, store: any QuarantineStore, actor: String, reason: String, messageID: Int64?
    ) async throws(Failure) -> String {
        let address = EmailAddress.normalize(sender)
        guard address.split(separator: "@", omittingEmptySubsequences: false).count == 2 else {
            throw Failure(code: .problems, description: "the message has no sender address to allow")
        }
        let existing = candidateText()
        let before: String
        if let existing { before = existing } else { before = try liveFile().text }
        let after = try Self.adding(address, toRule: rule, of: branch, in: before)
        // The directory as it will be: this candidate in place of the old one.
        do {
            var files = try PolicyDirectoryReader.read(directory).filter { !$0.path.hasSuffix("/branches/\(branch).candidate.yaml") }
            files.append(PolicyFile(path: candidateURL.path, text: after))
            _ = try Policy.parse(files)
        } catch {
            throw Failure(code: .problems, description: "the exception cannot be added; the candidate policy would have problems:\n\(error)")
        }
        let change = Self.change(from: before, to: after)
        do {
            try Data(after.utf8).write(to: candidateURL, options: .atomic)
        } catch {
            throw Failure(code: .writeFailed, description: "could not write \(candidateURL.path): \(error.localizedDescription)")
        }
        do {
            try await store.appendAudit(NewAuditEntry(
                actor: actor, action: .policyException, messageID: messageID, reason: reason,
                detail: "branch \(branch): candidate allows \(address) for rule \(rule)\n\(change)"))
        } catch {
            // No change without its record.
            if let existing { try? Data(existing.utf8).write(to: candidateURL, options: .atomic) } else { try? FileManager.default.removeItem(at: candidateURL) }
            throw Failure(code: .writeFailed, description: "the exception could not be put on the audit trail, so it was undone: \(error)")
        }
        // Running Stewards reload and start shadowing the candidate.
        try? PolicyHolder.touchStamp(directory)
        return change
    }

    /// `text` (a branch rule set, possibly empty) with `address` listed under
    /// `rules: RULE: except_senders:`.
    static func adding(_ address: String, toRule rule: String, of branch: String, in text: String) throws(Failure) -> String {
        var root: Node.Mapping
        do {
            let parsed = text.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty ? nil : try Yams.compose(yaml: text)
            guard let mapping = parsed?.mapping ?? (parsed == nil ? Node.Mapping([]) : nil) else {
                throw Failure(code: .problems, description: "the branch's rule set is not a YAML mapping")
            }
            root = mapping
        } catch let failure as Failure {
            throw failure
        } catch {
            throw Failure(code: .problems, description: "the branch's rule set cannot be read: \(error)")
        }
        if root["branch"] == nil { root["branch"] = Node(branch) }
        var rules = root["rules"]?.mapping ?? Node.Mapping([])
        var setting = rules[rule]?.mapping ?? Node.Mapping([])
        var senders = setting["except_senders"]?.sequence ?? Node.Sequence([])
        if !senders.contains(where: { $0.string.map(EmailAddress.normalize) == address }) {
            senders.append(Node(address))
        }
        setting["except_senders"] = Node.sequence(senders)
        rules[rule] = Node.mapping(setting)
        root["rules"] = Node.mapping(rules)
        do {
            return "# Candidate policy of branch \(branch): review it on the branch's candidate page, then promote or discard it.\n"
                + (try Yams.serialize(node: Node.mapping(root)))
        } catch {
            throw Failure(code: .writeFailed, description: "the candidate policy could not be written out: \(error)")
        }
    }
}
