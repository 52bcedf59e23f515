import Foundation
import Logging
import StewardCore
@testable import StewardEngine
import StewardInspection
import StewardPolicy
import StewardTestSupport
import Testing

/// A candidate policy re-runs only what it changes (issue 15's shadow cost): the families whose
/// rules it changes, and of the confidential family, whose rules are independent, only the
/// changed rules. Whatever it skips, its verdict must be the one a full evaluation under the
/// candidate gives.
@Suite struct CandidateRerunTests {
    static let member = "chris.lee@london.union.example"
    static let outside = "carol@partner.example"

    /// Outgoing, marked, with 60 people's addresses and an .exe: every family has something to say.
    static func message() -> [UInt8] {
        let addresses = (1...60).map { "person\($0)@example.org" }.joined(separator: "\n")
        return SampleMessage.withAttachment(
            from: member, to: outside, subject: "STRICTLY CONFIDENTIAL: list", filename: "tool.exe",
            contentType: "application/octet-stream", content: Array("STRICTLY CONFIDENTIAL\n\(addresses)\n".utf8)
        ).bytes
    }

    static let candidates = [
        "bulk-personal-data:\n    email_addresses: 500",
        "bulk-personal-data:\n    email_addresses: 10",
        "confidential-marker:\n    action: off",
        "classification-label:\n    action: off\n  bulk-personal-data:\n    action: log",
        "risky-file-name:\n    action: off",
        "executable-attachment:\n    action: off",
        "mass-mailing:\n    max_recipients: 0",
    ]

    @Test(arguments: candidates) func theShortcutAgreesWithAFullEvaluation(_ rules: String) throws {
        let directory = try TemporaryDirectory("rerun")
        let policies = directory.url.appendingPathComponent("Policies")
        try FileManager.default.copyItem(at: PackagePaths.policies, to: policies)
        // A copy of London's branch file (inspection-limit: reject) with one change, as an official makes it.
        try "branch: london\nrules:\n  inspection-limit:\n    action: reject\n  \(rules)\n".write(
            to: policies.appendingPathComponent("branches/london.candidate.yaml"), atomically: true, encoding: .utf8)
        let snapshot = try PolicyHolder(directory: policies, stampInterval: 0).snapshot
        let candidate = try #require(snapshot.candidates["london"])
        let envelope = Envelope(sender: Self.member, recipients: [Self.outside], authUser: "clee", clientAddress: "127.0.0.1")
        let inspected = try Inspector().inspect(bytes: Self.message())
        let live = snapshot.evaluator.evaluate(inspected, envelope: envelope)
        #expect(live.findings.contains { $0.kind == "confidential" }, "the live policy finds something to re-judge")

        let judged = MessageFilter.judge(inspected, envelope: envelope, activity: nil, branch: "london", candidate: candidate, live: live)
        let full = candidate.evaluator.evaluate(inspected, envelope: envelope, onlyBranch: "london")
        #expect(Set(judged.findings) == Set(full.findings), "\(rules)")
        #expect(judged.action == full.action)
        if rules.hasPrefix("bulk-personal-data") {
            #expect(candidate.families == ["confidential"], "\(String(describing: candidate.families))")
            #expect(candidate.rules == ["bulk-personal-data"], "\(String(describing: candidate.rules))")
        }
    }
}
