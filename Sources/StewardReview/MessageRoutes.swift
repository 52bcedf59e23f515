import Foundation
import Hummingbird
import HummingbirdAuth
import StewardCore
import StewardEngine
import StewardPolicy
import StewardQuarantine
import Logging
import HTTPTypes
import StewardInspection

/// `GET /messages/{id}` and the decisions posted from it: release, refuse, legal hold. Each
/// decision needs a reason and a ticked confirmation, goes through the same engine code as the
/// command line (same audit entries), and answers 303 back to the page with a flash line.
/// A message outside the reviewer's branches is "not found" (404), so ids do not leak.
struct MessageRoutes {
    let app: ReviewApp

    struct DecisionForm: Decodable {
        var reason: String?
        var confirm: String?
        var lift: String?
        /// Release and allow: `branch/rule` whose candidate policy gets the sender as an exception.
        var allow: String?
    }

    func add(to router: Router<ReviewContext>) {
        router.get("/messages/:id") { _, context in
            let message = try await app.visibleMessage(context)
            let snapshot = app.policy.snapshot
            let reviewer = try context.requireIdentity()
            var readOnly: String?
            if case .readOnly(let why) = reviewer.access(to: message, directory: app.directory) { readOnly = why }
            let page = MessagePage(
                message: message, raw: try await app.store.raw(id: message.id), policy: snapshot.evaluator.policy,
                inspector: snapshot.inspector, frame: app.frame(title: "Message #\(message.id)", context: context),
                releaseConfigured: app.release != nil, readOnly: readOnly, times: app.timeFormat(for: reviewer),
                allowChoices: app.allowChoices(message, reviewer: reviewer))
            return app.pages.render("message", page)
        }
        router.post("/messages/:id/release") { request, context in
            try await decide(request, context) { message, reviewer, form, reason in
                guard let release = app.release else { return "Releasing is not set up on this server (no MTA is configured)." }
                // Checked before anything is done: a rule or branch not offered for this message is refused.
                let allow = try app.allowChoice(form.allow, message, reviewer: reviewer)
                // A shutdown waits for this request: the release is delivered or recorded as failed.
                _ = try await app.decisions.release(id: message.id, actor: reviewer.login, reason: reason, through: release)
                let released = "Message #\(message.id) released to \(message.envelope.recipients.joined(separator: ", "))."
                guard let allow else { return released }
                return released + " " + (await app.allowSender(of: message, allow, reviewer: reviewer, reason: reason))
            }
        }
        router.post("/messages/:id/refuse") { request, context in
            try await decide(request, context) { message, reviewer, _, reason in
                let (_, told) = try await app.decisions.refuse(id: message.id, actor: reviewer.login, reason: reason)
                return "Message #\(message.id) refused." + (told.map { " \($0) will be told why." } ?? "")
            }
        }
        router.post("/messages/:id/legal-hold") { request, context in
            try await decide(request, context) { message, reviewer, form, reason in
                let lift = form.lift == "yes"
                try await app.decisions.setLegalHold(id: message.id, on: !lift, actor: reviewer.login, reason: reason)
                return lift ? "The legal hold on message #\(message.id) was lifted." : "Message #\(message.id) is now under legal hold."
            }
        }
    }

    /// The shared part of every decision: the reviewer may see the message (else 404), a reason
    /// and the confirmation are given (else nothing happens and the page says what is missing),
    /// and any refusal by the store (already released, under legal hold) is shown, not hidden.
    private func decide(
        _ request: Request, _ context: ReviewContext,
        _ action: (HeldMessage, Reviewer, DecisionForm, String) async throws -> String
    ) async throws -> Response {
        let reviewer = try context.requireIdentity()
        let message = try await app.decidableMessage(context)
        let form = try await app.form(DecisionForm.self, request)
        let flash: String
        if let reason = ReviewApp.confirmedReason(form.reason, form.confirm) {
            do {
                flash = try await action(message, reviewer, form, reason)
                context.logger.notice(
                    "review decision", metadata: ["message": "\(message.id)", "login": "\(reviewer.login)", "path": "\(request.uri.path)"])
            } catch let error as QuarantineError {
                flash = "Nothing was done: \(error.description)"
            } catch let error as ReleaseError {
                flash = error.description
            }
        } else {
            flash = ReviewApp.unconfirmed
        }
        context.sessions.withLockedSession { $0?.flash = flash }
        return .seeOther("/messages/\(message.id)")
    }
}

extension ReviewApp {
    static let unconfirmed = "Nothing was done: give a reason and tick the box to confirm."

    /// The reason of a decision form, trimmed, when one was given and the box ticked; else nil
    /// (and nothing is done).
    static func confirmedReason(_ reason: String?, _ confirm: String?) -> String? {
        let reason = (reason ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
        return reason.isEmpty || confirm != "yes" ? nil : reason
    }

    /// The branch's name as people know it ("London Branch"), its id when the directory has none.
    func branchName(_ id: String) -> String { directory.branch(id: id)?.name ?? id }

    var decisions: QuarantineDecisions { QuarantineDecisions(store: store, policy: policy.snapshot.evaluator.policy) }

    /// The `:branch` path parameter, if the reviewer serves that branch; 403 otherwise (the
    /// trail and figures pages of a branch).
    func servedBranch(_ context: ReviewContext) throws -> String {
        let reviewer = try context.requireIdentity()
        guard let branch = context.parameters.get("branch"), reviewer.serves(branch: branch) else {
            throw HTTPError(.forbidden, message: "That branch is not one of yours.")
        }
        return branch
    }

    /// The message named by the `:id` path parameter, if it exists and concerns one of the
    /// reviewer's branches; 404 otherwise (the same answer either way).
    func visibleMessage(_ context: ReviewContext) async throws -> HeldMessage {
        let reviewer = try context.requireIdentity()
        guard let id = context.parameters.get("id", as: Int64.self), let message = try await store.message(id: id),
            reviewer.mayOpen(message)
        else { throw HTTPError(.notFound, message: "There is no such message, or it is not for your branches.") }
        return message
    }

    /// The message named by `:id`, if the reviewer may decide on it and read it (their
    /// branch's hold, not their own mail); 404 when hidden, 403 when theirs to see read-only.
    func decidableMessage(_ context: ReviewContext) async throws -> HeldMessage {
        let message = try await visibleMessage(context)
        if case .readOnly(let why) = try context.requireIdentity().access(to: message, directory: directory) {
            throw HTTPError(.forbidden, message: why)
        }
        return message
    }
}
