import Foundation
import StewardTestSupport
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// `steward serve` as systemd runs it: the notify protocol (READY=1 only once the milter socket
/// listens, WATCHDOG=1 while it serves, RELOADING=1/STOPPING=1), journal lines with syslog
/// priorities and the queue id first, and the lint that ExecStartPre and ExecReload run.
@Suite(.serialized) struct SystemdIntegrationTests {
    /// A datagram socket standing in for systemd's $NOTIFY_SOCKET; collects what arrives.
    final class NotifySocket {
        let path: String
        private let descriptor: Int32
        private(set) var received: [String] = []

        init(in directory: TemporaryDirectory) throws {
            path = directory.path("notify.sock")
            descriptor = socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue), 0)
            guard descriptor >= 0 else { throw TestFailure("socket: \(errno)") }
            var address = sockaddr_un()
            address.sun_family = sa_family_t(AF_UNIX)
            withUnsafeMutableBytes(of: &address.sun_path) { raw in
                for (index, byte) in path.utf8.enumerated() { raw[index] = byte }
            }
            let bound = withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(descriptor, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
            }
            guard bound == 0 else { throw TestFailure("bind \(path): \(errno)") }
            chmod(path, 0o666)
            var timeout = timeval(tv_sec: 0, tv_usec: 100_000)
            setsockopt(descriptor, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        }

        deinit { close(descriptor) }

        /// Receives until a datagram satisfies `condition` (bounded by `timeout`); runs `onEach`
        /// as each one arrives.
        func waitFor(timeout: TimeInterval, onEach: (String) -> Void = { _ in }, _ condition: (String) -> Bool) -> Bool {
            let deadline = Date().addingTimeInterval(timeout)
            var buffer = [UInt8](repeating: 0, count: 4096)
            while Date() < deadline {
                let count = recv(descriptor, &buffer, buffer.count, 0)
                guard count > 0 else { continue }
                let text = String(decoding: buffer[0..<count], as: UTF8.self)
                received.append(text)
                onEach(text)
                if condition(text) { return true }
            }
            return false
        }
    }

    @Test func readyOnlyOnceTheSocketListensThenWatchdogReloadingAndStopping() throws {
        let work = try TemporaryDirectory("notify")
        let notify = try NotifySocket(in: work)
        // WATCHDOG_PID unset: the watchdog is this process's (as systemd sets it for the main PID).
        let serve = try StewardServe(
            label: "notify", environment: ["NOTIFY_SOCKET": notify.path, "WATCHDOG_USEC": "1000000"])
        var socketWhenReady = false
        let ready = notify.waitFor(timeout: 20, onEach: { if $0.contains("READY=1") { socketWhenReady = TestSupport.isSocket(serve.socketPath) } }) {
            $0.contains("READY=1")
        }
        #expect(ready, "READY=1 never came:\n\(serve.log)")
        #expect(socketWhenReady, "READY=1 is sent only once the milter socket listens")

        // At half of WatchdogSec, while libmilter serves: several within a few seconds.
        var watchdogs = 0
        _ = notify.waitFor(timeout: 6) { text in
            if text == "WATCHDOG=1" { watchdogs += 1 }
            return watchdogs >= 3
        }
        #expect(watchdogs >= 3, "\(notify.received)")

        serve.signal(SIGHUP)
        #expect(notify.waitFor(timeout: 15) { $0 == "RELOADING=1" }, "\(notify.received)")
        #expect(notify.waitFor(timeout: 15) { $0 == "READY=1" }, "READY=1 again after the reload: \(notify.received)")

        serve.signal(SIGTERM)
        #expect(notify.waitFor(timeout: 15) { $0 == "STOPPING=1" }, "\(notify.received)")
        #expect(serve.stop() == 0)
    }

    @Test func underTheJournalLinesHavePrioritiesNoTimestampAndTheQueueIdFirst() throws {
        let serve = try StewardServe(label: "journal", logAsJournal: true)
        var script = MiltertestScript(socket: serve.socketPath)
        script.connect(clientName: "mx.example.org", clientAddress: "192.0.2.10")
        let clean = SampleMessage.plain(from: "someone@example.org", to: "member@london.union.example", subject: "Hi", text: "Hello.\n")
        script.message(from: "someone@example.org", to: ["member@london.union.example"], headers: clean.headers, body: clean.body, queueID: "4F2A1B2C3D")
        script.endOfMessage(expect: "SMFIR_CONTINUE")
        let result = try script.run(in: serve.directory)
        #expect(result.status == 0, "\(result.output)\(result.error)\n\(serve.log)")
        #expect(serve.waitForLog("4F2A1B2C3D: message"), "\(serve.log)")
        serve.stop()

        let lines = serve.log.split(separator: "\n").map(String.init)
        #expect(lines.contains { $0.hasPrefix("<5>steward listening") }, "\(lines)")
        #expect(lines.contains { $0.hasPrefix("<6>4F2A1B2C3D: message ") && $0.contains("message.action=accept") }, "\(lines)")
        for line in lines {
            #expect(line.range(of: #"^<[0-7]>"#, options: .regularExpression) != nil, "a priority on every line: \(line)")
            #expect(line.range(of: #"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}"#, options: .regularExpression) == nil, "no timestamp: \(line)")
        }
        #expect(!lines.contains { $0.contains("milter.queue_id=") }, "the queue id is the line's prefix, not repeated")
    }

    @Test func lintThroughTheConfigChecksThePolicyServeWouldLoad() throws {
        let work = try TemporaryDirectory("lint-config")
        let policy = work.url.appendingPathComponent("Policies")
        try FileManager.default.copyItem(at: PackagePaths.policies, to: policy)
        let config = work.path("steward.yaml")
        try "policy: Policies\n".write(toFile: config, atomically: true, encoding: .utf8)
        let binary = PackagePaths.stewardBinary.path

        let good = try Command.run(binary, ["policy", "lint", "--config", config])
        #expect(good.status == 0, "\(good.output)\(good.error)")
        #expect(good.output.contains("\(policy.path): no problems found"), "the config's own directory: \(good.output)")

        let defaultFile = policy.appendingPathComponent("default.yaml")
        let text = try String(contentsOf: defaultFile, encoding: .utf8)
        try (text + "\nrules: [this is: not valid\n").write(to: defaultFile, atomically: true, encoding: .utf8)
        let bad = try Command.run(binary, ["policy", "lint", "--config", config])
        #expect(bad.status == 1, "a bad policy fails ExecStartPre and ExecReload")
        #expect(bad.output.contains("default.yaml:"), "\(bad.output)")

        let neither = try Command.run(binary, ["policy", "lint"])
        #expect(neither.status == 2)
        let missing = try Command.run(binary, ["policy", "lint", "--config", work.path("nowhere.yaml")])
        #expect(missing.status == 1)
        #expect(missing.error.contains("nowhere.yaml"))
    }

    @Test func versionNamesTheReleaseAndTheCommit() throws {
        let result = try Command.run(PackagePaths.stewardBinary.path, ["--version"])
        #expect(result.status == 0)
        let text = result.output.trimmingCharacters(in: .whitespacesAndNewlines)
        let commit = try #require(text.firstMatch(of: /^\d+\.\d+\.\d+ \(commit ([0-9a-f]{12})(-modified)?\)$/), "\(text)").1
        // The binary may be older than HEAD (built before a commit): the commit must exist.
        let known = try Command.run("git", ["-C", PackagePaths.root.path, "cat-file", "-e", "\(commit)^{commit}"])
        #expect(known.status == 0, "\(commit) is a commit of this repository")
    }
}
