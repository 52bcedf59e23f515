import Yams

/// Every key `steward.yaml` knows, by section. The file is checked against it before it is
/// decoded, so a mistyped key anywhere (`notify.digest_minuts`, `review.secure_cookie`) is
/// refused with its name instead of being ignored while the default quietly applies.
enum ConfigKeys {
    static let known: [String: [String]] = [
        "": ["milter", "policy", "store", "spool", "log", "mta", "release", "review", "notify", "metrics"],
        "milter": ["socket", "socket_mode", "socket_group", "timeout_seconds", "drain_seconds", "hold_deadline_seconds",
                   "hold_retry_window_hours"],
        "store": ["sqlite", "postgresql"],
        "store.postgresql": ["socket", "host", "port", "user", "password", "database", "pool_size"],
        "spool": ["directory", "memory_threshold_bytes", "memory_fallback_bytes", "warn_free_megabytes"],
        "log": ["level"],
        "mta": ["sendmail", "arguments"],
        "release": ["secret_file"],
        "review": ["url", "enabled", "listen", "session_minutes", "secure_cookies", "trusted_proxies", "base_url", "require_totp", "time_zone"],
        "notify": ["from", "digest_minutes", "deputies", "check_seconds"],
        "metrics": ["listen"],
    ]

    /// The first unknown key, described for the user; nil when every key is known. Text that
    /// is not YAML is left for the decoder to report.
    static func unknownKey(in text: String) -> String? {
        guard let root = try? Yams.compose(yaml: text) else { return nil }
        return unknownKey(in: root, section: "")
    }

    private static func unknownKey(in node: Node, section: String) -> String? {
        guard let mapping = node.mapping, let keys = known[section] else { return nil }
        for (key, value) in mapping {
            guard let name = key.string else { continue }
            let path = section.isEmpty ? name : "\(section).\(name)"
            guard keys.contains(name) else {
                return "unknown key \"\(path)\" (known: \(keys.sorted().joined(separator: ", ")))"
            }
            if let problem = unknownKey(in: value, section: path) { return problem }
        }
        return nil
    }
}
