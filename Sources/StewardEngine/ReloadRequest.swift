import Foundation

/// Who asked for a policy reload, handed from `steward policy reload` (which knows: `SUDO_USER`,
/// `--actor`, or systemd's `ExecReload`) to `serve` (which only gets a SIGHUP) through a small
/// file in Steward's state directory (beside the release key, `/var/lib/steward`), written just
/// before the signal and taken when it arrives.
/// Without one (a bare `kill -HUP`), `serve` records the signal's sender as the kernel names it.
public enum ReloadRequest {
    /// A note older than this is not about the SIGHUP being handled.
    static let freshness: TimeInterval = 60

    /// The state directory: the release key's (always local, even with a PostgreSQL store).
    static func directory(_ settings: StewardConfig) -> URL { URL(fileURLWithPath: settings.releaseSecretPath).deletingLastPathComponent() }
    static func file(_ settings: StewardConfig) -> URL { directory(settings).appendingPathComponent("reload-request") }
    static func pidFile(_ settings: StewardConfig) -> URL { directory(settings).appendingPathComponent("serve.pid") }

    /// Leaves the note for the running `serve`.
    public static func write(by who: String, settings: StewardConfig) throws {
        try Data((who + "\n").utf8).write(to: file(settings), options: .atomic)
    }

    /// Takes (reads and removes) a fresh note; nil when there is none.
    public static func take(settings: StewardConfig) -> String? {
        let url = file(settings)
        defer { try? FileManager.default.removeItem(at: url) }
        guard let attributes = try? FileManager.default.attributesOfItem(atPath: url.path),
              let written = attributes[.modificationDate] as? Date, Date().timeIntervalSince(written) < freshness,
              let text = try? String(contentsOf: url, encoding: .utf8)
        else { return nil }
        let who = text.trimmingCharacters(in: .whitespacesAndNewlines)
        return who.isEmpty ? nil : who
    }

    /// `serve` notes its process id, so `steward policy reload` finds it without systemd.
    public static func notePID(settings: StewardConfig) {
        try? Data("\(getpid())\n".utf8).write(to: pidFile(settings), options: .atomic)
    }

    /// The running `serve`'s process id, from its note.
    public static func servePID(settings: StewardConfig) -> Int32? {
        (try? String(contentsOf: pidFile(settings), encoding: .utf8)).flatMap { Int32($0.trimmingCharacters(in: .whitespacesAndNewlines)) }
    }
}
