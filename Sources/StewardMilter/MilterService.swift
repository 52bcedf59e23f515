import CStewardMilter
public import Foundation
public import Logging
public import ServiceLifecycle
public import StewardEngine
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// The milter as a service of `steward serve`'s group: libmilter's `smfi_main` on a thread of
/// its own (libmilter keeps that thread, its worker pool and its own signal thread), bridged
/// into the group. On the group's graceful shutdown it drains — no new connections, messages
/// begun from now on are deferred, the ones in flight finish, bounded by `drain_seconds` — and
/// only then stops libmilter with `smfi_stop()`. Feeds systemd's watchdog while libmilter runs.
///
/// Signals are not taken here: `ProcessSignals` blocks them in every thread and the main thread
/// waits for them; libmilter's own signal thread (which would stop at once, on SIGHUP too) is
/// put to sleep by Steward's own `sigwait` (CStewardSignals).
public struct MilterService: Service {
    public struct Settings: Sendable {
        public var connection: String
        public var socketMode: UInt16
        public var socketGroup: String?
        public var timeoutSeconds: Int
        public var drainSeconds: Int
        public var spoolDirectory: URL
        public var memoryThreshold: Int
        public var memoryFallback: Int

        public init(config: StewardConfig) {
            connection = config.milterSocket
            socketMode = config.milterSocketMode
            socketGroup = config.milterSocketGroup
            timeoutSeconds = config.milterTimeoutSeconds
            drainSeconds = config.drainSeconds
            spoolDirectory = config.spoolDirectory
            memoryThreshold = config.memoryThresholdBytes
            memoryFallback = config.memoryFallbackBytes
        }
    }

    private let settings: Settings
    private let runtime: MilterRuntime
    private let logger: Logger
    private let systemd: SystemdNotifier
    private let serving = ServingFlag()

    /// Whether libmilter's thread is running and not stopping (`/healthz`).
    public var isServing: Bool { serving.value.load(ordering: .relaxed) && !runtime.isDraining }

    public init(settings: Settings, filter: MessageFilter, logger: Logger, systemd: SystemdNotifier = SystemdNotifier()) {
        self.settings = settings
        self.logger = logger
        self.systemd = systemd
        runtime = MilterRuntime(
            filter: filter, spoolDirectory: settings.spoolDirectory, memoryThreshold: settings.memoryThreshold,
            memoryFallback: settings.memoryFallback,
            logger: logger)
    }

    /// Opens the socket (a bad path or a second steward fails here, before anything else
    /// starts). Call once, before `run()`.
    public func listen() throws(MilterServerError) {
        try register()
        currentRuntime.withLock { $0 = runtime }
    }

    /// Serves until the group shuts down (then drains and stops libmilter) or libmilter stops on
    /// its own (then the group is told to stop: a milter that is not serving must not look alive).
    public func run() async throws {
        let ended = LibmilterExit()
        let serving = serving
        serving.value.store(true, ordering: .relaxed)
        let thread = Thread {
            let code = smfi_main()
            serving.value.store(false, ordering: .relaxed)
            ended.finish(code)
        }
        thread.name = "libmilter"
        thread.start()
        logger.notice("steward listening", metadata: ["milter.socket": "\(settings.connection)"])
        // The socket was opened (bound and listening) in listen(): the MTA can connect now.
        systemd.notify("READY=1\nSTATUS=listening on \(settings.connection)")

        let code = await withTaskGroup(of: Void.self) { group -> Int32? in
            if let interval = systemd.watchdogInterval {
                // Fed only while libmilter's thread runs: a milter that stopped serving is
                // restarted by systemd.
                group.addTask {
                    while !Task.isCancelled {
                        systemd.notify("WATCHDOG=1")
                        try? await Task.sleep(for: .seconds(interval))
                    }
                }
            }
            group.addTask {
                // Returns on the group's graceful shutdown, or throws when this task is
                // cancelled (libmilter ended, or the group is cancelled): stop at once then.
                let graceful = (try? await gracefulShutdown()) != nil
                guard !ended.hasFinished else { return }
                systemd.notify("STOPPING=1")
                if graceful { await drain() }
                // Only now: libmilter's worker pool abandons open sessions once stopped.
                smfi_stop()
            }
            let code = await ended.wait()
            group.cancelAll()
            return code
        }
        if ended.hasFinished, !runtime.isDraining {
            // libmilter stopped without being asked: systemd is told all the same.
            systemd.notify("STOPPING=1")
        }
        if let code, code != MI_SUCCESS {
            throw MilterServerError(message: "libmilter stopped with an error on \(settings.connection)")
        }
    }

    /// Lets messages in flight finish: new connections are refused and messages begun from now
    /// on are answered with tempfail, so the MTA keeps them. Bounded by `drain_seconds`; a
    /// cancelled group (a second SIGINT) ends it at once.
    private func drain() async {
        runtime.startDraining()
        logger.notice("stopping: no new connections; waiting for messages in flight", metadata: [
            "milter.in_flight": "\(runtime.messagesInFlight)"
        ])
        let drainSeconds = settings.drainSeconds
        await withTaskGroup(of: Void.self) { group in
            group.addTask { await runtime.waitUntilIdle() }
            group.addTask { try? await Task.sleep(for: .seconds(drainSeconds)) }
            await group.next()
            group.cancelAll()
        }
        let left = runtime.messagesInFlight
        if left > 0 {
            logger.warning("drain time over; the MTA will retry these messages", metadata: ["milter.in_flight": "\(left)"])
        } else {
            logger.notice("all messages in flight finished")
        }
    }

    private func register() throws(MilterServerError) {
        var description = smfiDesc()
        description.xxfi_name = strdup("steward")
        description.xxfi_version = Int32(steward_smfi_version())
        description.xxfi_flags = ProtocolNegotiation.wantedActions
        description.xxfi_connect = connectCallback
        description.xxfi_helo = heloCallback
        description.xxfi_envfrom = envfromCallback
        description.xxfi_envrcpt = envrcptCallback
        description.xxfi_header = headerCallback
        description.xxfi_eoh = eohCallback
        description.xxfi_body = bodyCallback
        description.xxfi_eom = eomCallback
        description.xxfi_abort = abortCallback
        description.xxfi_close = closeCallback
        description.xxfi_unknown = unknownCallback
        description.xxfi_data = dataCallback
        description.xxfi_negotiate = negotiateCallback

        guard steward_setconn(settings.connection) == MI_SUCCESS else {
            throw MilterServerError(message: "invalid milter socket \(settings.connection)")
        }
        _ = smfi_settimeout(Int32(settings.timeoutSeconds))
        guard smfi_register(description) == MI_SUCCESS else {
            throw MilterServerError(message: "libmilter refused the filter registration")
        }
        if settings.connection.hasPrefix("unix:") {
            let path = String(settings.connection.dropFirst("unix:".count))
            try FileManagerHelpers.createParent(of: path)
        }
        // Open now (removing a stale socket) so a bad path fails at start, not later.
        guard smfi_opensocket(1) == MI_SUCCESS else {
            throw MilterServerError(
                message: "cannot listen on \(settings.connection) (is another steward running, or is the directory missing or not writable?)")
        }
        if settings.connection.hasPrefix("unix:") {
            try setSocketPermissions(String(settings.connection.dropFirst("unix:".count)))
        }
    }

    private func setSocketPermissions(_ path: String) throws(MilterServerError) {
        if let group = settings.socketGroup {
            if let entry = getgrnam(group) {
                guard chown(path, uid_t.max, entry.pointee.gr_gid) == 0 else {
                    throw MilterServerError(message: "cannot give \(path) to group \(group)")
                }
            } else {
                logger.warning("socket group does not exist; socket left with its group", metadata: ["milter.socket_group": "\(group)"])
            }
        }
        guard chmod(path, mode_t(settings.socketMode)) == 0 else {
            throw MilterServerError(message: "cannot set permissions on \(path)")
        }
    }
}

/// Whether libmilter's thread runs (a class: the service itself is a copied value).
private final class ServingFlag: Sendable {
    let value = Atomic<Bool>(false)
}

/// libmilter's thread reports its end here; the service waits for it without polling.
private final class LibmilterExit: Sendable {
    private struct State {
        var code: Int32?
        var waiter: CheckedContinuation<Int32?, Never>?
    }
    private let state = Mutex(State())

    var hasFinished: Bool { state.withLock { $0.code != nil } }

    func finish(_ code: Int32) {
        let waiter = state.withLock { state -> CheckedContinuation<Int32?, Never>? in
            state.code = code
            defer { state.waiter = nil }
            return state.waiter
        }
        waiter?.resume(returning: code)
    }

    /// libmilter's exit code, or nil if the calling task is cancelled first.
    func wait() async -> Int32? {
        await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Int32?, Never>) in
                let now = state.withLock { state -> Int32?? in
                    if let code = state.code { return .some(code) }
                    if Task.isCancelled { return .some(nil) }
                    state.waiter = continuation
                    return nil
                }
                if let now { continuation.resume(returning: now) }
            }
        } onCancel: {
            state.withLock { state -> CheckedContinuation<Int32?, Never>? in
                defer { state.waiter = nil }
                return state.waiter
            }?.resume(returning: nil)
        }
    }
}

enum FileManagerHelpers {
    static func createParent(of path: String) throws(MilterServerError) {
        let parent = URL(fileURLWithPath: path).deletingLastPathComponent()
        do {
            try FileManager.default.createDirectory(at: parent, withIntermediateDirectories: true)
        } catch {
            throw MilterServerError(message: "cannot create socket directory \(parent.path): \(error.localizedDescription)")
        }
    }
}

public struct MilterServerError: Error, Sendable, CustomStringConvertible {
    public var message: String
    public var description: String { message }
}
