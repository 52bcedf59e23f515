import Foundation
import StewardTestSupport
import Testing

extension EndToEndTests {
    /// A policy change has an owner and a record: reloads of a real `steward serve`.
    @Suite("Policy reload record")
    struct PolicyReload {
        @Test("each reload is on the audit trail with who asked, the digest and a diff; a bad policy is refused before any signal")
        func reloadsAreRecorded() throws {
            let policy = try TemporaryDirectory("policy-copy")
            let copy = try Command.run("cp", ["-R", PackagePaths.policies.path + "/.", policy.url.path])
            try #require(copy.succeeded, "\(copy.output)")
            let steward = try StewardServe(policy: policy.url, label: "reload-record")
            defer { steward.stop() }
            let binary = PackagePaths.stewardBinary.path
            let scotland = policy.path("branches/scotland.yaml")

            // An admin changes Scotland's retention and reloads through sudo.
            let text = try String(contentsOfFile: scotland, encoding: .utf8)
            try text.replacingOccurrences(of: "retention_days: 730", with: "retention_days: 1095").write(toFile: scotland, atomically: true, encoding: .utf8)
            let reload = try Command.run("env", ["SUDO_USER=alice", binary, "policy", "reload", "--config", steward.configPath])
            #expect(reload.status == 0, "\(reload.output)\(reload.error)")
            #expect(steward.waitForLog("policy reloaded"), "\(steward.log)")

            // A bare kill -HUP: the record names the sender as the kernel does.
            let before = steward.log.components(separatedBy: "policy reloaded").count
            steward.signal(SIGHUP)
            #expect(TestSupport.waitUntil(timeout: 15) { steward.log.components(separatedBy: "policy reloaded").count > before }, "\(steward.log)")

            // A broken policy: refused by the lint, no signal sent, nothing recorded.
            try (text + "\n  : [broken\n").write(toFile: scotland, atomically: true, encoding: .utf8)
            let refused = try Command.run(binary, ["policy", "reload", "--config", steward.configPath])
            #expect(refused.status == 1, "\(refused.output)\(refused.error)")
            #expect(refused.error.contains("nothing was reloaded"), "\(refused.error)")

            let history = try Command.run(binary, ["policy", "history", "--config", steward.configPath])
            #expect(history.status == 0, "\(history.error)")
            let entries = history.output.components(separatedBy: "\n").filter { !$0.hasPrefix(" ") && !$0.isEmpty }
            #expect(entries.count == 2, "two reloads on the record:\n\(history.output)")
            #expect(entries.first?.hasSuffix(" alice") == true, "who asked: \(history.output)")
            #expect(entries.last?.contains("root (kill -HUP from pid ") == true, "\(history.output)")
            #expect(history.output.contains("changed: branches/scotland.yaml"), "\(history.output)")
            #expect(history.output.contains("    -  retention_days: 730") && history.output.contains("    +  retention_days: 1095"), "\(history.output)")
            #expect(history.output.contains("changed: nothing"), "the second reload changed nothing: \(history.output)")
            #expect(history.output.firstMatch(of: /digest [0-9a-f]{64}/) != nil, "\(history.output)")
            #expect(try Command.run(binary, ["audit", "verify", "--config", steward.configPath]).status == 0)
        }
    }
}
