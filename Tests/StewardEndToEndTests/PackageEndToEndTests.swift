import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import StewardTestSupport
import Testing

/// The Debian package as an admin meets it: `dpkg -i` on this machine, the *installed*
/// `steward serve` with the installed config, run as the `steward` user with its groups and
/// NoNewPrivileges (as the unit runs it; this machine has no systemd to start it), the source
/// and build trees hidden (a tmpfs over them in a mount namespace of its own), attached to a
/// private Postfix; then removed and purged.
///
/// Runs only when `STEWARD_DEB` names a built package (`scripts/test-package` builds one and
/// sets it): a release build takes too long for every `scripts/test`.
@Suite(
    "The Debian package, installed", .serialized,
    .enabled(
        if: ProcessInfo.processInfo.environment["STEWARD_DEB"].map { !$0.isEmpty } ?? false,
        "skipped: set STEWARD_DEB to a built package (scripts/test-package does)"))
struct PackageEndToEndTests {
    static let socket = "/var/spool/postfix/steward/steward.sock"
    static let config = "/etc/steward/steward.yaml"

    static func run(_ executable: String, _ arguments: [String], timeout: TimeInterval = 120) throws -> CommandResult {
        try Command.run(executable, arguments, timeout: timeout, combineOutput: true)
    }

    /// dpkg, waiting (bounded) while another apt or dpkg on this machine holds its lock.
    static func dpkg(_ arguments: [String], environment: [String] = []) throws -> CommandResult {
        var result = try run("env", environment + ["dpkg"] + arguments, timeout: 300)
        for _ in 0..<60 where !result.succeeded && result.output.contains("lock") {
            Thread.sleep(forTimeInterval: 5)
            result = try run("env", environment + ["dpkg"] + arguments, timeout: 300)
        }
        return result
    }

    static func mode(_ path: String) throws -> (mode: Int, owner: String, group: String) {
        let result = try run("stat", ["-c", "%a %U %G", path])
        let parts = result.output.split(separator: " ").map { $0.trimmingCharacters(in: .whitespacesAndNewlines) }
        guard result.succeeded, parts.count == 3, let mode = Int(parts[0], radix: 8) else { throw TestFailure("stat \(path): \(result.output)") }
        return (mode, parts[1], parts[2])
    }

    @Test func installServeAMessageHoldAnotherRemoveAndPurge() async throws {
        let deb = try #require(ProcessInfo.processInfo.environment["STEWARD_DEB"])
        try EndToEndTests.requireLab()
        let installed = try Self.run("dpkg-query", ["-W", "-f=${Status}", "steward"])
        try #require(!installed.output.contains("install ok installed"), "steward is already installed here; this test installs and purges its own")

        // Install, timed: from `dpkg -i` to a milter answering is measured below.
        let started = Date()
        let install = try Self.dpkg(["-i", deb])
        let installSeconds = Date().timeIntervalSince(started)
        defer { _ = try? Self.dpkg(["--purge", "steward"], environment: ["STEWARD_PURGE_QUARANTINE=yes"]) }
        try #require(install.succeeded, "\(install.output)")
        #expect(install.output.contains("smtpd_milters = unix:steward/steward.sock"), "postinst prints the lines for main.cf")
        #expect(install.output.contains("milter_default_action = tempfail"))

        // What postinst made, with the modes the issue asks for.
        #expect(try Self.run("id", ["steward"]).output.contains("(postfix)"), "steward is in group postfix")
        #expect(try Self.mode(Self.config) == (0o640, "root", "steward"))
        for key in ["release", "audit"] {
            #expect(try Self.mode("/var/lib/steward/\(key).key") == (0o600, "steward", "steward"), "\(key) key")
            #expect(try Data(contentsOf: URL(fileURLWithPath: "/var/lib/steward/\(key).key")).count == 32)
        }
        #expect(try Self.mode("/var/spool/postfix/steward") == (0o750, "steward", "postfix"))
        let listing = try Self.run("dpkg", ["-L", "steward"]).output
        for path in ["/usr/bin/steward", "/lib/systemd/system/steward.service", "/lib/systemd/system/steward-purge.timer",
                     "/usr/share/man/man1/steward.1.gz", "/usr/share/man/man1/steward.serve.1.gz",
                     "/usr/share/bash-completion/completions/steward", "/usr/share/doc/steward/copyright",
                     "/usr/share/doc/steward/changelog.gz", "/etc/steward/Policies/default.yaml"] {
            #expect(listing.contains(path + "\n"), "\(path) is in the package")
        }
        let conffiles = try String(contentsOfFile: "/var/lib/dpkg/info/steward.conffiles", encoding: .utf8)
        #expect(conffiles.contains("/etc/steward/steward.yaml") && conffiles.contains("/etc/steward/Policies/default.yaml"))
        #expect(try Self.run("/usr/bin/steward", ["--version"]).output.contains("(commit "))
        let man = try Self.run("sh", ["-c", "zcat /usr/share/man/man1/steward.serve.1.gz"])
        // mdoc source, as generate-manual writes it: the option is `.Fl -config Ar config`.
        #expect(man.output.contains("Fl -config"), "the man page comes from the command's own help")

        // The unit as installed: systemd accepts it, and it is far less exposed than before (8.7).
        let verify = try Self.run("systemd-analyze", ["verify", "/lib/systemd/system/steward.service", "/lib/systemd/system/steward-purge.service", "/lib/systemd/system/steward-purge.timer"])
        #expect(verify.succeeded, "\(verify.output)")
        let security = try Self.run("systemd-analyze", ["security", "--offline=true", "--no-pager", "/lib/systemd/system/steward.service"])
        let score = security.output.firstMatch(of: /Overall exposure level for steward\.service: (\d+\.\d)/).flatMap { Double($0.1) }
        let exposure = try #require(score, "\(security.output)")
        #expect(exposure <= 8.7, "exposure \(exposure)")
        print("package: dpkg -i took \(String(format: "%.1f", installSeconds)) s; systemd-analyze security: \(exposure)")

        // The admin's edits to the installed config: a free port for the review app, notices
        // checked every second. Releases and notices go to the installed config's sendmail with
        // no arguments, as on a mail server: below, the lab's configuration is what the installed
        // steward sees at /etc/postfix (Postfix's sendmail ignores `-C` for a user other than
        // root unless the system's own main.cf lists the directory).
        let lab = try PostfixLab(milter: .spec("unix:" + Self.socket))
        defer { lab.stop() }
        let reviewPort = try TestSupport.freeLoopbackPort()
        var text = try String(contentsOfFile: Self.config, encoding: .utf8)
        #expect(text.contains("  arguments: []"), "the installed config calls sendmail with no arguments")
        text = text.replacingOccurrences(of: "  # listen: 127.0.0.1:8470", with: "  listen: 127.0.0.1:\(reviewPort)")
        text = text.replacingOccurrences(of: "  digest_minutes: 15", with: "  digest_minutes: 15\n  check_seconds: 1")
        try text.write(toFile: Self.config, atomically: false, encoding: .utf8)

        // The installed steward, as the unit runs it: user steward with its groups, no new
        // privileges, umask 007; the repository (sources, .build, .build-release) out of reach;
        // in its own mount namespace, the lab's Postfix configuration at /etc/postfix.
        let work = try TemporaryDirectory("package")
        let log = work.path("steward.log")
        let lint = try Self.run("setpriv", ["--reuid=steward", "--regid=steward", "--init-groups", "--no-new-privs",
                                            "/usr/bin/steward", "policy", "lint", "--config", Self.config])
        #expect(lint.succeeded, "ExecStartPre's lint: \(lint.output)")
        let serveStarted = Date()
        let pid = try Command.spawn(
            ["unshare", "--mount", "--propagation", "private", "/bin/sh", "-c",
             "mount -t tmpfs -o size=1m hidden \"$0\" && mount --bind \"$1\" /etc/postfix && umask 007 && exec setpriv --reuid=steward --regid=steward --init-groups --no-new-privs /usr/bin/steward serve --config /etc/steward/steward.yaml",
             PackagePaths.root.path, lab.configDirectory.path],
            output: log)
        defer {
            kill(pid, SIGTERM)
            if !TestSupport.waitUntil(timeout: 20, { Command.reap(pid) != nil }) { kill(pid, SIGKILL); _ = Command.reap(pid) }
        }
        let logText = { (try? String(contentsOfFile: log, encoding: .utf8)) ?? "" }
        let up = TestSupport.waitUntil(timeout: 30) { Command.reap(pid) != nil || TestSupport.isSocket(Self.socket) }
        try #require(up && TestSupport.isSocket(Self.socket), "the installed steward did not listen:\n\(logText())")
        print("package: installed steward listening \(String(format: "%.2f", Date().timeIntervalSince(serveStarted))) s after start")

        // A clean message passes; one with an unsafe attachment is held.
        let clean = SampleMessage.plain(from: EndToEndTests.Address.external, to: EndToEndTests.Address.member, subject: "Meeting", text: "See you at 7.\n")
        let first = try lab.submit(Data(clean.bytes), from: EndToEndTests.Address.external, to: [EndToEndTests.Address.member])
        #expect(first.accepted, "\(first)\n\(logText())")
        #expect(try lab.waitForSink(count: 1), "\(lab.diagnostics())\n\(logText())")
        let unsafe = SampleMessage.eicarAttachment(from: EndToEndTests.Address.external, to: EndToEndTests.Address.member)
        let second = try lab.submit(Data(unsafe.bytes), from: EndToEndTests.Address.external, to: [EndToEndTests.Address.member])
        #expect(second.accepted, "\(second)\n\(logText())")
        #expect(try lab.waitForEmptyQueue(timeout: 60), "\(lab.diagnostics())")
        #expect(try lab.sinkMessages().count == 1, "the unsafe message was not delivered")
        let held = try Self.run("/usr/bin/steward", ["quarantine", "list", "--config", Self.config, "--format", "json"])
        #expect(held.succeeded && held.output.contains("eicar-test-signature"), "one held message: \(held.output)")
        #expect(try Self.mode("/var/lib/steward/quarantine.sqlite").owner == "steward")
        // The senior official's notice goes out through Postfix's sendmail and postdrop with no
        // new privileges: being in group postdrop is what lets it into the maildrop.
        #expect(try lab.waitForSink(count: 2, includingNotices: true, timeout: 60), "the notice:\n\(logText())\n\(lab.diagnostics())")

        // The review app answers (its pages are in the binary; no build tree is reachable).
        var page: (status: Int, text: String)?
        for _ in 0..<100 where page == nil {
            if let (data, response) = try? await URLSession.shared.data(from: URL(string: "http://127.0.0.1:\(reviewPort)/login")!) {
                page = ((response as? HTTPURLResponse)?.statusCode ?? 0, String(decoding: data, as: UTF8.self))
            } else {
                try await Task.sleep(for: .milliseconds(100))
            }
        }
        #expect(page?.status == 200, "the review app answers:\n\(logText())")
        #expect(page?.text.contains("id=\"login-form\"") == true)
        #expect(Command.reap(pid) == nil, "still running:\n\(logText())")
        #expect(!logText().contains("Fatal error"))

        // Remove, then purge: the quarantine stays (evidence) unless asked for.
        kill(pid, SIGTERM)
        _ = TestSupport.waitUntil(timeout: 20) { Command.reap(pid) != nil }
        lab.stop()
        let remove = try Self.dpkg(["--purge", "steward"])
        #expect(remove.succeeded, "\(remove.output)")
        #expect(!FileManager.default.fileExists(atPath: "/usr/bin/steward"))
        #expect(!FileManager.default.fileExists(atPath: Self.config), "purge removes the configuration")
        #expect(FileManager.default.fileExists(atPath: "/var/lib/steward/quarantine.sqlite"), "held mail is kept")
        #expect(remove.output.contains("STEWARD_PURGE_QUARANTINE=yes"), "and the admin is told how to remove it")

        let again = try Self.dpkg(["-i", deb])
        #expect(again.succeeded, "\(again.output)")
        #expect(FileManager.default.fileExists(atPath: "/var/lib/steward/quarantine.sqlite"), "a reinstall finds the kept quarantine")
        let purge = try Self.dpkg(["--purge", "steward"], environment: ["STEWARD_PURGE_QUARANTINE=yes"])
        #expect(purge.succeeded, "\(purge.output)")
        #expect(!FileManager.default.fileExists(atPath: "/var/lib/steward"), "asked: the quarantine goes too")
        #expect(try Self.run("id", ["steward"]).status != 0, "and the steward user")
    }
}
