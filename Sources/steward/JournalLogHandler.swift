import Foundation
import Logging

/// Log lines for systemd's journal: `<N>` syslog priority first (journald reads it with
/// SyslogLevelPrefix, the default, and rsyslog files it under the unit's SyslogFacility=mail),
/// no timestamp of Steward's own (the journal adds one), and the queue id first on a line about
/// a message, as Postfix writes it: `<6>4F2A1B2C: message message.action=accept …`.
struct JournalLogHandler: LogHandler {
    var logLevel: Logger.Level = .info
    var metadata: Logger.Metadata = [:]
    private let write: @Sendable (String) -> Void

    init(write: @escaping @Sendable (String) -> Void = JournalLogHandler.standardError) {
        self.write = write
    }

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    /// syslog(3) priorities: swift-log's levels map one to one except trace, which is debug.
    static func priority(_ level: Logger.Level) -> Int {
        switch level {
        case .trace, .debug: 7
        case .info: 6
        case .notice: 5
        case .warning: 4
        case .error: 3
        case .critical: 2
        }
    }

    func log(event: LogEvent) {
        var all = metadata
        if let extra = event.metadata { all.merge(extra) { _, new in new } }
        var line = "<\(Self.priority(event.level))>"
        if let queueID = all.removeValue(forKey: "milter.queue_id") { line += "\(queueID): " }
        // One line per event: a newline inside would start a line the journal files apart.
        line += "\(event.message)".replacingOccurrences(of: "\n", with: " ")
        for (key, value) in all.sorted(by: { $0.key < $1.key }) {
            line += " \(key)=\("\(value)".replacingOccurrences(of: "\n", with: " "))"
        }
        write(line + "\n")
    }

    @Sendable static func standardError(_ line: String) {
        FileHandle.standardError.write(Data(line.utf8))
    }

    /// Is standard error systemd's journal? JOURNAL_STREAM names its device and inode
    /// (systemd.exec(5)); comparing them, not just seeing the variable, keeps a child whose
    /// stderr was redirected elsewhere from writing prefixes into a file.
    static var standardErrorIsJournal: Bool {
        guard let stream = ProcessInfo.processInfo.environment["JOURNAL_STREAM"] else { return false }
        let parts = stream.split(separator: ":")
        guard parts.count == 2, let device = UInt64(parts[0]), let inode = UInt64(parts[1]) else { return false }
        var status = stat()
        guard fstat(STDERR_FILENO, &status) == 0 else { return false }
        return UInt64(status.st_dev) == device && UInt64(status.st_ino) == inode
    }
}
