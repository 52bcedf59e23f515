public import Foundation
public import Logging
import Mustache
public import StewardPolicy
public import StewardQuarantine
import StewardCore
import StewardInspection

/// Sends queued notices as digests: each recipient gets at most one mail per template and branch
/// per digest interval, listing every hold since the last one, so a flood of holds never turns
/// into a flood of mail. Runs in `steward serve` every few seconds; a failed send is retried.
public struct NoticeSender: Sendable {
    public struct Settings: Sendable {
        public var from: String
        public var reviewURL: String?
        public var digestInterval: TimeInterval
        public var templates: URL
        /// The audit trail's anchor: the officials' digests carry its newest signed checkpoint.
        public var auditAnchor: AuditAnchor?

        public init(from: String, reviewURL: String?, digestInterval: TimeInterval, templates: URL, auditAnchor: AuditAnchor? = nil) {
            self.from = from
            self.reviewURL = reviewURL
            self.digestInterval = digestInterval
            self.templates = templates
            self.auditAnchor = auditAnchor
        }
    }

    public let store: any QuarantineStore
    public let sendmail: Sendmail
    public let settings: Settings
    public let logger: Logger

    public init(store: any QuarantineStore, sendmail: Sendmail, settings: Settings, logger: Logger) {
        self.store = store
        self.sendmail = sendmail
        self.settings = settings
        self.logger = logger
    }

    /// Who claims notices: this host and process. A claim left by a process that died while
    /// sending lapses after `claimSeconds`, and another host sends the notice then.
    public static let defaultClaimant = "\(ProcessInfo.processInfo.hostName):\(ProcessInfo.processInfo.processIdentifier)"
    static let claimSeconds: TimeInterval = 300
    /// This sender's name on its claims (tests run two senders in one process).
    public var claimant = NoticeSender.defaultClaimant

    /// Templates for officials, batched per digest interval.
    static let digestTemplates: Set<String> = ["held", "report"]

    /// Sends what is due now; returns the number of mails sent.
    @discardableResult
    public func tick(directory: UnionDirectory, now: Date = Date()) async -> Int {
        let pending: [Notice]
        do { pending = try await store.pendingNotices() } catch {
            logger.error("cannot read queued notices", metadata: ["error.reason": "\(error)"])
            return 0
        }
        var sent = 0
        for (recipient, all) in Dictionary(grouping: pending, by: { $0.notice.recipient }).sorted(by: { $0.key < $1.key }) {
            // Officials' notices wait for the digest interval; a member's notice about their own
            // message goes at once.
            let waiting = (try? await store.lastNoticeSent(to: recipient)).flatMap { $0 }.map { now.timeIntervalSince($0) < settings.digestInterval } ?? false
            let notices = waiting ? all.filter { !Self.digestTemplates.contains($0.notice.template) } : all
            let groups = Dictionary(grouping: notices) { "\($0.notice.template)\u{0}\($0.notice.branch)" }
            for (_, all) in groups.sorted(by: { $0.key < $1.key }) {
                do {
                    // Only what this process claimed: hosts sharing the store send each notice once.
                    let claimed = try await store.claimNotices(
                        ids: all.map(\.id), claimant: claimant, until: now.addingTimeInterval(Self.claimSeconds))
                    let group = all.filter { claimed.contains($0.id) }
                    guard !group.isEmpty else { continue }
                    try await send(group, to: recipient, directory: directory, now: now)
                    try await store.markNoticesSent(group, at: now, actor: "steward")
                    sent += 1
                } catch {
                    logger.error(
                        "notice not sent; will try again",
                        metadata: ["notice.recipient": "\(recipient)", "notice.template": "\(all[0].notice.template)", "error.reason": "\(error)"])
                }
            }
        }
        return sent
    }

    private func send(_ group: [Notice], to recipient: String, directory: UnionDirectory, now: Date) async throws {
        let first = group[0].notice
        var messages: [HeldMessage] = []
        for notice in group { if let message = try? await store.message(id: notice.messageID) { messages.append(message) } }
        let branchName = directory.branches.first { $0.id == first.branch }?.name ?? first.branch
        var context: [String: Any] = [
            "recipient_name": directory.official(at: recipient)?.name ?? recipient,
            "branch_name": branchName,
            "count": messages.count,
            "review_url": settings.reviewURL ?? "",
            "messages": messages.map { Self.context($0, reviewURL: settings.reviewURL) },
        ]
        // Officials' digests carry the trail's signed head, a copy the database cannot reach.
        if Self.digestTemplates.contains(first.template), let head = settings.auditAnchor?.latest() {
            context["audit_checkpoint"] = head.line
        }
        let rendered = try render(template: first.template, branch: first.branch, context: context)
        let mail = Self.compose(rendered, from: settings.from, to: recipient, now: now)
        try await sendmail.send(mail, from: settings.from, to: [recipient])
        logger.info("notice sent", metadata: [
            "notice.recipient": "\(recipient)", "notice.template": "\(first.template)", "notice.messages": "\(messages.count)",
        ])
    }

    /// What a template may show of a held message. Everything that came with the message
    /// (addresses, subject, reporter, file names and names in the findings) is cleaned first, so
    /// a CR/LF in an encoded subject cannot start a line of its own in the notice.
    static func context(_ message: HeldMessage, reviewURL: String?) -> [String: Any] {
        let clean = UntrustedText.cleaned
        // The message's own page in the review app, when the app's address is configured.
        let base = reviewURL.map { $0.hasSuffix("/") ? String($0.dropLast()) : $0 } ?? ""
        return [
            "review_link": base.isEmpty ? "" : "\(base)/messages/\(message.id)",
            "id": message.id,
            "held_at": message.heldAt.formatted(.iso8601),
            "sender": message.envelope.sender.isEmpty ? "<>" : clean(message.envelope.sender),
            "recipients": clean(message.envelope.recipients.joined(separator: ", ")),
            "subject": message.subject.isEmpty ? "(no subject)" : clean(message.subject),
            "direction": message.verdict.direction.rawValue,
            "reporter": clean(message.reporter ?? ""),
            "state_reason": clean(message.stateReason ?? ""),
            "findings": message.verdict.findings.map {
                ["rule": clean($0.rule), "kind": clean($0.kind), "clause": clean($0.clause), "detail": clean($0.detail)] as [String: Any]
            },
        ]
    }

    /// The branch's own template if it has one, else the shared one.
    private func render(template: String, branch: String, context: [String: Any]) throws -> String {
        let own = settings.templates.appendingPathComponent(branch).appendingPathComponent("\(template).mustache")
        let shared = settings.templates.appendingPathComponent("\(template).mustache")
        let url = FileManager.default.fileExists(atPath: own.path) ? own : shared
        let text = try String(contentsOf: url, encoding: .utf8)
        return try MustacheTemplate(string: text).render(context)
    }

    /// The template's first line is `Subject: …`, then a blank line, then the text; GMime makes
    /// the message of them (encoded, folded headers; a proper text part).
    static func compose(_ rendered: String, from: String, to: String, now: Date) -> [UInt8] {
        var lines = rendered.replacingOccurrences(of: "\r\n", with: "\n").split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        while let first = lines.first, first.trimmingCharacters(in: .whitespaces).isEmpty { lines.removeFirst() }
        var subject = "Steward notice"
        if let first = lines.first, first.hasPrefix("Subject:") {
            subject = UntrustedText.cleaned(first.dropFirst("Subject:".count).trimmingCharacters(in: .whitespaces))
            lines.removeFirst()
            if lines.first?.isEmpty == true { lines.removeFirst() }
        }
        let domain = from.split(separator: "@").last.map(String.init) ?? "localhost"
        return NoticeMail(
            fromName: "Steward", fromAddress: from, toAddress: to, subject: subject, text: lines.joined(separator: "\n"),
            date: now, messageID: "steward-\(UUID().uuidString.lowercased())@\(domain)",
            headers: [("Auto-Submitted", "auto-generated")]
        ).bytes()
    }
}
