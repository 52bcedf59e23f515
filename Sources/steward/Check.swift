import ArgumentParser
import Foundation
import Logging
import StewardCore
import StewardEngine
import StewardPolicy

struct Check: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Judge messages offline exactly as the milter would, and print one verdict per message.",
        discussion: """
            The envelope comes from the options; without --from the header From address is used, \
            without --to the To and Cc addresses. Without --client-ip and --auth-user the message is \
            treated as locally submitted, as Postfix's sendmail command would pass it. Nothing is \
            stored: a message the milter would hold is reported with action "quarantine".
            """
    )

    @Argument(help: "Message files (RFC 5322, .eml).")
    var files: [String]

    @Option(help: "The config file (steward.yaml); its policy directory is used.")
    var config: String?

    @Option(help: "The policy directory (default: the config's, else /etc/steward/Policies, else ./Policies).")
    var policy: String?

    @Option(help: "Envelope sender.")
    var from: String?

    @Option(help: "Envelope recipient (repeat for several).")
    var to: [String] = []

    @Option(name: .customLong("auth-user"), help: "SASL login the message was submitted with.")
    var authUser: String?

    @Option(name: .customLong("client-ip"), help: "IP address of the client that sent the message.")
    var clientIP: String?

    @Option(help: "Output format: text or json (one JSON object per line).")
    var format: OutputFormat = .text

    enum OutputFormat: String, ExpressibleByArgument {
        case text, json
    }

    func validate() throws {
        if config != nil && policy != nil {
            throw ValidationError("give --config or --policy, not both")
        }
    }

    func run() throws {
        let (directory, spool) = try settings()
        let holder: PolicyHolder
        do {
            holder = try PolicyHolder(directory: directory)
        } catch {
            Failure(description: "the policy at \(directory.path) has problems:\n" + error.description).exit()
        }
        var logger = Logger(label: "steward.check")
        logger.logLevel = .critical  // offline: the verdict printed is the output, not a log line
        let filter = MessageFilter(policy: holder, store: nil, spool: spool, logger: logger)

        var failed = false
        for file in files {
            // Only the header block is read here; inspection reads the file itself, as the
            // milter does with a spooled message, so a large message is never held whole.
            guard let head = FileHandle(forReadingAtPath: file).flatMap({ handle in
                defer { try? handle.close() }
                return try? handle.read(upToCount: HeaderAddresses.headerLimit) ?? Data()  // nil: an empty file
            }) else {
                printError("steward: cannot read \(file)")
                failed = true
                continue
            }
            let addresses = HeaderAddresses(message: [UInt8](head))
            let envelope = Envelope(
                sender: from.map(EmailAddress.normalize) ?? addresses.from ?? "",
                recipients: to.isEmpty ? addresses.recipients : to.map(EmailAddress.normalize),
                authUser: authUser, clientAddress: clientIP, queueID: nil)
            let decision = filter.decideBlocking(.file(URL(fileURLWithPath: file)), envelope: envelope)
            if decision.verdict.action == .tempfail { failed = true }
            print(VerdictOutput.render(decision.verdict, file: file, format: format))
        }
        if failed { throw ExitCode(1) }
    }

    /// The policy directory, and where large parts are spooled: the config's spool settings,
    /// else the system's temporary directory with the default threshold.
    private func settings() throws -> (URL, ContentSpool) {
        if let policy { return (URL(fileURLWithPath: policy), .temporary) }
        if let config {
            do {
                let loaded = try StewardConfig.load(from: URL(fileURLWithPath: config))
                return (loaded.policyDirectory, loaded.contentSpool)
            } catch {
                Failure(description: error.description).exit()
            }
        }
        for candidate in ["/etc/steward/Policies", "Policies"] where FileManager.default.fileExists(atPath: candidate) {
            return (URL(fileURLWithPath: candidate), .temporary)
        }
        throw ValidationError("no policy found: give --policy DIR or --config FILE")
    }
}
