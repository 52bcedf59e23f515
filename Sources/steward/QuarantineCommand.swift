import ArgumentParser
import Foundation
import StewardCore
import StewardEngine
import StewardQuarantine

struct QuarantineCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "quarantine", abstract: "Look at held messages.", subcommands: [List.self])

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List held messages, newest first.")

        @Option(help: "The config file (steward.yaml); its store is read.")
        var config: String

        @Option(help: "Most messages to list.")
        var limit: Int = 100

        @Option(help: "Output format: text or json (one JSON object per line).")
        var format: Check.OutputFormat = .text

        struct JSONLine: Encodable {
            var id: Int64
            var held_at: String
            var queue_id: String?
            var sender: String
            var recipients: [String]
            var direction: String
            var branches: [String]
            var action: String
            var findings: [Finding]
            var sha256: String
            var size: Int
            var state: String
        }

        func run() throws {
            let held: [HeldMessage]
            do {
                let settings = try StewardConfig.load(from: URL(fileURLWithPath: config))
                held = try SQLiteQuarantineStore(path: settings.sqlitePath).list(limit: limit)
            } catch let error as ConfigError {
                Failure(description: error.description).exit()
            } catch {
                Failure(description: "\(error)").exit()
            }
            if held.isEmpty && format == .text { print("nothing held") }
            for message in held {
                let time = message.heldAt.formatted(.iso8601)
                switch format {
                case .json:
                    print(VerdictOutput.json(JSONLine(
                        id: message.id, held_at: time, queue_id: message.envelope.queueID,
                        sender: message.envelope.sender, recipients: message.envelope.recipients,
                        direction: message.verdict.direction.rawValue, branches: message.verdict.branches,
                        action: message.verdict.action.rawValue, findings: message.verdict.findings,
                        sha256: message.sha256, size: message.size, state: message.state.rawValue)))
                case .text:
                    print("#\(message.id) \(time) \(message.state.rawValue) from <\(message.envelope.sender)> to \(message.envelope.recipients.map { "<\($0)>" }.joined(separator: ", ")) (\(message.size) bytes)")
                    for finding in message.verdict.findings {
                        print("    \(finding.kind)/\(finding.rule), clause \(finding.clause), \(finding.branch): \(finding.detail)")
                    }
                }
            }
        }
    }
}
