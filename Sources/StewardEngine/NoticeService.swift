import Foundation
import Logging
public import ServiceLifecycle
import StewardPolicy
import StewardQuarantine

/// The notice sender as a service of `steward serve`: a round every `everySeconds`, off the
/// milter's threads (sending is slow and rare). Each round also writes the audit trail's newest
/// signed checkpoint to the log (the system journal) when it has moved: one more copy of the
/// head that someone holding the database cannot rewrite. On shutdown the round in progress
/// finishes (a notice is sent and marked, or left queued); the wait between rounds does not.
public struct NoticeService: Service {
    let sender: NoticeSender
    let policy: PolicyHolder
    let everySeconds: Double

    public init(sender: NoticeSender, policy: PolicyHolder, everySeconds: Double) {
        self.sender = sender
        self.policy = policy
        self.everySeconds = everySeconds
    }

    public func run() async throws {
        var logged: AuditCheckpoint?
        while !Task.isShuttingDownGracefully && !Task.isCancelled {
            await sender.tick(directory: policy.snapshot.evaluator.policy.directory)
            if let head = sender.settings.auditAnchor?.latest(), head != logged {
                sender.logger.notice("audit checkpoint", metadata: ["audit.checkpoint": "\(head.line)"])
                logged = head
            }
            try? await cancelWhenGracefulShutdown { try await Task.sleep(for: .seconds(everySeconds)) }
        }
    }
}
