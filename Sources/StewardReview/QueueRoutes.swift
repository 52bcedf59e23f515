import Foundation
import Hummingbird
import StewardCore
import StewardQuarantine
import HummingbirdAuth
import StewardEngine
import StewardPolicy
import HTTPTypes

/// `GET /`: the queue of held messages and reports the reviewer may see, newest first, with
/// filters (GET parameters, so a filtered queue can be bookmarked), counts per state, and pages
/// of 500 (`page=N`). Held messages the reviewer may decide on can be ticked and released or
/// refused together (`BulkRoutes`).
struct QueueRoutes {
    let app: ReviewApp

    struct Option {
        var value: String
        var label: String
        var selected: Bool
    }

    struct Row {
        var id: Int64
        var heldAt: LocalTime
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
        /// Held and theirs to decide: it can be ticked for a bulk release or refusal.
        var pickable: Bool
        /// Whether the table has the tick column (some row on the page is pickable).
        var pickColumn = false
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
        /// Whether any filter is set (the folded filters then open).
        var filtered: Bool
        /// "Messages 501–1000 of 1234", when there is more than one page.
        var range: String?
        var newer: String?
        var older: String?
        var pickable: Bool
        var releaseConfigured: Bool
    }

    struct BranchLink {
        var id: String
        var name: String
    }

    struct BranchesPage {
        var frame: Frame
        var branches: [BranchLink]
    }

    /// Messages per page.
    static let limit = 500
    /// The queue's filters (GET parameters), kept when moving between pages.
    static let filterNames = ["branch", "kind", "finding", "direction", "state", "since", "until", "q"]

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
            let pages = max(1, (matching.count + Self.limit - 1) / Self.limit)
            let number = min(max(value("page").flatMap { Int($0) } ?? 1, 1), pages)
            let messages = Array(matching.dropFirst((number - 1) * Self.limit).prefix(Self.limit))
            let kinds = Set(app.policy.snapshot.evaluator.policy.families.map(\.kind)).sorted()
            let times = app.timeFormat(for: reviewer)
            var rows = messages.map { Self.row($0, readOnly: reviewer.access(to: $0, directory: app.directory) != .decide, times: times) }
            let pickColumn = rows.contains(where: \.pickable)
            for index in rows.indices { rows[index].pickColumn = pickColumn }
            // Links to the pages before and after this one, with the same filters.
            func link(_ page: Int) -> String {
                var items = Self.filterNames.compactMap { name in value(name).map { URLQueryItem(name: name, value: $0) } }
                if page > 1 { items.append(URLQueryItem(name: "page", value: String(page))) }
                var components = URLComponents()
                components.path = "/"
                components.queryItems = items.isEmpty ? nil : items
                return components.string ?? "/"
            }
            let first = (number - 1) * Self.limit + 1
            let page = QueuePage(
                frame: app.frame(title: "Held messages", context: context),
                rows: rows,
                empty: messages.isEmpty,
                counts: HoldState.allCases.map { Count(state: $0.rawValue, count: byState[$0]?.count ?? 0) },
                branches: Self.options(reviewer.branches.map { ($0, $0) }, selected: value("branch"), any: "All my branches"),
                findings: Self.options(kinds.map { ($0, $0.replacingOccurrences(of: "-", with: " ")) }, selected: value("finding"), any: "Any finding"),
                directions: Self.options(Direction.allCases.map { ($0.rawValue, $0.rawValue) }, selected: value("direction"), any: "Any direction"),
                states: Self.options(HoldState.allCases.map { ($0.rawValue, $0.rawValue) }, selected: value("state"), any: "Any state"),
                kinds: Self.options([("hold", "Held by a rule"), ("report", "Reported by a member")], selected: value("kind"), any: "Holds and reports"),
                since: value("since") ?? "", until: value("until") ?? "", q: value("q") ?? "",
                filtered: Self.filterNames.contains { value($0) != nil },
                range: pages > 1 ? "Messages \(first)–\(first + messages.count - 1) of \(matching.count)." : nil,
                newer: number > 1 ? link(number - 1) : nil, older: number < pages ? link(number + 1) : nil,
                pickable: pickColumn, releaseConfigured: app.release != nil)
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

    static func row(_ message: HeldMessage, readOnly: Bool, times: TimeFormat) -> Row {
        Row(
            id: message.id, heldAt: times.minute(message.heldAt), isReport: message.kind == .report,
            sender: message.envelope.sender.isEmpty ? "(no sender)" : message.envelope.sender,
            recipients: message.envelope.recipients.joined(separator: ", "),
            subject: message.subject.isEmpty ? "(no subject)" : message.subject,
            branches: message.verdict.branches.joined(separator: ", "),
            findings: Set(message.verdict.findings.map(\.rule)).sorted().joined(separator: ", "),
            state: message.state.rawValue, legalHold: message.legalHold, readOnly: readOnly, pickable: !readOnly && message.state == .held)
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
