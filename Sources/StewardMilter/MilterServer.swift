import CStewardMilter
import CStewardSignals
public import Foundation
public import Logging
public import StewardEngine
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// Runs the milter: libmilter's `smfi_main` on a thread of its own, and this process's signals
/// handled in one place, the calling (main) thread.
///
/// libmilter starts its own `sigwait` thread for SIGHUP, SIGTERM and SIGINT and would stop on
/// any of them, SIGHUP included. The calling thread blocks those signals before any other thread
/// exists and waits for them itself; libmilter's thread never takes one, because Steward's own
/// `sigwait` (CStewardSignals) puts it to sleep for good. So Steward is the one owner, also while
/// the main thread is busy reloading: SIGHUP reloads, SIGTERM and SIGINT drain; a signal that
/// arrives meanwhile waits, pending, for the next turn of the loop.
public final class MilterServer: Sendable {
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

    public init(settings: Settings, filter: MessageFilter, logger: Logger, systemd: SystemdNotifier = SystemdNotifier()) {
        self.settings = settings
        self.logger = logger
        self.systemd = systemd
        runtime = MilterRuntime(
            filter: filter, spoolDirectory: settings.spoolDirectory, memoryThreshold: settings.memoryThreshold,
            memoryFallback: settings.memoryFallback,
            logger: logger)
    }

    /// Blocks the signals this process owns. Call first thing in `main`, before any thread starts,
    /// so every thread created afterwards inherits the mask.
    public static func takeSignals() {
        var set = Self.ownedSignals
        pthread_sigmask(SIG_BLOCK, &set, nil)
        precondition(steward_signals_owned() == 1)
    }

    private static var ownedSignals: sigset_t {
        var set = sigset_t()
        sigemptyset(&set)
        sigaddset(&set, SIGHUP)
        sigaddset(&set, SIGTERM)
        sigaddset(&set, SIGINT)
        return set
    }

    /// Listens and serves until SIGTERM or SIGINT; `reload` runs on SIGHUP. Returns once the
    /// messages in flight have finished (or the drain time ran out).
    public func run(reload: @escaping @Sendable () -> Void) throws(MilterServerError) {
        try register()
        currentRuntime.withLock { $0 = runtime }

        let main = MainLoopResult()
        let thread = Thread {
            main.code.store(smfi_main(), ordering: .sequentiallyConsistent)
            main.finished.store(true, ordering: .sequentiallyConsistent)
        }
        thread.name = "libmilter"
        thread.start()
        logger.notice("steward listening", metadata: ["milter.socket": "\(settings.connection)"])
        // The socket was opened (bound and listening) in register(): the MTA can connect now.
        systemd.notify("READY=1\nSTATUS=listening on \(settings.connection)")
        var lastWatchdog = Date.distantPast

        while !main.finished.load(ordering: .sequentiallyConsistent) {
            // The watchdog is fed from this loop only while libmilter's thread runs: a milter
            // that stopped serving, or a loop that stopped turning, is restarted by systemd.
            if let interval = systemd.watchdogInterval, Date().timeIntervalSince(lastWatchdog) >= interval {
                systemd.notify("WATCHDOG=1")
                lastWatchdog = Date()
            }
            switch Self.waitForSignal(milliseconds: 1000) {
            case SIGHUP:
                logger.notice("SIGHUP: reloading policy")
                systemd.notify("RELOADING=1")
                reload()
                systemd.notify("READY=1")
            case SIGTERM, SIGINT:
                systemd.notify("STOPPING=1")
                drain()
                // Only now: libmilter's worker pool abandons open sessions once stopped.
                smfi_stop()
                waitFor(main, seconds: 10)
                return
            default:
                continue  // nothing yet: check whether libmilter stopped on its own
            }
        }
        // libmilter stopped on its own (an error in its listener): systemd is told all the same.
        systemd.notify("STOPPING=1")
        let code = main.code.load(ordering: .sequentiallyConsistent)
        if code != MI_SUCCESS {
            throw MilterServerError(message: "libmilter stopped with an error on \(settings.connection)")
        }
    }

    /// Waits up to `milliseconds` for one of the owned signals; returns it, or 0.
    private static func waitForSignal(milliseconds: Int) -> Int32 {
        var set = ownedSignals
        var timeout = timespec(tv_sec: milliseconds / 1000, tv_nsec: (milliseconds % 1000) * 1_000_000)
        return sigtimedwait(&set, nil, &timeout)
    }

    /// Lets messages in flight finish: new connections are refused and messages begun from now
    /// on are answered with tempfail, so the MTA keeps them. Bounded by `drain_seconds`; a
    /// second SIGINT ends it at once. Signals keep coming here, not to libmilter's own thread.
    private func drain() {
        runtime.startDraining()
        logger.notice("stopping: no new connections; waiting for messages in flight", metadata: [
            "milter.in_flight": "\(runtime.messagesInFlight)"
        ])
        let deadline = Date().addingTimeInterval(TimeInterval(settings.drainSeconds))
        while runtime.messagesInFlight > 0 && Date() < deadline {
            if Self.waitForSignal(milliseconds: 50) == SIGINT { break }
        }
        let left = runtime.messagesInFlight
        if left > 0 {
            logger.warning("drain time over; the MTA will retry these messages", metadata: ["milter.in_flight": "\(left)"])
        } else {
            logger.notice("all messages in flight finished")
        }
    }

    /// libmilter may take a few seconds to return after `smfi_stop`.
    private func waitFor(_ main: MainLoopResult, seconds: Int) {
        let deadline = Date().addingTimeInterval(TimeInterval(seconds))
        while !main.finished.load(ordering: .sequentiallyConsistent) && Date() < deadline { usleep(50_000) }
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

/// What the libmilter thread reports back to the signal-handling thread.
private final class MainLoopResult: Sendable {
    let finished = Atomic<Bool>(false)
    let code = Atomic<Int32>(0)
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
