import Logging
import StewardCore

enum LogSetup {
    /// One line per event on stderr, metadata as key=value: with syslog priorities and no
    /// timestamp when stderr is systemd's journal (JournalLogHandler), else with a timestamp.
    /// Every message and value is escaped (`UntrustedText.escaped`): a sign-in name, an error
    /// about a file name or a header can forge no log line and carry no terminal escape.
    static func bootstrap(level: String, journal: Bool = JournalLogHandler.standardErrorIsJournal) -> Logger {
        let logLevel = Logger.Level(rawValue: level) ?? .info
        LoggingSystem.bootstrap { label in
            if journal {
                var handler = JournalLogHandler()
                handler.logLevel = logLevel
                return EscapingLogHandler(inner: handler)
            }
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = logLevel
            return EscapingLogHandler(inner: handler)
        }
        return Logger(label: "steward")
    }
}

/// Escapes what goes to the log, then hands it to the stream or journal handler.
struct EscapingLogHandler<Inner: LogHandler>: LogHandler {
    var inner: Inner

    var logLevel: Logger.Level {
        get { inner.logLevel }
        set { inner.logLevel = newValue }
    }

    var metadata: Logger.Metadata {
        get { inner.metadata }
        set { inner.metadata = newValue.mapValues(Self.escaped) }
    }

    var metadataProvider: Logger.MetadataProvider? {
        get { inner.metadataProvider }
        set { inner.metadataProvider = newValue }
    }

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { inner[metadataKey: key] }
        set { inner[metadataKey: key] = newValue.map(Self.escaped) }
    }

    func log(event: LogEvent) {
        var event = event
        event.message = Logger.Message(stringLiteral: UntrustedText.escaped(event.message.description))
        event.metadata = event.metadata?.mapValues(Self.escaped)
        inner.log(event: event)
    }

    static func escaped(_ value: Logger.Metadata.Value) -> Logger.Metadata.Value {
        switch value {
        case .string(let text): .string(UntrustedText.escaped(text))
        case .stringConvertible(let item): .string(UntrustedText.escaped(item.description))
        case .array(let items): .array(items.map(escaped))
        case .dictionary(let items): .dictionary(items.mapValues(escaped))
        }
    }
}
