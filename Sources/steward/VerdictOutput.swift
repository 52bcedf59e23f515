import Foundation
import StewardCore

/// How `check` and `quarantine list` print verdicts: JSON lines for scripts, text for people.
enum VerdictOutput {
    struct JSONLine: Encodable {
        var file: String
        var action: String
        var direction: String
        var branches: [String]
        var findings: [Finding]
        var reply: String?
    }

    static func render(_ verdict: Verdict, file: String, format: Check.OutputFormat) -> String {
        let reply = verdict.reply.map { "\($0.code) \($0.status) \($0.text)" }
        switch format {
        case .json:
            return json(JSONLine(
                file: file, action: verdict.action.rawValue, direction: verdict.direction.rawValue,
                branches: verdict.branches, findings: verdict.findings, reply: reply))
        case .text:
            var lines = ["\(file): \(verdict.action.rawValue) (\(verdict.direction.rawValue); branches: \(verdict.branches.joined(separator: ", ")))"]
            for finding in verdict.findings {
                lines.append("  - \(finding.kind)/\(finding.rule), clause \(finding.clause), \(finding.branch) → \(finding.action.rawValue): \(shown(finding.detail))")
            }
            if let reply { lines.append("  reply: \(reply)") }
            return lines.joined(separator: "\n")
        }
    }

    static func json(_ value: some Encodable) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return (try? String(decoding: encoder.encode(value), as: UTF8.self)) ?? "{}"
    }
}
