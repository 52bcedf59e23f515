import ArgumentParser
import Foundation
import StewardEngine
import StewardQuarantine

struct AuditCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "audit", abstract: "The audit trail (clause 13).", subcommands: [Verify.self, List.self])

    struct Verify: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Check the audit trail and the held messages against it; exit 1 on any problem.",
            discussion: """
                Checks that every entry carries this host's audit key (so none was edited, removed, \
                reordered or recomputed), that every signed checkpoint in the checkpoint file (and each \
                one given with --checkpoint, copied from a digest or the log) is still in the chain, \
                that each held message's stored bytes still have the SHA-256 recorded when it was held, \
                and that each message's state and legal hold are what the trail says.
                """)
        @OptionGroup var store: StoreOptions
        @Option(help: "A checkpoint line from a digest or the log ('head SEQUENCE HASH MILLISECONDS MAC'); repeatable.")
        var checkpoint: [String] = []

        func run() async throws {
            let given = try checkpoint.map { line in
                guard let parsed = AuditCheckpoint(line: line.trimmingCharacters(in: .whitespacesAndNewlines)) else {
                    throw ValidationError("not a checkpoint line: \(shown(line)) (expected: head SEQUENCE HASH MILLISECONDS MAC)")
                }
                return parsed
            }
            let settings = store.settings()
            try await store.withStore { quarantine in
                var problems: [String] = []
                let trail: [AuditEntry]
                let recorded: [AuditCheckpoint?]
                var messages: [HeldMessage] = []
                var digests: [Int64: String] = [:]
                let anchor: AuditAnchor
                do throws(QuarantineError) {
                    anchor = try settings.auditAnchor()
                    trail = try await quarantine.auditTrail(messageID: nil)
                    recorded = try anchor.checkpoints()
                    messages = try await quarantine.list(QuarantineQuery(limit: .max))
                    // One message's bytes at a time: a store can hold many large messages.
                    for message in messages {
                        if let raw = try await quarantine.raw(id: message.id) { digests[message.id] = EvidenceCheck.digest(raw) }
                    }
                } catch { error.exit() }
                problems += AuditChain.verify(trail, anchor: anchor, checkpoints: recorded + given.map { Optional($0) })
                problems += EvidenceCheck.problems(messages: messages, digests: digests, trail: trail)
                if !problems.isEmpty {
                    for problem in problems { print(problem) }
                    throw ExitCode(1)
                }
                let newest = (recorded.compactMap { $0 } + given).map(\.sequence).max() ?? 0
                let last = trail.last?.sequence ?? 0
                print("audit trail verified: \(trail.count) entries, last hash \(trail.last?.hash ?? AuditChain.genesis)")
                print("checkpoints: \(recorded.count + given.count), the newest at entry \(newest)"
                    + (newest < last ? " (entries \(newest + 1)-\(last) are covered by the key alone)" : ""))
                print("held messages: \(messages.count), each with the SHA-256 and state the trail records")
            }
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Print the audit trail, or one message's entries.")
        @OptionGroup var store: StoreOptions
        @Option(help: "Only the entries about this message.") var message: Int64?

        func run() async throws {
            let trail: [AuditEntry]
            do { trail = try await store.withStore { quarantine throws(QuarantineError) in try await quarantine.auditTrail(messageID: message) } } catch { error.exit() }
            for item in trail {
                let entry = item.entry
                var line = "\(item.sequence) \(entry.at.formatted(.iso8601)) \(shown(entry.actor)) \(entry.action.rawValue)"
                if let id = entry.messageID { line += " #\(id)" }
                if let reason = entry.reason { line += " reason: \(shown(reason))" }
                if let detail = entry.detail { line += " (\(shown(detail)))" }
                print(line)
            }
        }
    }
}
