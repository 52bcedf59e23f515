import Foundation
import StewardCore
import StewardInspection
import StewardPolicy
import StewardQuarantine

/// What the message page shows: findings with their clause, envelope, headers, attachments
/// with true types and the findings about each. Never the body: that needs a reason.
struct MessagePage {
    struct FindingLine {
        var detail: String
        var clause: String
        /// Completes "the union's e-mail code of practice …" (from the rule's descriptor).
        var requirement: String
        var rule: String
        var kind: String
        var branch: String
        var action: String
    }

    struct Header {
        var name: String
        var value: String
    }

    struct Attachment {
        var name: String
        var size: Int
        var declared: String
        var trueType: String
        var description: String?
        var reasons: [String]
    }

    var frame: Frame
    var id: Int64
    var isReport: Bool
    var reporter: String?
    var subject: String
    var state: String
    var stateLine: String?
    var legalHold: Bool
    var findings: [FindingLine]
    var sender: String
    var recipients: String
    var heldAt: LocalTime
    var direction: String
    var branches: String
    var client: String?
    var authUser: String?
    var size: Int
    var sha256: String
    var erased: Bool
    var headers: [Header]
    var attachments: [Attachment]
    var canRelease: Bool
    var canRefuse: Bool
    /// Why this reviewer sees the message read-only (another branch decides, or it is their
    /// own mail); nil when they may decide. No content or decision form is offered then.
    var readOnly: String?
    var mayDecide: Bool
    /// The rules this sender can be allowed for in a branch's candidate policy on release.
    var allowChoices: [AllowChoice]
    var mayAllow: Bool

    /// "Release and allow": `branch/rule`, and how the choice reads.
    struct AllowChoice: Sendable, Hashable {
        var value: String
        var label: String
    }

    init(
        message: HeldMessage, raw: [UInt8]?, policy: Policy, inspector: Inspector, frame: Frame, releaseConfigured: Bool, readOnly: String? = nil,
        times: TimeFormat, allowChoices: [AllowChoice] = []
    ) {
        self.frame = frame
        id = message.id
        isReport = message.kind == .report
        reporter = message.reporter
        subject = message.subject.isEmpty ? "(no subject)" : message.subject
        state = message.state.rawValue
        if let by = message.stateChangedBy, message.state != .held {
            stateLine = "\(message.state.rawValue.capitalized) by \(by)"
                + (message.stateChangedAt.map { " on \(times.minute($0).text)" } ?? "")
                + (message.stateReason.map { ": “\($0)”" } ?? "")
        }
        legalHold = message.legalHold
        findings = message.verdict.findings.map { finding in
            FindingLine(
                detail: finding.detail, clause: finding.clause,
                requirement: policy.rule(finding.rule)?.descriptor.clauseRequirement ?? "applies",
                rule: finding.rule, kind: finding.kind, branch: finding.branch, action: finding.action.rawValue)
        }
        sender = message.envelope.sender.isEmpty ? "(no sender)" : message.envelope.sender
        recipients = message.envelope.recipients.joined(separator: ", ")
        heldAt = times.minute(message.heldAt)
        direction = message.verdict.direction.rawValue
        branches = message.verdict.branches.joined(separator: ", ")
        client = message.envelope.clientAddress.map { [$0, message.envelope.clientName].compactMap { $0 }.joined(separator: " ") }
        authUser = message.envelope.authUser
        size = message.size
        sha256 = message.sha256
        erased = raw == nil
        headers = raw.map { inspector.headers(of: $0).map { Header(name: $0.name, value: $0.value) } } ?? []
        if let parts = message.verdict.parts {
            // Stored when it was held: each finding is listed under the part whose path it records.
            attachments = parts.map { part in
                Attachment(
                    name: part.place, size: part.size, declared: part.declaredType, trueType: part.trueType ?? "unknown",
                    description: part.trueTypeDescription,
                    reasons: Array(Set(message.verdict.findings.filter { $0.part == part.path }.map(\.detail))).sorted())
            }
        } else {
            attachments = Self.attachmentsInspectedAgain(message: message, raw: raw, inspector: inspector)
        }
        self.readOnly = readOnly
        mayDecide = readOnly == nil
        canRelease = readOnly == nil && releaseConfigured && (message.state == .held || message.state == .refused)
        canRefuse = readOnly == nil && message.state == .held
        self.allowChoices = allowChoices
        mayAllow = readOnly == nil && !allowChoices.isEmpty
    }

    /// For a message held before the quarantine stored its attachments with the verdict: the
    /// stored mail is inspected again, and a finding, which then records no part, is listed
    /// under the part whose path or file name its words mention.
    static func attachmentsInspectedAgain(message: HeldMessage, raw: [UInt8]?, inspector: Inspector) -> [Attachment] {
        let inspected = raw.flatMap { try? inspector.inspect(bytes: $0, documentText: false) }
        return (inspected?.allParts ?? []).filter { $0.filename != nil }.map { part in
            let reasons = message.verdict.findings.filter { finding in
                finding.detail.contains(part.displayPath) || part.filename.map { finding.detail.contains($0) } == true
            }.map(\.detail)
            return Attachment(
                name: part.displayPath, size: part.content.count, declared: part.contentType,
                trueType: part.trueType ?? "unknown", description: part.trueTypeDescription, reasons: Array(Set(reasons)).sorted())
        }
    }
}
