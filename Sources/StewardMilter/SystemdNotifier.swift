public import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// systemd's service notifications (sd_notify(3)): READY=1 once the milter socket listens,
/// WATCHDOG=1 while libmilter runs, RELOADING=1 and STOPPING=1 around a reload and a stop.
///
/// Written here rather than linking libsystemd: the protocol is one text datagram to the Unix
/// socket named in $NOTIFY_SOCKET, documented as stable, and steward also runs with no systemd
/// at all (Sendmail hosts with another init, tests), where this does nothing.
public struct SystemdNotifier: Sendable {
    /// The socket address; nil when not started by systemd with Type=notify.
    let socketPath: String?
    /// How often to send WATCHDOG=1: half of WatchdogSec, as sd_watchdog_enabled(3) advises;
    /// nil when the unit has no watchdog (or it is meant for another process).
    public let watchdogInterval: TimeInterval?

    public init(environment: [String: String] = ProcessInfo.processInfo.environment) {
        let path = environment["NOTIFY_SOCKET"] ?? ""
        socketPath = path.isEmpty ? nil : path
        if let usec = environment["WATCHDOG_USEC"].flatMap(Double.init), usec > 0,
           environment["WATCHDOG_PID"].flatMap(Int32.init).map({ $0 == getpid() }) ?? true
        {
            watchdogInterval = usec / 2_000_000
        } else {
            watchdogInterval = nil
        }
    }

    public var isActive: Bool { socketPath != nil }

    /// Sends `state` ("READY=1", "STATUS=…"); failures are ignored, as sd_notify's callers do:
    /// a lost notification makes systemd time out visibly, it never stops the milter.
    @discardableResult
    public func notify(_ state: String) -> Bool {
        guard let socketPath else { return false }
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        var path = Array(socketPath.utf8)
        // "@name" is a socket in the abstract namespace: a leading NUL byte on the wire.
        if path.first == UInt8(ascii: "@") { path[0] = 0 }
        let capacity = MemoryLayout.size(ofValue: address.sun_path)
        guard path.count < capacity else { return false }
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            for (index, byte) in path.enumerated() { raw[index] = byte }
        }
        let length = socklen_t(MemoryLayout<sa_family_t>.size + path.count)
        let descriptor = socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard descriptor >= 0 else { return false }
        defer { close(descriptor) }
        let message = Array(state.utf8)
        let sent = withUnsafePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { socketAddress in
                sendto(descriptor, message, message.count, Int32(MSG_NOSIGNAL), socketAddress, length)
            }
        }
        return sent == message.count
    }
}
