public import StewardCore
import StewardPolicy
public import StewardQuarantine

extension NoticePlanner {
    /// Template of the one notice about a login over its hourly limit.
    public static let rateLimitTemplate = "rate-limit"

    /// Notices for a hold, with clause 12's rate per login in mind: a login over its limit has
    /// the rest of the hour's mail held, and the senior official is told once (`rateNoticeClaimed`
    /// is true for the one message that claimed that notice), not once per message. A message
    /// held for the rate alone tells nobody else; one held for other reasons too is told as usual.
    public func notices(forHold verdict: Verdict, envelope: Envelope, rateNoticeClaimed: Bool) -> [NewNotice] {
        let rate = verdict.findings.filter { $0.rule == UsageFamily.loginRateRule.id && $0.action == .quarantine }
        guard !rate.isEmpty else { return notices(forHold: verdict, envelope: envelope) }
        let others = verdict.findings.contains { $0.rule != UsageFamily.loginRateRule.id && $0.action >= .quarantine }
        var result = others ? notices(forHold: verdict, envelope: envelope) : []
        if rateNoticeClaimed {
            var seen = Set<NewNotice>(result)
            for branch in Set(rate.map(\.branch)).sorted() {
                for official in directory.officials(of: branch) where official.senior || (includeDeputies && official.deputy) {
                    let notice = NewNotice(recipient: official.address, template: Self.rateLimitTemplate, branch: branch)
                    if seen.insert(notice).inserted { result.append(notice) }
                }
            }
        }
        return result
    }

    /// Whether this verdict holds a message for the rate per login (so the notice may be claimed).
    public static func holdsForRate(_ verdict: Verdict) -> Bool {
        verdict.action == .quarantine
            && verdict.findings.contains { $0.rule == UsageFamily.loginRateRule.id && $0.action == .quarantine }
    }
}
