import Foundation
import Hummingbird
import HummingbirdAuth
import Logging
import StewardCore
import StewardEngine
import StewardQuarantine

/// `POST /queue/decide`: the held messages ticked in the queue released or refused together,
/// with one reason and one confirmation. Each goes through `QuarantineDecisions` exactly as a
/// single decision (so each is checked for four eyes and the reviewer's branches, and each has
/// its own audit entry); one that may not or cannot be decided is named and left as it was.
/// A message outside the reviewer's branches reads "not found", as on its own page.
struct BulkRoutes {
    let app: ReviewApp

    /// At most one queue page of messages per request.
    static let limit = QueueRoutes.limit

    struct BulkForm: Decodable {
        var ids: [Int64]?
        var decision: String?
        var reason: String?
        var confirm: String?
    }

    func add(to router: Router<ReviewContext>) {
        router.post("/queue/decide") { request, context in
            let reviewer = try context.requireIdentity()
            let form = try await app.form(BulkForm.self, request)
            var seen: Set<Int64> = []
            let ids = (form.ids ?? []).filter { seen.insert($0).inserted }
            let flash: String
            if ids.isEmpty {
                flash = "Nothing was done: tick the messages to decide on first."
            } else if ids.count > Self.limit {
                flash = "Nothing was done: decide on at most \(Self.limit) messages at once."
            } else if form.decision != "release" && form.decision != "refuse" {
                flash = "Nothing was done: choose release or refuse."
            } else if let reason = ReviewApp.confirmedReason(form.reason, form.confirm) {
                flash = await decide(ids, release: form.decision == "release", reviewer: reviewer, reason: reason, context: context)
            } else {
                flash = ReviewApp.unconfirmed
            }
            context.sessions.withLockedSession { $0?.flash = flash }
            return Response.seeOther("/")
        }
    }

    /// Decides each message in turn; returns the flash line naming what was and was not done.
    private func decide(_ ids: [Int64], release: Bool, reviewer: Reviewer, reason: String, context: ReviewContext) async -> String {
        var done: [Int64] = []
        var notDone: [String] = []
        for id in ids {
            do {
                // Only what this reviewer may see exists for them; the decision itself checks the rest.
                guard let message = try await app.store.message(id: id), reviewer.mayOpen(message) else {
                    notDone.append("#\(id) (no such message, or not for your branches)")
                    continue
                }
                if release {
                    guard let service = app.release else { return "Releasing is not set up on this server (no MTA is configured)." }
                    _ = try await app.decisions.release(id: id, actor: reviewer.login, reason: reason, through: service)
                } else {
                    _ = try await app.decisions.refuse(id: id, actor: reviewer.login, reason: reason)
                }
                done.append(id)
                context.logger.notice(
                    "review decision", metadata: ["message": "\(id)", "login": "\(reviewer.login)", "path": "/queue/decide", "decision": "\(release ? "release" : "refuse")"])
            } catch let error as QuarantineError {
                notDone.append("#\(id) (\(error.description))")
            } catch let error as ReleaseError {
                notDone.append("#\(id) (\(error.description))")
            } catch {
                notDone.append("#\(id) (\(error))")
            }
        }
        let verb = release ? "Released" : "Refused"
        var lines: [String] = []
        if !done.isEmpty {
            lines.append("\(verb) \(done.count) message\(done.count == 1 ? "" : "s"): \(done.map { "#\($0)" }.joined(separator: ", ")).")
        }
        if !notDone.isEmpty { lines.append("Not done: \(notDone.joined(separator: "; ")).") }
        return lines.joined(separator: " ")
    }
}
