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
    private let logger: Logger

    /// `store` nil means offline (`check`): holds are reported, not stored.
    public init(policy: PolicyHolder, store: (any QuarantineStore)?, logger: Logger) {
        self.policy = policy
        self.store = store
        self.logger = logger
    }

    public func decide(_ source: MessageSource, envelope: Envelope) -> Decision {
        let snapshot = policy.snapshot
        var verdict: Verdict
        do {
            let inspected: InspectedMessage
            let documentText = ConfidentialFamily.needsDocumentText(envelope, directory: snapshot.evaluator.policy.directory)
            switch source {
            case .bytes(let bytes): inspected = try snapshot.inspector.inspect(bytes: bytes, documentText: documentText)
            case .file(let url): inspected = try snapshot.inspector.inspect(fileAt: url, documentText: documentText)
            }
            verdict = snapshot.evaluator.evaluate(inspected, envelope: envelope)
        } catch {
            return tempfail(envelope, reason: error.description)
        }

        var decision = Decision(verdict: verdict, modifications: [], heldID: nil)
        switch verdict.action {
        case .quarantine:
            if let store {
                do {
                    decision.heldID = try store.hold(NewHold(envelope: envelope, verdict: verdict, raw: try source.readAll()))
                } catch {
                    return tempfail(envelope, reason: "could not store the held message: \(error)")
                }
            }
        case .tag:
            decision.modifications = [.add(name: "X-Steward-Findings", value: Self.findingsHeader(verdict.findings))]
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
        log(decision, envelope: envelope)
        return decision
    }

    /// The answer when a message could not be judged or stored: the MTA keeps it and retries.
    /// The reason is logged, never sent to the client.
    public func tempfail(_ envelope: Envelope, reason: String) -> Decision {
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
    }

    /// `rule (branch); rule (branch)`: only rule ids and branches, never content.
    static func findingsHeader(_ findings: [Finding]) -> String {
        findings.map { "\($0.kind)/\($0.rule) (\($0.branch))" }.joined(separator: "; ")
    }
}
