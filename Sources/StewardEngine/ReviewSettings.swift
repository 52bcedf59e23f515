public import Foundation
public import StewardPolicy

/// The `review:` section of `steward.yaml`: where the review app listens and how it treats
/// sessions and the reverse proxy in front of it.
public struct ReviewSettings: Sendable, Equatable {
    /// Whether `steward serve` runs the review app beside the milter.
    public var enabled: Bool
    /// Address to bind; loopback by default, so only a local reverse proxy reaches it.
    public var host: String
    public var port: Int
    /// Minutes without a request after which a session ends (idle expiry).
    public var sessionMinutes: Int
    /// Cookies marked `Secure` (and named `__Host-…`): set when a TLS proxy is in front.
    public var secureCookies: Bool
    /// Peers whose `X-Forwarded-For` and `X-Forwarded-Proto` are believed (the reverse proxy).
    public var trustedProxies: [NetworkRange]
    /// Base of links in officials' notices; nil falls back to `review.url`.
    public var baseURL: String?
    /// Whether every account must give a TOTP code after the password (`review.require_totp`);
    /// an account without one set up cannot sign in. When false, only accounts that have one
    /// set up (`steward user totp`) are asked.
    public var requireTOTP: Bool
    /// The time zone pages show times in (`review.time_zone`), unless an official's entry in
    /// the directory names their own; the server's zone by default. UTC is always on hover.
    public var timeZone: TimeZone

    public init(
        enabled: Bool = true, host: String = "127.0.0.1", port: Int = 8470, sessionMinutes: Int = 30,
        secureCookies: Bool = false, trustedProxies: [NetworkRange] = [], baseURL: String? = nil, requireTOTP: Bool = false,
        timeZone: TimeZone = .current
    ) {
        self.timeZone = timeZone
        self.enabled = enabled
        self.host = host
        self.port = port
        self.sessionMinutes = sessionMinutes
        self.secureCookies = secureCookies
        self.trustedProxies = trustedProxies
        self.baseURL = baseURL
        self.requireTOTP = requireTOTP
    }

    /// `host:port`, or `[v6]:port`.
    public var listen: String { host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)" }

    static func parse(_ section: StewardConfig.File.Review, file: String) throws(ConfigError) -> ReviewSettings {
        var settings = ReviewSettings()
        if let enabled = section.enabled { settings.enabled = enabled }
        if let listen = section.listen {
            guard let (host, port) = Self.hostAndPort(listen) else {
                throw ConfigError(file: file, message: "review.listen must be host:port, e.g. 127.0.0.1:8470 or [::1]:8470 (got \"\(listen)\")")
            }
            settings.host = host
            settings.port = port
        }
        if let minutes = section.session_minutes {
            guard minutes > 0 else { throw ConfigError(file: file, message: "review.session_minutes must be positive") }
            settings.sessionMinutes = minutes
        }
        if let secure = section.secure_cookies { settings.secureCookies = secure }
        for text in section.trusted_proxies ?? [] {
            guard let range = NetworkRange(text) else {
                throw ConfigError(file: file, message: "review.trusted_proxies: '\(text)' is not a network in CIDR form (e.g. 127.0.0.1/32)")
            }
            settings.trustedProxies.append(range)
        }
        if let require = section.require_totp { settings.requireTOTP = require }
        if let name = section.time_zone, !name.isEmpty {
            guard let zone = TimeZone(identifier: name) else {
                throw ConfigError(file: file, message: "review.time_zone must be a time zone name such as Europe/London or UTC (got \"\(name)\")")
            }
            settings.timeZone = zone
        }
        if let base = section.base_url, !base.isEmpty {
            guard base.hasPrefix("https://") || base.hasPrefix("http://") else {
                throw ConfigError(file: file, message: "review.base_url must start with https:// or http:// (got \"\(base)\")")
            }
            settings.baseURL = base
        }
        return settings
    }

    static func hostAndPort(_ text: String) -> (String, Int)? {
        guard let colon = text.lastIndex(of: ":"), let port = Int(text[text.index(after: colon)...]), (1...65535).contains(port) else {
            return nil
        }
        var host = String(text[..<colon])
        if host.hasPrefix("[") && host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
        guard !host.isEmpty, IPAddress(host) != nil || host == "localhost" else { return nil }
        return (host, port)
    }
}
