public import Foundation
public import StewardCore
public import StewardQuarantine
import Yams

/// `steward.yaml`: where the milter listens, where the policy and the store are.
/// Every key has a default, so a minimal file (or none, for `check`) works.
/// Relative paths are relative to the config file's directory.
public struct StewardConfig: Sendable, Equatable {
    /// libmilter connection spec: `unix:/path/to/socket` or `inet:PORT@127.0.0.1`.
    public var milterSocket: String
    /// Permissions for a Unix socket (octal), so Postfix's `postfix` user can connect.
    public var milterSocketMode: UInt16
    /// Group to give a Unix socket; nil leaves it as created.
    public var milterSocketGroup: String?
    /// Seconds libmilter waits on the MTA before giving up on a connection.
    public var milterTimeoutSeconds: Int
    /// Seconds `serve` waits for messages in flight to finish after SIGTERM.
    public var drainSeconds: Int
    /// Seconds a hold may take to commit before it is rolled back and answered 451; well under
    /// the MTA's own wait (Postfix's `milter_content_timeout`), so the MTA is still listening
    /// when told a message is held. Also the longest any store operation waits for a lock.
    public var holdDeadlineSeconds: Double = 10
    /// Hours after a hold during which the MTA's retry of the same message is answered as held
    /// and not stored again (Postfix gives up on a message after 5 days).
    public var holdRetryWindowHours: Double = 120
    public var policyDirectory: URL
    public var sqlitePath: String
    public var spoolDirectory: URL
    /// Messages larger than this are spooled to a file instead of kept in memory.
    public var memoryThresholdBytes: Int
    /// When the spool cannot be written (a full disk), messages up to this size are inspected
    /// in memory instead of being deferred.
    public var memoryFallbackBytes: Int = 16 * 1024 * 1024
    /// Below this many free bytes on the spool's or the store's filesystem, a warning is logged
    /// (each minute, while it lasts); 0 turns the check off.
    public var freeSpaceWarningBytes: Int64 = 200 * 1024 * 1024

    /// Where inspection keeps parts larger than the threshold.
    public var contentSpool: ContentSpool { ContentSpool(directory: spoolDirectory, threshold: memoryThresholdBytes) }
    /// Log level: trace, debug, info, notice, warning, error, critical.
    public var logLevel: String
    /// The MTA's sendmail command, for releases and notices (Postfix's or Sendmail's).
    public var sendmailPath: String
    /// Arguments put before Steward's own (e.g. `-C /etc/postfix-other` for a second instance).
    public var sendmailArguments: [String]
    /// The secret behind release marks (created on first use, mode 0600).
    public var releaseSecretPath: String
    /// Link to the review pages, put in officials' notices.
    public var reviewURL: String?
    /// Sender address of Steward's notices.
    public var notifyFrom: String
    /// Minutes between two notices to the same official: holds in between come as one digest.
    public var digestMinutes: Int
    /// Whether deputies are told as well as senior officials.
    public var notifyDeputies: Bool
    /// Seconds between two looks at the notice queue.
    public var noticeCheckSeconds: Double
    /// When set, the quarantine is in PostgreSQL (several mail hosts sharing it), not SQLite.
    public var postgres: PostgresQuarantineStore.Settings?
    /// The review app officials use in a browser (`review:` section).
    public var review: ReviewSettings = ReviewSettings()
    /// Where `serve` answers `/metrics` (Prometheus) and `/healthz`: `metrics.listen`; nil
    /// (the default) when no such address is given.
    public var metricsListen: MetricsListen?

    public init(
        milterSocket: String = "unix:/var/spool/postfix/steward/steward.sock",
        milterSocketMode: UInt16 = 0o660,
        milterSocketGroup: String? = "postfix",
        milterTimeoutSeconds: Int = 60,
        drainSeconds: Int = 30,
        policyDirectory: URL = URL(fileURLWithPath: "/etc/steward/Policies"),
        sqlitePath: String = "/var/lib/steward/quarantine.sqlite",
        spoolDirectory: URL = URL(fileURLWithPath: "/var/lib/steward/spool"),
        memoryThresholdBytes: Int = 1024 * 1024,
        logLevel: String = "info",
        sendmailPath: String = "/usr/sbin/sendmail",
        sendmailArguments: [String] = [],
        releaseSecretPath: String = "/var/lib/steward/release.key",
        reviewURL: String? = nil,
        notifyFrom: String = "steward@localhost",
        digestMinutes: Int = 15,
        notifyDeputies: Bool = true,
        noticeCheckSeconds: Double = 30
    ) {
        self.milterSocket = milterSocket
        self.milterSocketMode = milterSocketMode
        self.milterSocketGroup = milterSocketGroup
        self.milterTimeoutSeconds = milterTimeoutSeconds
        self.drainSeconds = drainSeconds
        self.policyDirectory = policyDirectory
        self.sqlitePath = sqlitePath
        self.spoolDirectory = spoolDirectory
        self.memoryThresholdBytes = memoryThresholdBytes
        self.logLevel = logLevel
        self.sendmailPath = sendmailPath
        self.sendmailArguments = sendmailArguments
        self.releaseSecretPath = releaseSecretPath
        self.reviewURL = reviewURL
        self.notifyFrom = notifyFrom
        self.digestMinutes = digestMinutes
        self.notifyDeputies = notifyDeputies
        self.noticeCheckSeconds = noticeCheckSeconds
    }

    /// Reads and validates a config file.
    public static func load(from url: URL) throws(ConfigError) -> StewardConfig {
        let text: String
        do {
            text = try String(contentsOf: url, encoding: .utf8)
        } catch {
            throw ConfigError(file: url.path, message: "cannot read the file: \(error.localizedDescription)")
        }
        return try parse(text, file: url.path, base: url.deletingLastPathComponent())
    }

    /// Parses config text; `base` resolves relative paths.
    public static func parse(_ text: String, file: String, base: URL) throws(ConfigError) -> StewardConfig {
        if let problem = ConfigKeys.unknownKey(in: text) { throw ConfigError(file: file, message: problem) }
        let file_: File
        do {
            file_ = try YAMLDecoder().decode(File.self, from: text.isEmpty ? "{}" : text)
        } catch let error as DecodingError {
            throw ConfigError(file: file, message: Self.describe(error))
        } catch {
            throw ConfigError(file: file, message: "\(error)")
        }
        var config = StewardConfig()
        func resolve(_ path: String) -> URL {
            path.hasPrefix("/") ? URL(fileURLWithPath: path) : base.appendingPathComponent(path).standardizedFileURL
        }
        if let milter = file_.milter {
            if let socket = milter.socket {
                guard socket.hasPrefix("unix:") || socket.hasPrefix("inet:") || socket.hasPrefix("inet6:") || socket.hasPrefix("local:") else {
                    throw ConfigError(file: file, message: "milter.socket must start with unix:, local:, inet: or inet6: (got \"\(socket)\")")
                }
                if socket.hasPrefix("unix:") || socket.hasPrefix("local:") {
                    let prefix = socket.hasPrefix("unix:") ? "unix:" : "local:"
                    config.milterSocket = "unix:" + resolve(String(socket.dropFirst(prefix.count))).path
                } else {
                    config.milterSocket = socket
                }
            }
            if let mode = milter.socket_mode {
                guard let value = UInt16(mode, radix: 8), value <= 0o777 else {
                    throw ConfigError(file: file, message: "milter.socket_mode must be octal like \"0660\" (got \"\(mode)\")")
                }
                config.milterSocketMode = value
            }
            if let group = milter.socket_group { config.milterSocketGroup = group.isEmpty ? nil : group }
            if let timeout = milter.timeout_seconds {
                guard timeout > 0 else { throw ConfigError(file: file, message: "milter.timeout_seconds must be positive") }
                config.milterTimeoutSeconds = timeout
            }
            if let drain = milter.drain_seconds {
                guard drain >= 0 else { throw ConfigError(file: file, message: "milter.drain_seconds must not be negative") }
                config.drainSeconds = drain
            }
            if let deadline = milter.hold_deadline_seconds {
                guard deadline > 0 else { throw ConfigError(file: file, message: "milter.hold_deadline_seconds must be positive") }
                config.holdDeadlineSeconds = deadline
            }
            if let window = milter.hold_retry_window_hours {
                guard window >= 0 else { throw ConfigError(file: file, message: "milter.hold_retry_window_hours must not be negative") }
                config.holdRetryWindowHours = window
            }
        }
        if let policy = file_.policy { config.policyDirectory = resolve(policy) }
        if let sqlite = file_.store?.sqlite { config.sqlitePath = resolve(sqlite).path }
        if let postgres = file_.store?.postgresql {
            guard let user = postgres.user, let database = postgres.database else {
                throw ConfigError(file: file, message: "store.postgresql needs a user and a database")
            }
            if file_.store?.sqlite != nil {
                throw ConfigError(file: file, message: "store: give sqlite or postgresql, not both")
            }
            if let size = postgres.pool_size, size < 1 {
                throw ConfigError(file: file, message: "store.postgresql.pool_size must be at least 1")
            }
            config.postgres = PostgresQuarantineStore.Settings(
                socketPath: postgres.socket, host: postgres.host ?? "127.0.0.1", port: postgres.port ?? 5432, user: user,
                password: postgres.password, database: database, poolSize: postgres.pool_size ?? 10)
        }
        if let spool = file_.spool {
            if let directory = spool.directory { config.spoolDirectory = resolve(directory) }
            if let threshold = spool.memory_threshold_bytes {
                guard threshold >= 0 else { throw ConfigError(file: file, message: "spool.memory_threshold_bytes must not be negative") }
                config.memoryThresholdBytes = threshold
            }
            if let fallback = spool.memory_fallback_bytes {
                guard fallback >= 0 else { throw ConfigError(file: file, message: "spool.memory_fallback_bytes must not be negative") }
                config.memoryFallbackBytes = fallback
            }
            if let floor = spool.warn_free_megabytes {
                guard floor >= 0 else { throw ConfigError(file: file, message: "spool.warn_free_megabytes must not be negative") }
                config.freeSpaceWarningBytes = Int64(floor) * 1024 * 1024
            }
        }
        if let level = file_.log?.level {
            let levels = ["trace", "debug", "info", "notice", "warning", "error", "critical"]
            guard levels.contains(level) else {
                throw ConfigError(file: file, message: "log.level must be one of \(levels.joined(separator: ", ")) (got \"\(level)\")")
            }
            config.logLevel = level
        }
        if let mta = file_.mta {
            if let path = mta.sendmail { config.sendmailPath = resolve(path).path }
            if let arguments = mta.arguments { config.sendmailArguments = arguments }
        }
        if let secret = file_.release?.secret_file { config.releaseSecretPath = resolve(secret).path }
        if let review = file_.review {
            if let url = review.url { config.reviewURL = url.isEmpty ? nil : url }
            config.review = try ReviewSettings.parse(review, file: file)
        }
        if let listen = file_.metrics?.listen, !listen.isEmpty {
            guard let (host, port) = ReviewSettings.hostAndPort(listen) else {
                throw ConfigError(file: file, message: "metrics.listen must be host:port, e.g. 127.0.0.1:9470 (got \"\(listen)\")")
            }
            config.metricsListen = MetricsListen(host: host, port: port)
        }
        if let notify = file_.notify {
            if let from = notify.from {
                guard from.contains("@") else { throw ConfigError(file: file, message: "notify.from must be an e-mail address (got \"\(from)\")") }
                config.notifyFrom = from
            }
            if let minutes = notify.digest_minutes {
                guard minutes >= 0 else { throw ConfigError(file: file, message: "notify.digest_minutes must not be negative") }
                config.digestMinutes = minutes
            }
            if let deputies = notify.deputies { config.notifyDeputies = deputies }
            if let seconds = notify.check_seconds {
                guard seconds > 0 else { throw ConfigError(file: file, message: "notify.check_seconds must be positive") }
                config.noticeCheckSeconds = seconds
            }
        }
        return config
    }

    private static func describe(_ error: DecodingError) -> String {
        func path(_ context: DecodingError.Context) -> String {
            context.codingPath.map(\.stringValue).joined(separator: ".")
        }
        switch error {
        case .typeMismatch(_, let context), .valueNotFound(_, let context), .dataCorrupted(let context):
            let at = path(context)
            return (at.isEmpty ? "" : "\(at): ") + context.debugDescription
        case .keyNotFound(let key, let context):
            return "\(path(context)): missing key \(key.stringValue)"
        @unknown default:
            return "\(error)"
        }
    }

    // The file's shape. Unknown keys are refused before decoding (`ConfigKeys`).
    struct File: Decodable {
        var milter: Milter?
        var policy: String?
        var store: Store?
        var spool: Spool?
        var log: Log?
        var mta: MTA?
        var release: Release?
        var review: Review?
        var notify: Notify?
        var metrics: Metrics?

        struct Metrics: Decodable { var listen: String? }
        struct MTA: Decodable {
            var sendmail: String?
            var arguments: [String]?
        }
        struct Release: Decodable { var secret_file: String? }
        struct Review: Decodable {
            var url: String?
            var enabled: Bool?
            var listen: String?
            var session_minutes: Int?
            var secure_cookies: Bool?
            var trusted_proxies: [String]?
            var base_url: String?
            var require_totp: Bool?
            var time_zone: String?
        }
        struct Notify: Decodable {
            var from: String?
            var digest_minutes: Int?
            var deputies: Bool?
            var check_seconds: Double?
        }

        struct Milter: Decodable {
            var socket: String?
            var socket_mode: String?
            var socket_group: String?
            var timeout_seconds: Int?
            var drain_seconds: Int?
            var hold_deadline_seconds: Double?
            var hold_retry_window_hours: Double?
        }
        struct Store: Decodable {
            var sqlite: String?
            var postgresql: Postgres?
        }
        struct Postgres: Decodable {
            var socket: String?
            var host: String?
            var port: Int?
            var user: String?
            var password: String?
            var database: String?
            var pool_size: Int?
        }
        struct Spool: Decodable {
            var directory: String?
            var memory_threshold_bytes: Int?
            var memory_fallback_bytes: Int?
            var warn_free_megabytes: Int?
        }
        struct Log: Decodable { var level: String? }
    }
}

/// A config file problem: which file and what is wrong.
public struct ConfigError: Error, Sendable, CustomStringConvertible {
    public var file: String
    public var message: String

    public init(file: String, message: String) {
        self.file = file
        self.message = message
    }

    public var description: String { "\(file): \(message)" }
}

/// `metrics.listen`: the address of the metrics endpoint.
public struct MetricsListen: Sendable, Equatable {
    public var host: String
    public var port: Int

    /// `host:port`, or `[v6]:port`.
    public var text: String { host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)" }
}
