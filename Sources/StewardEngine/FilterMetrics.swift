import CoreMetrics
import Foundation
import StewardCore

/// What the milter counts, through swift-metrics (exported by `steward serve` in Prometheus's
/// text format on `metrics.listen`; a no-op in `steward check` and the tests that bootstrap
/// nothing). Label values are only rule ids, branch ids, directions, actions and causes: never
/// an address or anything from a message.
public enum FilterMetrics {
    /// Why a message was answered with tempfail (the `cause` label).
    public enum TempfailCause: String, Sendable {
        /// Inspection failed (a limit, a parser error).
        case inspection
        /// The quarantine store could not keep a held message or a report.
        case store
        /// The login's rate could not be counted (clause 12).
        case loginCount = "login-count"
        /// The spool could not be written (a full disk).
        case spool
        /// `serve` was stopping.
        case stopping
    }

    static func message(_ verdict: Verdict) {
        Counter(label: "steward_messages_total", dimensions: [
            ("direction", verdict.direction.rawValue), ("action", verdict.action.rawValue),
        ]).increment()
        for finding in verdict.findings {
            Counter(label: "steward_findings_total", dimensions: [("rule", finding.rule), ("branch", finding.branch)]).increment()
        }
    }

    static func tempfail(_ cause: TempfailCause) {
        Counter(label: "steward_tempfails_total", dimensions: [("cause", cause.rawValue)]).increment()
    }

    /// Inspection (MIME walk, types, archives, text) and policy, per message.
    static func inspection(since start: ContinuousClock.Instant) {
        record("steward_inspection_seconds", since: start)
    }

    /// Writing a held message (or a report) to the store, per hold.
    static func store(since start: ContinuousClock.Instant) {
        record("steward_store_seconds", since: start)
    }

    private static func record(_ label: String, since start: ContinuousClock.Instant) {
        let elapsed = ContinuousClock.now - start
        let (seconds, attoseconds) = elapsed.components
        Timer(label: label).recordNanoseconds(seconds * 1_000_000_000 + attoseconds / 1_000_000_000)
    }
}
