import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import StewardTestSupport
import Testing

/// `steward serve` as it runs once installed: a copy of the binary alone, with the source and
/// build trees out of reach (a tmpfs over each, in a mount namespace of the test's own), the
/// policy copied beside the config. Before the review app's files were compiled in, this
/// process logged "listening" and then died with "could not load resource bundle".
@Suite(
    "The binary on its own", .serialized,
    .enabled(
        if: TestSupport.isRoot || ProcessInfo.processInfo.environment["CI"] != nil,
        "skipped: hiding the build tree needs root (a private mount namespace)"))
struct InstalledBinaryTests {
    /// A directory holding a copy of the binary, the policy and a config; `serve` is run in a
    /// mount namespace where the package root and the original binary's directory are empty.
    final class Installed {
        let directory: TemporaryDirectory
        let binary: String
        let config: String
        let socket: String
        let log: String
        private(set) var pid: Int32 = 0

        init(label: String, reviewPort: Int) throws {
            directory = try TemporaryDirectory(label)
            binary = directory.path("steward")
            // With cp, not FileManager: a descriptor open for writing in this process would be
            // inherited by another test's concurrent spawn, and exec then fails "Text file busy".
            let copied = try Command.run("cp", [PackagePaths.stewardBinary.path, binary])
            guard copied.succeeded else { throw TestFailure("cp: \(copied.error)") }
            let policy = directory.path("Policies")
            try FileManager.default.copyItem(atPath: PackagePaths.policies.path, toPath: policy)
            socket = directory.path("milter.sock")
            config = directory.path("steward.yaml")
            log = directory.path("steward.log")
            try """
                milter:
                  socket: unix:\(socket)
                  socket_mode: "0666"
                policy: \(policy)
                store:
                  sqlite: \(directory.path("quarantine.sqlite"))
                spool:
                  directory: \(directory.path("spool"))
                mta:
                  sendmail: /bin/false
                release:
                  secret_file: \(directory.path("release.key"))
                review:
                  listen: 127.0.0.1:\(reviewPort)
                """.write(toFile: config, atomically: true, encoding: .utf8)
        }

        /// Starts `serve` with the trees hidden; returns once the milter socket exists.
        func start() throws {
            // The package root (sources, .build with its resource bundles), and the binary's
            // own directory when STEWARD_BIN is elsewhere (a path inside the root is gone already).
            let root = PackagePaths.root.path
            let binaryDirectory = PackagePaths.stewardBinary.resolvingSymlinksInPath().deletingLastPathComponent().path
            let hidden = [root] + (binaryDirectory.hasPrefix(root + "/") ? [] : [binaryDirectory])
            let mounts = hidden.map { "mount -t tmpfs -o size=1m steward-hidden '\($0)'" }.joined(separator: " && ")
            pid = try Command.spawn(
                ["unshare", "--mount", "--propagation", "private", "/bin/sh", "-c",
                 "\(mounts) && exec \"$0\" serve --config \"$1\"", binary, config],
                output: log)
            let up = TestSupport.waitUntil(timeout: 30) { Command.reap(self.pid) != nil || TestSupport.isSocket(self.socket) }
            guard up, TestSupport.isSocket(socket) else { throw TestFailure("serve did not start:\n\(logText)") }
        }

        /// A clean message passes, one with an unsafe attachment is held (discarded from the
        /// MTA's view once stored).
        func exchange() throws -> CommandResult {
            let (outsider, member) = ("carol@partner.example", "bob@london.union.example")
            var script = MiltertestScript(socket: socket)
            script.connect(clientName: "mx.partner.example", clientAddress: "192.0.2.10")
            let clean = SampleMessage.plain(from: outsider, to: member, subject: "Meeting", text: "See you at 7.\n")
            script.message(from: outsider, to: [member], headers: clean.headers, body: clean.body, queueID: "Q1")
            script.endOfMessage(expect: "SMFIR_CONTINUE")
            let unsafe = SampleMessage.eicarAttachment(from: outsider, to: member)
            script.message(from: outsider, to: [member], headers: unsafe.headers, body: unsafe.body, queueID: "Q2")
            script.endOfMessage(expect: "SMFIR_DISCARD")
            return try script.run(in: directory)
        }

        var logText: String { (try? String(contentsOfFile: log, encoding: .utf8)) ?? "" }
        var isRunning: Bool { Command.reap(pid) == nil }

        deinit {
            guard pid > 0 else { return }
            kill(pid, SIGTERM)
            if !TestSupport.waitUntil(timeout: 15, { Command.reap(self.pid) != nil }) {
                kill(pid, SIGKILL)
                _ = Command.reap(pid)
            }
        }
    }

    @Test func aCopiedBinaryServesMailAndTheReviewAppWithNoBuildTree() async throws {
        let port = try TestSupport.freeLoopbackPort()
        let installed = try Installed(label: "installed", reviewPort: port)
        try installed.start()
        try await ReviewCommandTests.expectSignInPage(port: port, log: installed.log)
        let css = try await URLSession.shared.data(from: URL(string: "http://127.0.0.1:\(port)/assets/steward.css")!)
        #expect((css.1 as? HTTPURLResponse)?.statusCode == 200)
        #expect((css.1 as? HTTPURLResponse)?.value(forHTTPHeaderField: "Content-Type")?.hasPrefix("text/css") == true)
        #expect(String(decoding: css.0, as: UTF8.self).contains("{"), "the stylesheet itself")

        // The milter judges whole messages through its socket (miltertest, a real client).
        let result = try installed.exchange()
        #expect(result.status == 0, "\(result.output)\(result.error)\n\(installed.logText)")
        #expect(installed.isRunning, "serve is still up:\n\(installed.logText)")
        #expect(!installed.logText.contains("Fatal error"))
    }

    @Test func aReviewAppThatCannotStartIsDisabledAndTheMilterKeepsRunning() async throws {
        let port = try TestSupport.freeLoopbackPort()
        // The review port is taken (here by a `steward review` of another config).
        let other = try Installed(label: "port-holder", reviewPort: port)
        let holderLog = other.directory.path("review.log")
        let holder = try Command.spawn([PackagePaths.stewardBinary.path, "review", "--config", other.config], output: holderLog)
        defer {
            kill(holder, SIGTERM)
            _ = TestSupport.waitUntil(timeout: 10) { Command.reap(holder) != nil }
        }
        try await ReviewCommandTests.expectSignInPage(port: port, log: holderLog)

        let installed = try Installed(label: "review-broken", reviewPort: port)
        try installed.start()
        let said = TestSupport.waitUntil(timeout: 15) { installed.logText.contains("review app disabled; the milter keeps running") }
        #expect(said, "one clear line:\n\(installed.logText)")
        let result = try installed.exchange()
        #expect(result.status == 0, "\(result.output)\(result.error)\n\(installed.logText)")
        #expect(installed.isRunning, "serve is still up:\n\(installed.logText)")
    }
}
