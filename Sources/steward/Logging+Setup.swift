import Logging

enum LogSetup {
    /// One line per event on stderr, metadata as key=value: with syslog priorities and no
    /// timestamp when stderr is systemd's journal (JournalLogHandler), else with a timestamp.
    static func bootstrap(level: String, journal: Bool = JournalLogHandler.standardErrorIsJournal) -> Logger {
        let logLevel = Logger.Level(rawValue: level) ?? .info
        LoggingSystem.bootstrap { label in
            if journal {
                var handler = JournalLogHandler()
                handler.logLevel = logLevel
                return handler
            }
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = logLevel
            return handler
        }
        return Logger(label: "steward")
    }
}
