import ArgumentParser
import Foundation
import Hummingbird
import Logging
import ServiceLifecycle
import StewardEngine
import StewardPolicy
import StewardQuarantine
import StewardReview
import Synchronization
import UnixSignals

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
        reload.setEventHandler { Task { await startup.reloadPolicy(requestedBy: ReloadRequest.take(settings: startup.settings) ?? "SIGHUP") } }
        reload.resume()
        defer { reload.cancel() }
        let service = ReviewService(
            settings: startup.settings, policy: startup.policy, store: startup.store, logger: startup.logger, besideMilter: false)
        // PostgreSQL's pool first, so it stops after the review app finished its requests.
        let group = ServiceGroup(services: [startup.store.poolService, service].compactMap { $0 }, gracefulShutdownSignals: [.sigterm, .sigint], logger: startup.logger)
        do {
            try Blocking.run { try await group.run() }
        } catch {
            Failure(description: "\(error)").exit()
        }
    }
}

/// The review app as a service: in `serve`'s group beside the milter, or alone for `review`.
/// Beside the milter, whatever goes wrong with it (a broken template, its port taken) disables
/// the review app alone, with one line saying why: mail keeps flowing, and held mail can still be
/// reviewed with `steward quarantine`. On the group's graceful shutdown Hummingbird stops
/// accepting and lets the requests under way finish (a release is delivered or recorded).
struct ReviewService: Service {
    let settings: StewardConfig
    let policy: PolicyHolder
    let store: any QuarantineStore
    let logger: Logger
    let besideMilter: Bool

    static func releaseService(_ settings: StewardConfig, store: any QuarantineStore) throws -> ReleaseService {
        ReleaseService(
            store: store, sendmail: Sendmail(path: settings.sendmailPath, arguments: settings.sendmailArguments),
            token: try ReleaseToken.load(path: settings.releaseSecretPath))
    }

    func run() async throws {
        do {
            let app = try await ReviewApp(
                store: store, policy: policy, release: try Self.releaseService(settings, store: store), settings: settings.review)
            logger.notice("review app listening", metadata: ["review.listen": "\(settings.review.listen)"])
            try await app.application(logger: logger).run()
        } catch {
            guard besideMilter else { throw ReviewStopped(reason: "\(error)") }
            logger.error(
                "review app disabled; the milter keeps running",
                metadata: ["review.problem": "the review app stopped: \(error)", "review.listen": "\(settings.review.listen)"])
            // Stays in the group (a service that returns would end it) until the group stops.
            try? await gracefulShutdown()
        }
    }
}

struct ReviewStopped: Error, CustomStringConvertible {
    var reason: String
    var description: String { "the review app stopped: \(reason)" }
}

/// Runs async work to its end from the synchronous command line (a one-shot command such as
/// `quarantine release`, or `review` with its own group); the calling thread waits.
enum Blocking {
    static func run<T: Sendable>(_ body: @escaping @Sendable () async throws -> T) throws -> T {
        let result = Mutex<Result<T, any Error>?>(nil)
        let done = DispatchSemaphore(value: 0)
        Task {
            do {
                let value = try await body()
                result.withLock { $0 = .success(value) }
            } catch {
                result.withLock { $0 = .failure(error) }
            }
            done.signal()
        }
        done.wait()
        return try result.withLock { $0! }.get()
    }
}
