import Foundation
import Hummingbird
import StewardQuarantine

/// The audit trail pages (clause 13): `GET /messages/{id}/trail` (one message's story, oldest
/// first) and `GET /branches/{branch}/trail` (everything done to a branch's messages, newest
/// first). A message outside the reviewer's branches is 404, another branch's trail 403.
struct TrailRoutes {
    let app: ReviewApp

    /// The branch trail shows this many entries, newest first.
    static let limit = 500

    struct TrailPage {
        var frame: Frame
        var heading: String
        var intro: String
        var messageID: Int64?
        var branch: String?
        var branchName: String?
        var rows: [TrailRow]
        var empty: Bool
        var limited: Bool
        /// Whether the table has a message column (the branch trail).
        var showsMessage: Bool
    }

    func add(to router: Router<ReviewContext>) {
        router.get("/messages/:id/trail") { _, context in
            let message = try await app.visibleMessage(context)
            let times = app.timeFormat(for: context.identity)
            let rows = try await app.store.auditTrail(messageID: message.id).map { TrailRow($0, times: times) }
            let page = TrailPage(
                frame: app.frame(title: "Trail of message #\(message.id)", context: context),
                heading: "Audit trail of message #\(message.id)",
                intro: "Everything Steward and officials did with this message, oldest first.",
                messageID: message.id, branch: nil, rows: rows, empty: rows.isEmpty, limited: false, showsMessage: false)
            return app.pages.render("trail", page)
        }
        router.get("/branches/:branch/trail") { _, context in
            let branch = try app.servedBranch(context)
            let ids = try await app.store.list(QuarantineQuery(branch: branch, limit: .max)).map(\.id)
            let entries = try await app.store.auditTrail(messageIDs: ids)
            let times = app.timeFormat(for: context.identity)
            let rows = entries.suffix(Self.limit).reversed().map { TrailRow($0, times: times) }
            let page = TrailPage(
                frame: app.frame(title: "Trail of \(app.branchName(branch))", context: context),
                heading: "Audit trail of \(app.branchName(branch))",
                intro: "Everything Steward and officials did with this branch's held messages and reports, newest first.",
                messageID: nil, branch: branch, branchName: app.branchName(branch), rows: rows, empty: rows.isEmpty, limited: entries.count > Self.limit,
                showsMessage: true)
            return app.pages.render("trail", page)
        }
    }
}
