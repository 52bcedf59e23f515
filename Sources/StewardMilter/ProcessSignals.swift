import CStewardSignals
#if canImport(Glibc)
import Glibc
#endif

/// One owner for this process's signals: the main thread.
///
/// libmilter starts its own `sigwait` thread for SIGHUP, SIGTERM and SIGINT and stops serving at
/// once on any of them (no drain, and SIGHUP would not reload). A signal source that reads them
/// through a signalfd (what the service group's own signal handling does on Linux) would race
/// that thread. So the signals are blocked in every thread before any starts, the main thread
/// waits for them in `sigwaitinfo`, and libmilter's thread never takes one: Steward defines
/// `sigwait` itself (CStewardSignals), and libmilter's call of it sleeps for good. A signal that
/// arrives while the main thread is passing the last one on (reload, graceful shutdown, cancel)
/// to the service group stays pending until it waits again (the reload-storm drill: 50 SIGHUPs
/// under load). A library thread that waits with a signal mask of its own (swift-subprocess's
/// child monitor, in `epoll_pwait`) keeps these four blocked too (CStewardSignals).
public enum ProcessSignals {
    /// What `next()` returns.
    public enum Event: Sendable, Equatable {
        /// SIGHUP, with who sent it (the kernel's word: the sender's user and process).
        case reload(Sender)
        case terminate, interrupt
        /// `wakeMainThread()` was called: the service group has finished.
        case wake
    }

    private nonisolated(unsafe) static var mainThread = pthread_self()

    /// Blocks the owned signals. Call first thing on the main thread, before any other thread
    /// starts, so every thread created afterwards inherits the mask.
    public static func take() {
        mainThread = pthread_self()
        var set = owned
        pthread_sigmask(SIG_BLOCK, &set, nil)
        precondition(steward_signals_owned() == 1)
        steward_signals_own()
    }

    /// Who sent a signal.
    public struct Sender: Sendable, Equatable {
        public var uid: UInt32
        public var pid: Int32

        /// The sender's login name (`root`), or `uid N` when it has none.
        public var user: String {
            guard let entry = getpwuid(uid), let name = entry.pointee.pw_name else { return "uid \(uid)" }
            return String(cString: name)
        }
    }

    /// Waits (on the main thread) for the next owned signal.
    public static func next() -> Event {
        var set = owned
        while true {
            var info = siginfo_t()
            let signal = sigwaitinfo(&set, &info)
            guard signal > 0 else { continue }  // EINTR
            switch signal {
            case SIGHUP: return .reload(Sender(uid: info._sifields._kill.si_uid, pid: info._sifields._kill.si_pid))
            case SIGTERM: return .terminate
            case SIGINT: return .interrupt
            default: return .wake
            }
        }
    }

    /// Ends the main thread's wait (from any thread): the service group is done.
    public static func wakeMainThread() {
        pthread_kill(mainThread, SIGUSR1)
    }

    private static var owned: sigset_t {
        var set = sigset_t()
        sigemptyset(&set)
        for signal in [SIGHUP, SIGTERM, SIGINT, SIGUSR1] { sigaddset(&set, signal) }
        return set
    }
}
