import Foundation
import Logging
import StewardPolicy
import StewardQuarantine

/// Runs the notice sender on a thread of its own for the life of `steward serve`. Sending is
/// slow (the MTA) and rare, so it never runs on a milter thread. Each round also writes the
/// audit trail's newest signed checkpoint to the log (the system journal) when it has moved:
/// one more copy of the head that someone holding the database cannot rewrite.
public enum NoticeLoop {
    public static func start(sender: NoticeSender, policy: PolicyHolder, everySeconds: Double) {
        let thread = Thread {
            var logged: AuditCheckpoint?
            while true {
                sender.tick(directory: policy.snapshot.evaluator.policy.directory)
                if let head = sender.settings.auditAnchor?.latest(), head != logged {
                    sender.logger.notice("audit checkpoint", metadata: ["audit.checkpoint": "\(head.line)"])
                    logged = head
                }
                Thread.sleep(forTimeInterval: everySeconds)
            }
        }
        thread.name = "steward-notices"
        thread.start()
    }
}
