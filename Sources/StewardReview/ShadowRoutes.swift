import Foundation
import Hummingbird
import HummingbirdAuth
import Logging
import StewardCore
import StewardEngine
import StewardPolicy
import StewardQuarantine

/// `GET /branches/{branch}/shadow`: where the branch's candidate policy disagreed with the live
/// one, by rule and week, and the messages concerned (held ones link to their page; passed ones
/// are metadata only, as nobody may read them). A review admin can promote or discard the
/// candidate there (`POST .../promote`, `.../discard`): checked, audited with the change and
/// who made it, and the live policy reloads. 403 for a branch the reviewer does not serve, and
/// for promoting or discarding by anyone but a review admin.
struct ShadowRoutes {
    let app: ReviewApp

    struct RuleRow {
        var rule: String
        var week: String
        var wouldHold: Int
        var wouldPass: Int
    }

    struct MessageRow {
        var at: LocalTime
        var difference: String
        var direction: String
        var sender: String
        var recipients: String
        var subject: String
        /// Attachment names; nil when there are none (an empty string would still show its brackets).
        var parts: String?
        var live: String
        var candidate: String
        var heldID: Int64?
    }

    struct ShadowPage {
        var frame: Frame
        var branch: String
        var branchName: String
        var candidate: String?
        var rows: [RuleRow]
        var messages: [MessageRow]
        var empty: Bool
        var mayPromote: Bool
    }

    struct PromoteForm: Decodable {
        var reason: String?
        var confirm: String?
    }

    func add(to router: Router<ReviewContext>) {
        router.get("/branches/:branch/shadow") { _, context in
            let branch = try app.servedBranch(context)
            let calendar = BranchFigures.calendar(timeZone: TimeZone(identifier: "UTC")!)
            let report = try await ShadowReport.load(from: app.store, branch: branch, weeks: FiguresRoutes.defaultWeeks, now: app.now(), calendar: calendar)
            let candidate = CandidatePolicy(directory: app.policy.directory, branch: branch).candidateText()
            let name = app.branchName(branch)
            let isAdmin = try context.requireIdentity().isAdmin
            let page = ShadowPage(
                frame: app.frame(title: "Candidate policy for \(name)", context: context), branch: branch, branchName: name,
                candidate: candidate,
                rows: report.rows.map { RuleRow(rule: $0.rule, week: $0.week.description, wouldHold: $0.wouldHold, wouldPass: $0.wouldPass) },
                messages: report.messages.map { Self.messageRow($0, times: app.timeFormat(for: context.identity)) }, empty: report.messages.isEmpty,
                mayPromote: candidate != nil && isAdmin)
            return app.pages.render("shadow", page)
        }
        router.post("/branches/:branch/shadow/promote") { request, context in
            try await change(request, context) { candidate, login, reason in
                try await candidate.promote(store: app.store, actor: login, reason: reason)
                return "The candidate policy is now the live policy of this branch."
            }
        }
        router.post("/branches/:branch/shadow/discard") { request, context in
            try await change(request, context) { candidate, login, reason in
                try await candidate.discard(store: app.store, actor: login, reason: reason)
                return "The candidate policy was discarded."
            }
        }
    }

    /// Only a review admin changes a branch's live policy; a reason and the confirmation are needed.
    private func change(
        _ request: Request, _ context: ReviewContext, _ action: (CandidatePolicy, String, String) async throws -> String
    ) async throws -> Response {
        let branch = try app.servedBranch(context)
        let reviewer = try context.requireIdentity()
        guard reviewer.isAdmin else { throw HTTPError(.forbidden, message: "Only a review admin can promote or discard a candidate policy.") }
        let form = try await app.form(PromoteForm.self, request)
        var flash = ReviewApp.unconfirmed
        if let reason = ReviewApp.confirmedReason(form.reason, form.confirm) {
            do {
                flash = try await action(CandidatePolicy(directory: app.policy.directory, branch: branch), reviewer.login, reason)
                _ = try? app.policy.reload()
                context.logger.notice("candidate policy changed", metadata: ["policy.branch": "\(branch)", "login": "\(reviewer.login)", "path": "\(request.uri.path)"])
            } catch let error as CandidatePolicy.Failure {
                flash = "Nothing was done: \(error.description)"
            }
        }
        context.sessions.withLockedSession { $0?.flash = flash }
        return .seeOther("/branches/\(branch)/shadow")
    }

    static func messageRow(_ observation: PolicyObservation, times: TimeFormat) -> MessageRow {
        func rules(_ mentions: [RuleMention]) -> String {
            mentions.isEmpty ? "none" : mentions.map { "\($0.name) (\($0.action == .tag ? "log" : $0.action.rawValue))" }.joined(separator: ", ")
        }
        return MessageRow(
            at: times.minute(observation.at),
            difference: observation.kind == .candidateWouldHold ? "Candidate would hold, live passed" : "Candidate would pass, live held",
            direction: observation.direction.rawValue, sender: observation.sender, recipients: observation.recipients.joined(separator: ", "),
            subject: observation.subject, parts: observation.partNames.isEmpty ? nil : observation.partNames.joined(separator: ", "), live: rules(observation.rules),
            candidate: rules(observation.candidateRules), heldID: observation.heldID)
    }
}
