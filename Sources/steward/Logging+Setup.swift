import Logging

enum LogSetup {
    /// One line per event on stderr (systemd's journal picks it up), metadata as key=value.
    static func bootstrap(level: String) -> Logger {
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = Logger.Level(rawValue: level) ?? .info
            return handler
        }
        return Logger(label: "steward")
    }
}
