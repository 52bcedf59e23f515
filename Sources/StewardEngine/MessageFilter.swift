public import Foundation
public import Logging
public import StewardCore
import StewardInspection
import StewardPolicy
public import StewardQuarantine

/// A message's bytes as the milter collected them: in memory, or spooled to a file when large.
public enum MessageSource: Sendable {
    case bytes([UInt8])
    case file(URL)

    func readAll() throws -> [UInt8] {
        switch self {
        case .bytes(let bytes): bytes
        case .file(let url): [UInt8](try Data(contentsOf: url))
        }
    }
}

/// What to do to a message that is let through.
public enum HeaderModification: Sendable, Hashable {
    case add(name: String, value: String)
    /// Removes the first header with this name (the release mark, before delivery).
    case remove(name: String)
}

/// The outcome at end-of-message: the verdict and what the MTA must be told.
public struct Decision: Sendable {
    public var verdict: Verdict
    /// Header changes for `tag`.
    public var modifications: [HeaderModification]
    /// The quarantine id when the message was held (committed before this value exists).
    public var heldID: Int64?

    public static let tempfailReply = SMTPReply(
        code: "451", status: "4.7.1", text: "Your message could not be checked just now and will be tried again later.")

    public static let tempfail = Decision(
        verdict: Verdict(
            action: .tempfail, direction: .incoming, branches: [], findings: [],
            reply: tempfailReply),
        modifications: [], heldID: nil)
}

/// The one pipeline both the milter and `steward check` run: inspect, evaluate, and for a hold,
/// commit to the store. Every failure becomes a tempfail with a logged reason, never an accept.
public final class MessageFilter: Sendable {
    private let policy: PolicyHolder
    private let store: (any QuarantineStore)?
    private let releaseToken: ReleaseToken?
    private let notifyDeputies: Bool
    private let spool: ContentSpool
    private let logger: Logger
    /// Seconds a hold may take before it is rolled back and answered with tempfail.
    private let holdDeadline: TimeInterval?
    /// Seconds after a hold during which a retry of it is recognised (`HoldRetry`).
    private let retryWindow: TimeInterval?

    /// `store` nil means offline (`check`): holds are reported, not stored. `releaseToken` nil
    /// means no message is let through as released. Parts larger than `spool.threshold` are
    /// inspected from files in `spool.directory` (the config's `spool` settings). A hold that
    /// cannot commit within `holdDeadline` seconds is rolled back and answered 451, so the MTA
    /// is still waiting when told a message is held; a retry of a message held less than
    /// `retryWindow` seconds before is answered as held without storing it again.
    public init(
        policy: PolicyHolder, store: (any QuarantineStore)?, releaseToken: ReleaseToken? = nil, notifyDeputies: Bool = true,
        spool: ContentSpool = .temporary, holdDeadline: TimeInterval? = nil, retryWindow: TimeInterval? = nil, logger: Logger
    ) {
        self.holdDeadline = holdDeadline
        self.retryWindow = retryWindow
        self.spool = spool
        self.policy = policy
        self.store = store
        self.releaseToken = releaseToken
        self.notifyDeputies = notifyDeputies
        self.logger = logger
    }

    /// `decide` for a thread that is not Swift's (libmilter's, `steward check`'s): it waits
    /// here, once per message, while the message is judged on it and the store is awaited.
    public func decideBlocking(_ source: MessageSource, envelope: Envelope) -> Decision {
        ThreadBridge.run { await self.decide(source, envelope: envelope) }
    }

    public func decide(_ source: MessageSource, envelope: Envelope) async -> Decision {
        let snapshot = policy.snapshot
        let started = ContinuousClock.now
        var verdict: Verdict
        let inspected: InspectedMessage
        /// The candidate policies' verdicts, by branch (shadow policy): inspected once, judged twice.
        var shadow: [String: Verdict] = [:]
        do {
            let documentText = ConfidentialFamily.needsDocumentText(envelope, directory: snapshot.evaluator.policy.directory)
            switch source {
            case .bytes(let bytes): inspected = try snapshot.inspector.inspect(bytes: bytes, documentText: documentText, spool: spool)
            case .file(let url): inspected = try snapshot.inspector.inspect(fileAt: url, documentText: documentText, spool: spool)
            }
            if let released = await releasedMessage(inspected, source: source, envelope: envelope) {
                return released
            }
            let activity: LoginActivity?
            switch await countLogin(envelope, policy: snapshot.evaluator.policy) {
            case .success(let counted): activity = counted
            case .failure(let error): return tempfail(envelope, reason: "could not count the login's mail: \(error)", cause: .loginCount)
            }
            verdict = snapshot.evaluator.evaluate(inspected, envelope: envelope, activity: activity)
            FilterMetrics.inspection(since: started)
            for branch in verdict.branches {
                if let candidate = snapshot.candidates[branch] {
                    shadow[branch] = Self.judge(inspected, envelope: envelope, activity: activity, branch: branch, candidate: candidate, live: verdict)
                }
            }
            if let report = await reportCase(inspected, source: source, envelope: envelope, verdict: verdict, snapshot: snapshot) {
                return report
            }
        } catch {
            var decision = tempfail(envelope, reason: error.description)
            // Say where the message was going even though it could not be judged.
            decision.verdict.direction = snapshot.evaluator.direction(of: envelope)
            decision.verdict.branches = snapshot.evaluator.branches(involvedIn: envelope)
            return decision
        }

        var decision = Decision(verdict: verdict, modifications: [], heldID: nil)
        // A release mark that did not verify is not passed on to the recipients either.
        if !inspected.headerValues(ReleaseToken.headerName).isEmpty {
            decision.modifications.append(.remove(name: ReleaseToken.headerName))
        }
        switch verdict.action {
        case .quarantine:
            if let store {
                let storing = ContinuousClock.now
                defer { FilterMetrics.store(since: storing) }
                do {
                    let planner = NoticePlanner(directory: snapshot.evaluator.policy.directory, includeDeputies: notifyDeputies)
                    let rateNotice = try await claimRateNotice(verdict, envelope: envelope)
                    decision.heldID = try await hold(
                        NewHold(
                            envelope: envelope, verdict: Self.stored(verdict, inspected), raw: try source.readAll(), subject: Self.subject(of: inspected),
                            notices: planner.notices(forHold: verdict, envelope: envelope, rateNoticeClaimed: rateNotice)),
                        in: store)
                } catch {
                    return tempfail(envelope, reason: "could not store the held message: \(error)", cause: .store)
                }
            }
        case .tag:
            if Self.marksFindings(verdict, envelope: envelope, policy: snapshot.evaluator.policy) {
                decision.modifications.append(.add(name: "X-Steward-Findings", value: Self.findingsHeader(verdict.findings)))
            }
        case .reject:
            if verdict.reply == nil {
                verdict.reply = SMTPReply(
                    code: "550", status: "5.7.1",
                    text: "Your message was refused by the union's e-mail code of practice.")
                decision.verdict = verdict
            }
        case .accept, .tempfail:
            break
        }
        if verdict.findings.contains(where: { $0.action == .tag }) || !shadow.isEmpty {
            let facts = ObservationBuilder.Facts(
                at: Date(), envelope: envelope, subject: Self.subject(of: inspected),
                partNames: ObservationBuilder.partNames(inspected), heldID: decision.heldID)
            await record(
                ObservationBuilder.logged(verdict, facts: facts) + ObservationBuilder.disagreements(verdict, candidates: shadow, facts: facts),
                envelope: envelope)
        }
        log(decision, envelope: envelope)
        return decision
    }

    /// A branch's candidate verdict: the families it changes run again for that branch only (of a
    /// family with independent rules, only the rules it changes); the other findings for the
    /// branch are the live ones (the same rules, the same answer).
    static func judge(
        _ inspected: InspectedMessage, envelope: Envelope, activity: LoginActivity?, branch: String,
        candidate: PolicyHolder.Candidate, live: Verdict
    ) -> Verdict {
        var verdict = candidate.evaluator.evaluate(
            inspected, envelope: envelope, activity: activity, onlyBranch: branch, onlyFamilies: candidate.families,
            onlyRules: candidate.rules)
        if candidate.families != nil {
            verdict.findings = live.findings.filter { $0.branch == branch && !candidate.reruns($0) } + verdict.findings
            verdict.action = verdict.findings.map(\.action).max() ?? .accept
        }
        return verdict
    }

    /// Monitor mode must not tell an outside recipient what the union flagged (that its mail
    /// was marked confidential): the header goes only on mail that stays inside the union, and
    /// only when every branch whose `log` rule matched asks for it (`monitor: findings_header`).
    static func marksFindings(_ verdict: Verdict, envelope: Envelope, policy: Policy) -> Bool {
        guard envelope.recipients.allSatisfy(policy.directory.isUnionAddress) else { return false }
        let branches = Set(verdict.findings.filter { $0.action == .tag }.map(\.branch))
        return !branches.isEmpty && branches.allSatisfy { policy.settings(for: $0).findingsHeader }
    }

    /// Stores what the branches tune by. Metadata about mail that was let through: a store
    /// failure here is logged and the message goes on as judged (it is never lost either way).
    private func record(_ observations: [PolicyObservation], envelope: Envelope) async {
        guard !observations.isEmpty, let store = store as? any PolicyObservationStore else { return }
        do {
            try await store.record(observations)
        } catch {
            logger.error("could not record what the policy observed; the message went on as judged", metadata: [
                "milter.queue_id": "\(envelope.queueID ?? "-")", "error.reason": "\(error)",
            ])
        }
    }

    /// Clause 12's rate per login: counts this message for its login in the store (one upsert)
    /// and returns the login's last hour, for the evaluator. Nil when the message is not counted
    /// (no login, a union-run list, the rule off) or there is no store (`steward check`).
    private func countLogin(_ envelope: Envelope, policy: Policy) async -> Result<LoginActivity?, QuarantineError> {
        guard let counter = store as? any LoginRateStore, let login = UsageFamily.loginToCount(envelope, policy: policy) else {
            return .success(nil)
        }
        let recipients = Set(envelope.recipients.map(EmailAddress.normalize)).count
        do {
            return .success(try await counter.countMessage(login: login, recipients: recipients, at: Date()))
        } catch {
            return .failure(error)
        }
    }

    /// Whether this hold is the one that tells the senior official about a login over its limit.
    private func claimRateNotice(_ verdict: Verdict, envelope: Envelope) async throws(QuarantineError) -> Bool {
        guard NoticePlanner.holdsForRate(verdict), let login = envelope.authUser, let counter = store as? any LoginRateStore else { return false }
        return try await counter.claimRateNotice(login: login, at: Date())
    }

    /// Clause 15: a message sent or forwarded to a branch's report address opens a report case:
    /// kept as evidence with the reporter's identity, the branch's senior official told, the
    /// reporter thanked, and nothing delivered or sent back to the original sender.
    private func reportCase(
        _ inspected: InspectedMessage, source: MessageSource, envelope: Envelope, verdict: Verdict,
        snapshot: PolicyHolder.Snapshot
    ) async -> Decision? {
        let directory = snapshot.evaluator.policy.directory
        guard let branch = envelope.recipients.lazy.compactMap({ directory.branch(reportingTo: $0) }).first else { return nil }
        var report = verdict
        report.action = .quarantine
        report.branches = [branch.id]
        report.reply = nil
        var decision = Decision(verdict: report, modifications: [], heldID: nil)
        guard let store else {
            log(decision, envelope: envelope)
            return decision
        }
        // Who reported: the envelope sender, and the login when they authenticated.
        let replyTo = envelope.sender.isEmpty ? (envelope.authUser.flatMap { directory.addresses(for: $0).first } ?? "") : envelope.sender
        let reporter = replyTo + (envelope.authUser.map { " (login \($0))" } ?? "")
        do {
            let planner = NoticePlanner(directory: directory, includeDeputies: notifyDeputies)
            decision.heldID = try await hold(
                NewHold(
                    envelope: envelope, verdict: Self.stored(report, inspected), raw: try source.readAll(), kind: .report, reporter: reporter,
                    subject: Self.subject(of: inspected), notices: planner.notices(forReportTo: branch.id, reporter: replyTo)),
                in: store)
        } catch {
            return tempfail(envelope, reason: "could not store the report: \(error)", cause: .store)
        }
        log(decision, envelope: envelope)
        return decision
    }

    /// The verdict as the quarantine keeps it: with the attachments as inspection saw them, so
    /// the review app lists them (and each finding under its part) without inspecting again.
    static func stored(_ verdict: Verdict, _ inspected: InspectedMessage) -> Verdict {
        var verdict = verdict
        verdict.parts = PartSummary.attachments(of: inspected)
        return verdict
    }

    /// Commits `message` within the hold deadline (counted from now, after inspection), or
    /// recognises it as a retry of a message already held; returns the quarantine id either way.
    private func hold(_ message: NewHold, in store: any QuarantineStore) async throws -> Int64 {
        var message = message
        message.deadline = holdDeadline.map { Date().addingTimeInterval($0) }
        message.retryWindow = retryWindow
        let outcome = try await store.holdOnce(message, actor: "steward")
        if outcome.isRetry {
            logger.notice("a retry of a message already held: answered as held, not stored again", metadata: [
                "milter.queue_id": "\(message.envelope.queueID ?? "-")", "quarantine.id": "\(outcome.id)",
            ])
        }
        return outcome.id
    }

    /// The subject for lists and notices: decoded by inspection, else as sent; cleaned of
    /// control and format characters (the original stays in the stored bytes).
    static func subject(of inspected: InspectedMessage) -> String {
        UntrustedText.cleaned(String((inspected.subject ?? inspected.headerValues("Subject").first ?? "").prefix(300)))
    }

    /// A message coming back from a release carries a mark only this host can make, bound to
    /// its quarantine id, its stored bytes (headers and body) and its original envelope sender
    /// and recipients. A genuine mark for a released message whose delivery is not yet recorded
    /// lets it through once, without a second judgement; the mark is removed so the recipients
    /// get the original bytes. Anything else (changed headers, another sender, one more
    /// recipient) is judged like any other message.
    private func releasedMessage(_ inspected: InspectedMessage, source: MessageSource, envelope: Envelope) async -> Decision? {
        guard !inspected.headerValues(ReleaseToken.headerName).isEmpty, let releaseToken, let store else { return nil }
        guard let bytes = try? source.readAll(),
            let id = releaseToken.verify(bytes, sender: envelope.sender, recipients: envelope.recipients)
        else {
            logger.warning("a release mark that does not fit this message, sender and recipients: judged as any other message", metadata: [
                "milter.queue_id": "\(envelope.queueID ?? "-")"
            ])
            return nil
        }
        guard (try? await store.recordReleaseDelivery(id: id, queueID: envelope.queueID)) == true else {
            logger.warning("a release mark for a message not released or already delivered: judged as any other message", metadata: [
                "milter.queue_id": "\(envelope.queueID ?? "-")", "quarantine.id": "\(id)",
            ])
            return nil
        }
        logger.info("released message delivered", metadata: ["milter.queue_id": "\(envelope.queueID ?? "-")", "quarantine.id": "\(id)"])
        return Decision(
            verdict: Verdict(action: .accept, direction: .internal, branches: [], findings: []),
            modifications: [.remove(name: ReleaseToken.headerName)], heldID: nil)
    }

    /// The answer when a message could not be judged or stored: the MTA keeps it and retries.
    /// The reason is logged, never sent to the client.
    public func tempfail(_ envelope: Envelope, reason: String, cause: FilterMetrics.TempfailCause = .inspection) -> Decision {
        FilterMetrics.tempfail(cause)
        logger.error(
            "message not inspected; answered tempfail",
            metadata: ["milter.queue_id": "\(envelope.queueID ?? "-")", "error.reason": "\(reason)"])
        return Decision.tempfail
    }

    /// One structured line per message: queue id, direction, branches, action, findings by rule.
    /// Nothing of the body.
    private func log(_ decision: Decision, envelope: Envelope) {
        let verdict = decision.verdict
        var metadata: Logger.Metadata = [
            "milter.queue_id": "\(envelope.queueID ?? "-")",
            "message.direction": "\(verdict.direction.rawValue)",
            "policy.branches": "\(verdict.branches.joined(separator: ","))",
            "message.action": "\(verdict.action.rawValue)",
            "message.findings": "\(verdict.findings.map { "\($0.kind)/\($0.rule)@\($0.branch)" }.joined(separator: ","))",
        ]
        if let id = decision.heldID { metadata["quarantine.id"] = "\(id)" }
        logger.info("message", metadata: metadata)
        FilterMetrics.message(verdict)
    }

    /// `rule (branch); rule (branch)`: only rule ids and branches, never content.
    static func findingsHeader(_ findings: [Finding]) -> String {
        findings.map { "\($0.kind)/\($0.rule) (\($0.branch))" }.joined(separator: "; ")
    }
}
