import ArgumentParser
import CoreMetrics
import Foundation
import Logging
import Prometheus
import ServiceLifecycle
import StewardEngine
import StewardMilter
import StewardPolicy
import StewardQuarantine
import Synchronization

struct Serve: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run the milter (and the review app, unless review.enabled is false).",
        discussion: """
            Listens on the socket in the config file until SIGTERM or SIGINT: then it finishes the \
            messages in flight and any release under way (bounded by milter.drain_seconds) and exits; \
            a second SIGINT stops at once. SIGHUP reloads the policy; a policy with an error is \
            refused and the last good one stays in force.
            """
    )

    @Option(name: .long, help: "The config file (steward.yaml).")
    var config: String

    func run() throws {
        // First, before any thread exists: this process's signals are handled in one place.
        ProcessSignals.take()
        // Log timestamps use local time; with TZ unset glibc reads /etc/localtime again for
        // every line. Naming the file once keeps local time and drops a syscall per message.
        if FileManager.default.fileExists(atPath: "/etc/localtime") { setenv("TZ", ":/etc/localtime", 0) }

        let startup = Startup(config: config)
        let (settings, logger, policy, store) = (startup.settings, startup.logger, startup.policy, startup.store)
        do {
            try FileManager.default.createDirectory(at: settings.spoolDirectory, withIntermediateDirectories: true)
        } catch {
            Failure(description: "cannot create spool directory \(settings.spoolDirectory.path): \(error.localizedDescription)").exit()
        }

        let releaseToken: ReleaseToken
        let auditAnchor: AuditAnchor
        do {
            releaseToken = try ReleaseToken.load(path: settings.releaseSecretPath)
            auditAnchor = try settings.auditAnchor()
        } catch {
            Failure(description: error.description).exit()
        }
        let filter = MessageFilter(
            policy: policy, store: store, releaseToken: releaseToken, notifyDeputies: settings.notifyDeputies,
            spool: settings.contentSpool, holdDeadline: settings.holdDeadlineSeconds,
            retryWindow: settings.holdRetryWindowHours * 3600, logger: logger)
        let systemd = SystemdNotifier()
        let milter = MilterService(settings: MilterService.Settings(config: settings), filter: filter, logger: logger, systemd: systemd)
        do {
            try milter.listen()
        } catch {
            Failure(description: "\(error)").exit()
        }
        ReloadRequest.notePID(settings: settings)
        // The metrics endpoint, when metrics.listen is set: swift-metrics reports to its registry.
        var metrics: MetricsService?
        if let listen = settings.metricsListen {
            let registry = PrometheusCollectorRegistry()
            MetricsSystem.bootstrap(PrometheusMetricsFactory(registry: registry))
            metrics = MetricsService(
                listen: listen, registry: registry,
                health: MetricsService.Health(milter: milter, store: store, policy: policy, disks: Self.disks(settings)),
                logger: logger)
        }
        let group = ServiceGroup(configuration: Self.group(
            settings: settings, policy: policy, store: store, auditAnchor: auditAnchor, milter: milter, metrics: metrics, logger: logger))
        logger.notice("policy loaded", metadata: ["policy.directory": "\(settings.policyDirectory.path)"])

        let outcome = GroupOutcome()
        let running = Task {
            do { try await group.run() } catch { outcome.fail("\(error)") }
            outcome.finish()
            ProcessSignals.wakeMainThread()
        }
        // The main thread owns the signals (see ProcessSignals) and only passes them on, so it
        // is back in sigwait at once: a reload runs in a task of its own, one after another.
        let (reloads, requested) = AsyncStream.makeStream(of: ProcessSignals.Sender.self)
        Task {
            for await sender in reloads {
                logger.notice("SIGHUP: reloading policy")
                systemd.notify("RELOADING=1")
                await startup.reloadPolicy(requestedBy: ReloadRequest.take(settings: settings) ?? "\(sender.user) (kill -HUP from pid \(sender.pid))")
                systemd.notify("READY=1")
            }
        }
        var stopping = false
        while !outcome.finished {
            switch ProcessSignals.next() {
            case .reload(let sender):
                requested.yield(sender)
            case .interrupt where stopping:
                // A second SIGINT (Ctrl-C twice): no more waiting for messages in flight.
                running.cancel()
            case .terminate, .interrupt:
                // A SIGTERM while stopping changes nothing (an admin's second `kill`, or a
                // service manager's repeat): the drain goes on, bounded by drain_seconds.
                guard !stopping else { continue }
                stopping = true
                Task { await group.triggerGracefulShutdown() }
            case .wake:
                continue
            }
        }
        requested.finish()
        if let failure = outcome.failure { Failure(description: failure).exit() }
        logger.notice("steward stopped")
    }

    /// The services of `serve`, in start order; a graceful shutdown stops them in reverse: the
    /// milter drains first, then the review app finishes its requests (a release under way is
    /// delivered or recorded as failed), then the notice sender finishes its round, and last
    /// PostgreSQL's pool closes its connections.
    static func group(
        settings: StewardConfig, policy: PolicyHolder, store: any QuarantineStore, auditAnchor: AuditAnchor,
        milter: MilterService, metrics: MetricsService?, logger: Logger
    ) -> ServiceGroupConfiguration {
        let notices = NoticeService(
            sender: NoticeSender(
                store: store, sendmail: Sendmail(path: settings.sendmailPath, arguments: settings.sendmailArguments),
                settings: NoticeSender.Settings(
                    from: settings.notifyFrom, reviewURL: settings.review.baseURL ?? settings.reviewURL,
                    digestInterval: Double(settings.digestMinutes) * 60,
                    templates: settings.policyDirectory.appendingPathComponent("templates"), auditAnchor: auditAnchor),
                logger: logger),
            policy: policy, everySeconds: settings.noticeCheckSeconds)
        // Warn before the spool's or the store's disk is full (a full disk defers held mail).
        let disk = DiskSpaceService(paths: disks(settings).map(\.path), floor: settings.freeSpaceWarningBytes, logger: logger)
        var services: [ServiceGroupConfiguration.ServiceConfiguration] = [.init(service: disk), .init(service: notices)]
        // PostgreSQL's pool first, so it stops last: after the milter drained and the rest finished.
        if let pool = store.poolService { services.insert(.init(service: pool), at: 0) }
        if let metrics { services.append(.init(service: metrics)) }
        // The review app beside the milter, on loopback unless review.listen says otherwise.
        if settings.review.enabled {
            services.append(.init(service: ReviewService(settings: settings, policy: policy, store: store, logger: logger, besideMilter: true)))
        }
        services.append(.init(service: milter))
        var configuration = ServiceGroupConfiguration(services: services, logger: logger)
        // Signals come from the main thread (ProcessSignals), not from the group's own handler.
        configuration.gracefulShutdownSignals = []
        configuration.cancellationSignals = []
        // The drain, then a release or notice under way (sendmail is bounded at 60 s): past
        // this the group is cancelled, and a send cut short is recorded as release-failed.
        configuration.maximumGracefulShutdownDuration = .seconds(settings.drainSeconds + 15)
        configuration.maximumCancellationDuration = .seconds(5)
        return configuration
    }
}

extension Serve {
    /// The filesystems whose free space is watched: the spool's, and the SQLite store's.
    static func disks(_ settings: StewardConfig) -> [(name: String, path: String)] {
        [("spool", settings.spoolDirectory.path)]
            + (settings.postgres == nil ? [("store", URL(fileURLWithPath: settings.sqlitePath).deletingLastPathComponent().path)] : [])
    }
}

/// How the service group ended, read by the main thread once woken.
final class GroupOutcome: Sendable {
    private let state = Mutex<(finished: Bool, failure: String?)>((false, nil))
    func fail(_ text: String) { state.withLock { $0.failure = text } }
    func finish() { state.withLock { $0.finished = true } }
    var finished: Bool { state.withLock { $0.finished } }
    var failure: String? { state.withLock { $0.failure } }
}
