import ArgumentParser
import Foundation
import Hummingbird
import Logging
import ServiceLifecycle
import StewardEngine
import StewardPolicy
import StewardQuarantine
import StewardReview

struct ReviewCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "review",
        abstract: "Run the review app alone (officials review held mail in a browser).",
        discussion: """
            Listens on review.listen (default 127.0.0.1:8470) until SIGTERM or SIGINT. `steward serve` \
            runs the same app beside the milter unless review.enabled is false; run this instead on a \
            host that only reviews. SIGHUP reloads the policy (who may sign in follows the directory). \
            Sessions are kept in memory: a restart signs everyone out.
            """)

    @Option(name: .long, help: "The config file (steward.yaml).")
    var config: String

    func run() throws {
        let startup = Startup(config: config)
        // SIGHUP reloads the policy (the directory decides who may sign in), as `serve` does.
        signal(SIGHUP, SIG_IGN)
        let reload = DispatchSource.makeSignalSource(signal: SIGHUP, queue: .global())
        reload.setEventHandler { startup.reloadPolicy() }
        reload.resume()
        defer { reload.cancel() }
        let failure = ReviewRunner.runBlocking(
            settings: startup.settings, policy: startup.policy, store: startup.store, logger: startup.logger, signals: true)
        if let failure { Failure(description: failure).exit() }
    }
}

/// Starting the review app from the synchronous command line (`serve` and `review`).
enum ReviewRunner {
    static func releaseService(_ settings: StewardConfig, store: any QuarantineStore) throws -> ReleaseService {
        ReleaseService(
            store: store, sendmail: Sendmail(path: settings.sendmailPath, arguments: settings.sendmailArguments),
            token: try ReleaseToken.load(path: settings.releaseSecretPath))
    }

    /// Runs the app until it stops; returns why it failed, or nil after a clean stop.
    /// With `signals`, SIGTERM and SIGINT stop it gracefully (not in `serve`, whose milter
    /// owns the signals).
    static func runBlocking(
        settings: StewardConfig, policy: PolicyHolder, store: any QuarantineStore, logger: Logger, signals: Bool
    ) -> String? {
        let outcome = Outcome()
        let done = DispatchSemaphore(value: 0)
        Task {
            defer { done.signal() }
            do {
                let app = try await ReviewApp(
                    store: store, policy: policy, release: try releaseService(settings, store: store), settings: settings.review)
                logger.notice("review app listening", metadata: ["review.listen": "\(settings.review.listen)"])
                if signals {
                    try await app.application(logger: logger).runService()
                } else {
                    try await app.application(logger: logger).run()
                }
            } catch {
                outcome.set("the review app stopped: \(error)")
            }
        }
        done.wait()
        return outcome.get()
    }

    /// Runs the app beside the milter (in the background). Whatever goes wrong with it (a broken
    /// template, its port taken) disables the review app alone, with one line saying why: mail
    /// keeps flowing, and held mail can still be reviewed with `steward quarantine`.
    static func startInBackground(settings: StewardConfig, policy: PolicyHolder, store: any QuarantineStore, logger: Logger) {
        Thread.detachNewThread {
            if let failure = runBlocking(settings: settings, policy: policy, store: store, logger: logger, signals: false) {
                logger.error(
                    "review app disabled; the milter keeps running",
                    metadata: ["review.problem": "\(failure)", "review.listen": "\(settings.review.listen)"])
            }
        }
    }

    private final class Outcome: @unchecked Sendable {
        private let lock = NSLock()
        private var message: String?
        func set(_ text: String) { lock.withLock { message = text } }
        func get() -> String? { lock.withLock { message } }
    }
}
