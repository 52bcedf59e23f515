import ArgumentParser
import Foundation
import Logging
import StewardEngine
import StewardMilter
import StewardPolicy
import StewardQuarantine

struct Serve: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run the milter (and the review app, unless review.enabled is false).",
        discussion: """
            Listens on the socket in the config file until SIGTERM (finishes the messages in flight, \
            then exits) or SIGINT. SIGHUP reloads the policy; a policy with an error is refused and \
            the last good one stays in force.
            """
    )

    @Option(name: .long, help: "The config file (steward.yaml).")
    var config: String

    func run() throws {
        // First, before any thread exists: this process's signals are handled in one place.
        MilterServer.takeSignals()
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
        NoticeLoop.start(
            sender: NoticeSender(
                store: store, sendmail: Sendmail(path: settings.sendmailPath, arguments: settings.sendmailArguments),
                settings: NoticeSender.Settings(
                    from: settings.notifyFrom, reviewURL: settings.review.baseURL ?? settings.reviewURL, digestInterval: Double(settings.digestMinutes) * 60,
                    templates: settings.policyDirectory.appendingPathComponent("templates"), auditAnchor: auditAnchor),
                logger: logger),
            policy: policy, everySeconds: settings.noticeCheckSeconds)
        // Warn before the spool's or the store's disk is full (a full disk defers held mail).
        DiskSpaceWatch.start(
            paths: [settings.spoolDirectory.path] + (settings.postgres == nil ? [URL(fileURLWithPath: settings.sqlitePath).deletingLastPathComponent().path] : []),
            floor: settings.freeSpaceWarningBytes, logger: logger)
        // The review app beside the milter, on loopback unless review.listen says otherwise.
        if settings.review.enabled {
            ReviewRunner.startInBackground(settings: settings, policy: policy, store: store, logger: logger)
        }
        let server = MilterServer(settings: MilterServer.Settings(config: settings), filter: filter, logger: logger)
        logger.notice("policy loaded", metadata: ["policy.directory": "\(settings.policyDirectory.path)"])
        do {
            try server.run { startup.reloadPolicy() }
        } catch {
            Failure(description: "\(error)").exit()
        }
        logger.notice("steward stopped")
    }
}
