public import Foundation

/// A private Sendmail on loopback, for one test: Debian's sendmail .debs unpacked (not
/// installed; Postfix stays), the milter declared by the shipped `deploy/sendmail/steward.m4`,
/// AUTH against a private sasldb, smtp-sink as the smart host. The work is done by
/// `scripts/lib/sendmail-lab.sh`; facts behind it in ../shared/SENDMAIL-LAB.md.
public final class SendmailLab: @unchecked Sendable {
    public static let saslLogin = PostfixLab.saslLogin
    public static let saslPassword = PostfixLab.saslPassword

    public let mtaPort: Int
    public let sinkPort: Int
    private let temporary: TemporaryDirectory
    private var stopped = false
    public var directory: URL { temporary.url }
    public var sinkDirectory: URL { directory.appendingPathComponent("sink") }
    static var script: String { PackagePaths.root.appendingPathComponent("scripts/lib/sendmail-lab.sh").path }

    /// Can this machine run the lab? (root, the unpacked-to-be .debs, m4, smtp-sink, swaks)
    public static var unavailableReason: String? {
        if !TestSupport.isRoot { return "the Sendmail lab needs root (namespaces, bind mounts)" }
        let debs = ProcessInfo.processInfo.environment["STEWARD_SENDMAIL_DEBS"] ?? "/var/cache/steward-tests/sendmail"
        let found = (try? FileManager.default.contentsOfDirectory(atPath: debs)) ?? []
        if !found.contains(where: { $0.hasPrefix("sendmail-bin_") }) { return "no sendmail .debs in \(debs): run scripts/install-deps" }
        for tool in ["m4", "smtp-sink", "swaks", "saslpasswd2", "unshare"] where !Command.exists(tool) {
            return "\(tool) is missing: run scripts/install-deps"
        }
        return nil
    }

    /// Sets up and starts Sendmail with its milter on `milterSocket`.
    public init(milterSocket: String) throws {
        temporary = try TemporaryDirectory("sendmail", mode: 0o755)
        mtaPort = try TestSupport.freeLoopbackPort()
        var sink = try TestSupport.freeLoopbackPort()
        for _ in 0..<10 where sink == mtaPort { sink = try TestSupport.freeLoopbackPort() }
        sinkPort = sink
        try run("setup", [directory.path, String(mtaPort), String(sinkPort), milterSocket])
        try run("add-user", [directory.path, Self.saslLogin, Self.saslPassword])
        do {
            try run("start", [directory.path])
        } catch {
            stop()
            throw error
        }
    }

    deinit { stop() }

    private func run(_ command: String, _ arguments: [String]) throws {
        let result = try Command.run("bash", [Self.script, command] + arguments, timeout: 60, combineOutput: true)
        guard result.succeeded else { throw TestFailure("sendmail-lab \(command) failed (\(result.status)):\n\(result.output)") }
    }

    public func stop() {
        if stopped { return }
        stopped = true
        _ = try? Command.run("bash", [Self.script, "stop", directory.path], timeout: 30)
    }

    /// Submits over SMTP with swaks (AUTH PLAIN when `auth` is given); the server's replies.
    public func submit(
        _ message: Data, from sender: String, to recipients: [String], auth: (login: String, password: String)? = nil
    ) throws -> PostfixLab.Submission {
        try PostfixLab.submit(message, port: mtaPort, directory: directory, from: sender, to: recipients, auth: auth)
    }

    /// Delivered messages (smtp-sink dumps), oldest first, Steward's notices left out.
    public func sinkMessages() throws -> [PostfixLab.SinkMessage] {
        try FileManager.default.contentsOfDirectory(at: sinkDirectory, includingPropertiesForKeys: nil)
            .sorted { $0.lastPathComponent < $1.lastPathComponent }
            .map(PostfixLab.parseSinkDump)
            .filter { !$0.isStewardNotice }
    }

    /// What Sendmail said (its -X transcript and stderr), for failure messages.
    public func diagnostics() -> String {
        let transcript = (try? String(contentsOf: directory.appendingPathComponent("log/transcript"), encoding: .utf8)) ?? ""
        let log = (try? String(contentsOf: directory.appendingPathComponent("log/sendmail.log"), encoding: .utf8)) ?? ""
        return "--- sendmail transcript (end)\n\(transcript.suffix(3000))\n--- sendmail log\n\(log.suffix(2000))"
    }
}
