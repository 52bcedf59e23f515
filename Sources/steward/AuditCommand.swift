import ArgumentParser
import Foundation
import StewardQuarantine

struct AuditCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "audit", abstract: "The audit trail (clause 13).", subcommands: [Verify.self, List.self])

    struct Verify: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Check that no audit entry was edited, removed or reordered; exit 1 if one was.")
        @OptionGroup var store: StoreOptions

        func run() throws {
            let trail: [AuditEntry]
            do { trail = try store.store().auditTrail(messageID: nil) } catch { error.exit() }
            let problems = AuditChain.verify(trail)
            if problems.isEmpty {
                print("audit trail verified: \(trail.count) entries, last hash \(trail.last?.hash ?? AuditChain.genesis)")
                return
            }
            for problem in problems { print(problem) }
            throw ExitCode(1)
        }
    }

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Print the audit trail, or one message's entries.")
        @OptionGroup var store: StoreOptions
        @Option(help: "Only the entries about this message.") var message: Int64?

        func run() throws {
            let trail: [AuditEntry]
            do { trail = try store.store().auditTrail(messageID: message) } catch { error.exit() }
            for item in trail {
                let entry = item.entry
                var line = "\(item.sequence) \(entry.at.formatted(.iso8601)) \(entry.actor) \(entry.action.rawValue)"
                if let id = entry.messageID { line += " #\(id)" }
                if let reason = entry.reason { line += " reason: \(reason)" }
                if let detail = entry.detail { line += " (\(detail))" }
                print(line)
            }
        }
    }
}
