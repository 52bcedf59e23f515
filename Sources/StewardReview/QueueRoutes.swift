import Foundation
import Hummingbird
import StewardCore
import StewardQuarantine
import HummingbirdAuth
import StewardEngine
import StewardPolicy
import HTTPTypes

/// `GET /`: the queue of held messages and reports the reviewer may see, newest first, with
/// filters (GET parameters, so a filtered queue can be bookmarked) and counts per state.
struct QueueRoutes {
    let app: ReviewApp

    struct Option {
        var value: String
        var label: String
        var selected: Bool
    }

    struct Row {
        var id: Int64
        var heldAt: String
        var isReport: Bool
        var sender: String
        var recipients: String
        var subject: String
        var branches: String
        var findings: String
        var state: String
        var legalHold: Bool
        /// Listed for the reviewer's branch, decided by another (or their own mail).
        var readOnly: Bool
    }

    struct Count {
        var state: String
        var count: Int
    }

    struct QueuePage {
        var frame: Frame
        var rows: [Row]
        var empty: Bool
        var counts: [Count]
        var branches: [Option]
        var findings: [Option]
        var directions: [Option]
        var states: [Option]
        var kinds: [Option]
        var since: String
        var until: String
        var q: String
        var limited: Bool
    }

    struct BranchLink {
        var id: String
        var name: String
    }

    struct BranchesPage {
        var frame: Frame
        var branches: [BranchLink]
    }

    static let limit = 500

    func add(to router: Router<ReviewContext>) {
        router.get("/") { request, context in
            let reviewer = try context.requireIdentity()
            let parameters = request.uri.queryParameters
            func value(_ name: String) -> String? {
                parameters.get(name).flatMap { $0.isEmpty ? nil : $0 }
            }
            var query = QuarantineQuery(
                branch: value("branch"), findingKind: value("finding"), direction: value("direction").flatMap { Direction(rawValue: $0) },
                state: value("state").flatMap { HoldState(rawValue: $0) }, kind: value("kind").flatMap { HoldKind(rawValue: $0) },
                heldSince: value("since").flatMap(Self.day), heldBefore: value("until").flatMap(Self.day).map { $0.addingTimeInterval(86_400) },
                text: value("q"), limit: Self.limit)
            // Never wider than the reviewer's own branches, whatever the URL asks for.
            if !reviewer.isAdmin { query.anyOfBranches = reviewer.branches }
            // One read: every message for the same filters except the state gives the counts
            // per state, and the page shows the newest `limit` of those in the state asked for.
            var countQuery = query
            countQuery.state = nil
            countQuery.limit = .max
            let all = try await app.store.list(countQuery)
            let byState = Dictionary(grouping: all, by: \.state)
            let matching = query.state.map { byState[$0] ?? [] } ?? all
            let messages = Array(matching.prefix(Self.limit))
            let kinds = Set(app.policy.snapshot.evaluator.policy.families.map(\.kind)).sorted()
            let page = QueuePage(
                frame: app.frame(title: "Held messages", context: context),
                rows: messages.map { Self.row($0, readOnly: reviewer.access(to: $0, directory: app.directory) != .decide) },
                empty: messages.isEmpty,
                counts: HoldState.allCases.map { Count(state: $0.rawValue, count: byState[$0]?.count ?? 0) },
                branches: Self.options(reviewer.branches.map { ($0, $0) }, selected: value("branch"), any: "All my branches"),
                findings: Self.options(kinds.map { ($0, $0.replacingOccurrences(of: "-", with: " ")) }, selected: value("finding"), any: "Any finding"),
                directions: Self.options(Direction.allCases.map { ($0.rawValue, $0.rawValue) }, selected: value("direction"), any: "Any direction"),
                states: Self.options(HoldState.allCases.map { ($0.rawValue, $0.rawValue) }, selected: value("state"), any: "Any state"),
                kinds: Self.options([("hold", "Held by a rule"), ("report", "Reported by a member")], selected: value("kind"), any: "Holds and reports"),
                since: value("since") ?? "", until: value("until") ?? "", q: value("q") ?? "",
                limited: matching.count > Self.limit)
            return app.pages.render("queue", page)
        }
        // The way to each of the reviewer's branches' trail and figures pages.
        router.get("/branches") { _, context in
            let reviewer = try context.requireIdentity()
            let directory = app.directory
            return app.pages.render(
                "branches",
                BranchesPage(
                    frame: app.frame(title: "Trails and figures", context: context),
                    branches: reviewer.branches.map { BranchLink(id: $0, name: directory.branch(id: $0)?.name ?? $0) }))
        }
    }

    static func row(_ message: HeldMessage, readOnly: Bool) -> Row {
        Row(
            id: message.id, heldAt: ReviewFormat.time(message.heldAt), isReport: message.kind == .report,
            sender: message.envelope.sender.isEmpty ? "(no sender)" : message.envelope.sender,
            recipients: message.envelope.recipients.joined(separator: ", "),
            subject: message.subject.isEmpty ? "(no subject)" : message.subject,
            branches: message.verdict.branches.joined(separator: ", "),
            findings: Set(message.verdict.findings.map(\.rule)).sorted().joined(separator: ", "),
            state: message.state.rawValue, legalHold: message.legalHold, readOnly: readOnly)
    }

    static func options(_ values: [(String, String)], selected: String?, any: String) -> [Option] {
        [Option(value: "", label: any, selected: selected == nil)]
            + values.map { Option(value: $0.0, label: $0.1, selected: $0.0 == selected) }
    }

    /// `YYYY-MM-DD` as the start of that day, UTC.
    static func day(_ text: String) -> Date? {
        try? Date(text + "T00:00:00Z", strategy: .iso8601)
    }
}

/// Dates and times as officials read them (UTC, stated, since officials may be anywhere).
enum ReviewFormat {
    static func time(_ date: Date) -> String {
        // ISO 8601 (2026-11-21T12:57:49Z) cut to the minute: "2026-11-21 12:57 UTC".
        let iso = date.formatted(.iso8601)
        return iso.prefix(10) + " " + iso.dropFirst(11).prefix(5) + " UTC"
    }
}

extension ReviewApp {
    /// The header and footer of a signed-in page (consumes the session's flash line).
    func frame(title: String, context: ReviewContext) -> Frame {
        var flash: String?
        let csrf = context.sessions.withLockedSession { data -> String in
            flash = data?.flash
            if flash != nil { data?.flash = nil }
            return data?.csrf ?? ""
        }
        return Frame(title: title, reviewer: context.identity, csrf: csrf, flash: flash)
    }
}
