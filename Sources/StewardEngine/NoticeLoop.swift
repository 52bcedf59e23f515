import Foundation
import StewardPolicy

/// Runs the notice sender on a thread of its own for the life of `steward serve`. Sending is
/// slow (the MTA) and rare, so it never runs on a milter thread.
public enum NoticeLoop {
    public static func start(sender: NoticeSender, policy: PolicyHolder, everySeconds: Double) {
        let thread = Thread {
            while true {
                sender.tick(directory: policy.snapshot.evaluator.policy.directory)
                Thread.sleep(forTimeInterval: everySeconds)
            }
        }
        thread.name = "steward-notices"
        thread.start()
    }
}
