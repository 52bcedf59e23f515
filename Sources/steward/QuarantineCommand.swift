public import ArgumentParser
import Foundation
import StewardCore
import StewardEngine
import StewardInspection
import StewardPolicy
import StewardQuarantine

struct QuarantineCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "quarantine", abstract: "Review held messages: list, show, release, refuse, delete, legal hold, purge, export, figures.",
        subcommands: [
            List.self, Show.self, Release.self, Refuse.self, Delete.self, LegalHold.self, Purge.self, Export.self, FiguresCommand.self,
        ])

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List held messages, newest first.")

        @OptionGroup var store: StoreOptions
        @Option(help: "Only messages involving this branch.") var branch: String?
        @Option(help: "Only messages with a finding of this kind (unsafe-attachment, impersonation, ...).") var kind: String?
        @Option(help: "Only this direction: incoming, outgoing or internal.") var direction: Direction?
        @Option(help: "Only this state: held, released, refused or deleted.") var state: HoldState?
        @Flag(help: "Only report cases (messages members handed to an official).") var reports = false
        @Option(help: "Held on or after this day (YYYY-MM-DD, UTC).") var since: String?
        @Option(help: "Held before this day (YYYY-MM-DD, UTC).") var until: String?
        @Option(help: "Text to find in the sender, recipients or subject.") var search: String?
        @Option(help: "Most messages to list (0: all). When more match, a last line says so.") var limit: Int = 100
        @Option(help: "Output format: text or json (one JSON object per line).") var format: Check.OutputFormat = .text

        func run() async throws {
            guard limit >= 0 else { throw ValidationError("--limit must be 0 (all) or more") }
            // One more than asked: to say that the list is cut short, never to stop silently.
            let wanted = limit == 0 ? Int.max : limit
            var query = QuarantineQuery(
                branch: branch, findingKind: kind, direction: direction, state: state, kind: reports ? .report : nil,
                heldSince: try day(since), heldBefore: try day(until), text: search, limit: wanted == .max ? .max : wanted + 1)
            // An official named by --actor sees what the review app lists for them: their branches.
            if store.actor != nil {
                let directory = store.policy().directory
                let served = directory.branchesServed(by: store.who)
                if !directory.isReviewAdmin(store.who) && !served.isEmpty { query.anyOfBranches = served }
            }
            var held: [HeldMessage]
            do { held = try await store.withStore { quarantine throws(QuarantineError) in try await quarantine.list(query) } } catch { error.exit() }
            let more = held.count > wanted
            if more { held.removeLast(held.count - wanted) }
            defer {
                if more {
                    let note = "only the newest \(wanted) shown; more messages match (give --limit N, --limit 0 for all, or narrow the filters)"
                    // JSON lines stay parseable: the note goes to standard error there.
                    if format == .text { print(note) } else { FileHandle.standardError.write(Data((note + "\n").utf8)) }
                }
            }
            if held.isEmpty && format == .text { print("nothing held") }
            for message in held {
                switch format {
                case .json: print(VerdictOutput.json(HeldLine(message)))
                case .text: print(HeldLine.text(message))
                }
            }
        }

        private func day(_ text: String?) throws -> Date? {
            guard let text else { return nil }
            guard let date = try? Date(text + "T00:00:00Z", strategy: .iso8601) else {
                throw ValidationError("dates are YYYY-MM-DD (got \"\(text)\")")
            }
            return date
        }
    }

    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Show a held message: envelope, findings, headers, attachments; its body only with --body and a --reason (audited).")

        @OptionGroup var store: StoreOptions
        @Argument(help: "The message's number.") var id: Int64
        @Flag(help: "Also print the message's content (needs --reason; the view is audited).") var body = false
        @Option(help: "Why you need to see the content.") var reason: String?

        func run() async throws {
            let reason = body ? try requireReason(reason) : nil
            try await store.withStore { quarantine in
                do {
                    guard let message = try await quarantine.message(id: id) else { throw QuarantineError(code: .notFound, detail: "#\(id)") }
                    let policy = store.policy()
                    try DecisionRights.requireSight(by: store.who, of: message, directory: policy.directory)
                    // Content is asked for: refuse before printing anything, not halfway through.
                    if reason != nil { try DecisionRights.requireDecision(by: store.who, on: message, directory: policy.directory) }
                    print(HeldLine.text(message))
                    print("  sha256: \(message.sha256)")
                    if let client = message.envelope.clientAddress { print("  client: \(shown(client)) \(shown(message.envelope.clientName ?? ""))") }
                    if let login = message.envelope.authUser { print("  login: \(shown(login))") }
                    print("  subject: \(shown(message.subject))")
                    if let reporter = message.reporter { print("  reported by: \(shown(reporter))") }
                    if message.legalHold { print("  under legal hold") }
                    if let changed = message.stateChangedBy {
                        print("  \(message.state.rawValue) by \(shown(changed)): \(shown(message.stateReason ?? ""))")
                    }
                    guard let raw = try await quarantine.raw(id: id) else {
                        print("  (content erased)")
                        return
                    }
                    let inspector = Inspector()
                    print("headers:")
                    for header in inspector.headers(of: raw) { print("  \(shown(header.name)): \(shown(header.value))") }
                    // Stored with the verdict when it was held; inspected again only for mail held
                    // before Steward stored them.
                    let attachments = message.verdict.parts
                        ?? ((try? inspector.inspect(bytes: raw)).map(PartSummary.attachments(of:)) ?? [])
                    if !attachments.isEmpty { print("attachments:") }
                    for part in attachments {
                        print("  \(shown(part.place)): declared \(shown(part.declaredType)), really \(part.trueType ?? "unknown") (\(part.size) bytes)")
                    }
                    if let reason {
                        let content = try await QuarantineDecisions(store: quarantine, policy: policy)
                            .openContent(id: id, actor: store.who, reason: reason)
                        print("content:")
                        // Byte for byte into a file or a pipe (evidence); on a terminal, escaped.
                        if isatty(STDOUT_FILENO) != 0 {
                            let text = String(decoding: content, as: UTF8.self).replacingOccurrences(of: "\r\n", with: "\n")
                            for line in text.split(separator: "\n", omittingEmptySubsequences: false) { print(shown(String(line))) }
                        } else {
                            FileHandle.standardOutput.write(Data(content))
                        }
                    }
                } catch let error as QuarantineError {
                    error.exit()
                }
            }
        }
    }

    struct Release: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Deliver a held message to its original recipients, once, through the MTA.")

        @OptionGroup var store: StoreOptions
        @Argument(help: "The message's number.") var id: Int64
        @Option(help: "Why it may go (kept on the audit trail).") var reason: String?

        func run() async throws {
            let reason = try requireReason(reason)
            let settings = store.settings()
            await store.withStore { quarantine in
                do {
                    // The same rule as the review app: an official or review admin named by --actor
                    // may not release another branch's hold or their own mail.
                    let service = ReleaseService(
                        store: quarantine, sendmail: Sendmail(path: settings.sendmailPath, arguments: settings.sendmailArguments),
                        token: try ReleaseToken.load(path: settings.releaseSecretPath))
                    let message = try await QuarantineDecisions(store: quarantine, policy: store.policy())
                        .release(id: id, actor: store.who, reason: reason, through: service)
                    print("#\(id) released to \(message.envelope.recipients.joined(separator: ", "))")
                } catch let error as ReleaseError {
                    Failure(description: error.description).exit()
                } catch let error as QuarantineError {
                    error.exit()
                } catch {
                    Failure(description: "\(error)").exit()
                }
            }
        }
    }

    struct Refuse: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Refuse a held message: it is not delivered and is kept as evidence.")
        @OptionGroup var store: StoreOptions
        @Argument(help: "The message's number.") var id: Int64
        @Option(help: "Why it may not go (kept on the audit trail).") var reason: String?

        func run() async throws {
            let reason = try requireReason(reason)
            await store.withStore { quarantine in
                do throws(QuarantineError) {
                    let (_, told) = try await QuarantineDecisions(store: quarantine, policy: store.policy())
                        .refuse(id: id, actor: store.who, reason: reason)
                    // The member whose own message was refused is told why, if their branch wants it.
                    print(told.map { "#\(id) refused; \($0) will be told" } ?? "#\(id) refused")
                } catch { error.exit() }
            }
        }
    }

    struct Delete: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Erase a held message's content; its record and audit trail stay. Not while under legal hold.")
        @OptionGroup var store: StoreOptions
        @Argument(help: "The message's number.") var id: Int64
        @Option(help: "Why it is deleted (kept on the audit trail).") var reason: String?

        func run() async throws {
            let reason = try requireReason(reason)
            await store.withStore { quarantine in
                do throws(QuarantineError) {
                    try await QuarantineDecisions(store: quarantine, policy: store.policy()).delete(id: id, actor: store.who, reason: reason)
                    print("#\(id) deleted")
                } catch { error.exit() }
            }
        }
    }

    struct LegalHold: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "legal-hold", abstract: "Put a message under legal hold (never purged or deleted), or lift it with --lift.")
        @OptionGroup var store: StoreOptions
        @Argument(help: "The message's number.") var id: Int64
        @Flag(help: "Lift the hold instead.") var lift = false
        @Option(help: "Why (kept on the audit trail).") var reason: String?

        func run() async throws {
            let reason = try requireReason(reason)
            await store.withStore { quarantine in
                do throws(QuarantineError) {
                    try await QuarantineDecisions(store: quarantine, policy: store.policy())
                        .setLegalHold(id: id, on: !lift, actor: store.who, reason: reason)
                    print(lift ? "#\(id) legal hold lifted" : "#\(id) under legal hold")
                } catch { error.exit() }
            }
        }
    }

    struct Purge: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Remove messages held longer than the retention period, except those under legal hold; each removal is audited.")
        @OptionGroup var store: StoreOptions
        @Option(help: "Retention in days for every branch (default: each branch's retention_days in the policy).")
        var olderThan: Int?
        @Flag(help: "Only say what would be removed.") var dryRun = false

        func run() async throws {
            if let olderThan, olderThan < 0 { throw ValidationError("--older-than must not be negative") }
            let rule = RetentionRule(olderThan.map { .everyBranch($0) } ?? .perBranch(store.policy()))
            await store.withStore { quarantine in
                do throws(QuarantineError) {
                    if dryRun {
                        for message in try await QuarantineDecisions.expired(rule, in: quarantine, at: Date()) {
                            print("would remove #\(message.id) held \(message.heldAt.formatted(.iso8601))")
                        }
                        return
                    }
                    let removed = try await QuarantineDecisions.purge(rule, in: quarantine, actor: store.who, at: Date())
                    print("removed \(removed.count) message(s)\(removed.isEmpty ? "" : ": " + removed.map { "#\($0)" }.joined(separator: ", "))")
                } catch { error.exit() }
            }
        }
    }

    struct Export: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Write messages as .eml files with a manifest (SHA-256, findings, audit entries) for evidence.")
        @OptionGroup var store: StoreOptions
        @Argument(help: "The messages' numbers.") var ids: [Int64]
        @Option(help: "The directory to write into (created if missing).") var to: String
        @Option(help: "Why they are exported (kept on the audit trail).") var reason: String?

        struct Manifest: Encodable {
            struct Item: Encodable {
                var id: Int64
                var file: String
                var sha256: String
                var size: Int
                var held_at: String
                var state: String
                var sender: String
                var recipients: [String]
                /// Where the message came from and who was logged in, so it re-judges the same
                /// (`steward check --client-ip --auth-user`, `policy backtest`).
                var client_address: String?
                var login: String?
                var findings: [Finding]
                var audit: [AuditLine]
            }
            struct AuditLine: Encodable {
                var sequence: Int64
                var at: String
                var actor: String
                var action: String
                var reason: String?
                var detail: String?
                var hash: String
            }
            var exported_at: String
            var exported_by: String
            var reason: String
            var messages: [Item]
        }

        func run() async throws {
            let reason = try requireReason(reason)
            await store.withStore { quarantine in
                let decisions = QuarantineDecisions(store: quarantine, policy: store.policy())
                let directory = URL(fileURLWithPath: to)
                do {
                    try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
                    var items: [Manifest.Item] = []
                    for id in ids {
                        let (message, raw) = try await decisions.export(id: id, actor: store.who, reason: reason, to: to)
                        let name = "message-\(id).eml"
                        try Data(raw).write(to: directory.appendingPathComponent(name))
                        let trail = try await quarantine.auditTrail(messageID: id).map {
                            Manifest.AuditLine(
                                sequence: $0.sequence, at: $0.entry.at.formatted(.iso8601), actor: $0.entry.actor,
                                action: $0.entry.action.rawValue, reason: $0.entry.reason, detail: $0.entry.detail, hash: $0.hash)
                        }
                        items.append(Manifest.Item(
                            id: id, file: name, sha256: message.sha256, size: message.size, held_at: message.heldAt.formatted(.iso8601),
                            state: message.state.rawValue, sender: message.envelope.sender, recipients: message.envelope.recipients,
                            client_address: message.envelope.clientAddress, login: message.envelope.authUser,
                            findings: message.verdict.findings, audit: trail))
                    }
                    let manifest = Manifest(
                        exported_at: Date().formatted(.iso8601), exported_by: store.who, reason: reason, messages: items)
                    let encoder = JSONEncoder()
                    encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
                    try encoder.encode(manifest).write(to: directory.appendingPathComponent("manifest.json"))
                    print("exported \(items.count) message(s) to \(directory.path)")
                } catch let error as QuarantineError {
                    error.exit()
                } catch {
                    Failure(description: "cannot write to \(to): \(error.localizedDescription)").exit()
                }
            }
        }
    }
}

/// One held message as `list` prints it.
struct HeldLine: Encodable {
    var id: Int64
    var kind: String
    var held_at: String
    var queue_id: String?
    var sender: String
    var recipients: [String]
    var subject: String
    var direction: String
    var branches: [String]
    var action: String
    var findings: [Finding]
    var sha256: String
    var size: Int
    var state: String
    var legal_hold: Bool

    init(_ message: HeldMessage) {
        id = message.id
        kind = message.kind.rawValue
        held_at = message.heldAt.formatted(.iso8601)
        queue_id = message.envelope.queueID
        sender = message.envelope.sender
        recipients = message.envelope.recipients
        subject = message.subject
        direction = message.verdict.direction.rawValue
        branches = message.verdict.branches
        action = message.verdict.action.rawValue
        findings = message.verdict.findings
        sha256 = message.sha256
        size = message.size
        state = message.state.rawValue
        legal_hold = message.legalHold
    }

    static func text(_ message: HeldMessage) -> String {
        var lines = [
            "#\(message.id) \(message.heldAt.formatted(.iso8601)) \(message.state.rawValue)\(message.kind == .report ? " (report)" : "")"
                + " from <\(shown(message.envelope.sender))> to \(message.envelope.recipients.map { "<\(shown($0))>" }.joined(separator: ", "))"
                + " (\(message.size) bytes)"
        ]
        for finding in message.verdict.findings {
            lines.append("    \(finding.kind)/\(finding.rule), clause \(finding.clause), \(finding.branch): \(shown(finding.detail))")
        }
        return lines.joined(separator: "\n")
    }
}

/// Text that came with a message, as the terminal may show it: escapes visible, never obeyed.
func shown(_ text: String) -> String {
    UntrustedText.escaped(text)
}

extension Direction: ExpressibleByArgument {}
extension HoldState: ExpressibleByArgument {}
