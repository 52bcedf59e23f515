import Foundation
import StewardTestSupport
import Testing

extension EndToEndTests {
    /// Issue 15's tuning loop, as a branch does it: a candidate policy that lowers London's
    /// mass-mailing limit is shadowed while real mail passes through the Postfix lab; a review
    /// admin sees the difference in Chromium and promotes the candidate; the next such message is
    /// judged by it and held.
    @Suite("Review app: shadow a candidate, promote it in Chromium, the next message is judged by it")
    struct ShadowInBrowser {
        typealias Address = EndToEndTests.Address
        static let admin = "postmaster@union.example"
        static let password = "violet tractor ledger 7"
        static let colleagues = ["a@london.union.example", "b@london.union.example", "c@london.union.example"]

        static var browserMissing: String? {
            ["chromium", "chromedriver", "python3"].first { !Command.exists($0) }.map { "\($0) is missing: run scripts/install-deps" }
        }

        static func toThree(_ lab: PostfixLab, id: String) throws -> PostfixLab.Submission {
            try lab.submit(
                Samples.clean(id: id, from: Address.memberAddress, to: colleagues.joined(separator: ", ")),
                from: Address.memberAddress, to: colleagues, auth: (Address.memberLogin, PostfixLab.saslPassword))
        }

        @Test("the candidate's difference is seen and promoted in the browser, and the next message is held by it")
        func shadowPromoteAndJudge() throws {
            try EndToEndTests.requireLab()
            if let missing = Self.browserMissing { throw TestFailure(missing) }
            let policies = try TemporaryDirectory("e2e-shadow-policy")
            defer { withExtendedLifetime(policies) {} }
            let policy = policies.url.appendingPathComponent("Policies")
            try FileManager.default.copyItem(at: PackagePaths.endToEndPolicies, to: policy)
            let directoryFile = policy.appendingPathComponent("directory.yaml")
            try (try String(contentsOf: directoryFile, encoding: .utf8) + "\nreview_admins:\n  - \(Self.admin)\n")
                .write(to: directoryFile, atomically: true, encoding: .utf8)
            // The candidate: London's live rules with mass-mailing lowered to 2 recipients.
            let live = try String(contentsOf: policy.appendingPathComponent("branches/london.yaml"), encoding: .utf8)
            let candidate = live + "\n  mass-mailing:\n    max_recipients: 2\n"
            try candidate.write(to: policy.appendingPathComponent("branches/london.candidate.yaml"), atomically: true, encoding: .utf8)

            let lab = try PostfixLab(milter: .labSocket)
            defer { lab.stop() }
            let port = try TestSupport.freeLoopbackPort()
            let steward = try StewardServe(
                lab: lab, policy: policy, extraConfig: "review:\n  listen: 127.0.0.1:\(port)\n  url: http://127.0.0.1:\(port)/\n")
            defer { steward.stop() }
            let setPassword = try Command.run(
                PackagePaths.stewardBinary.path, ["user", "set-password", Self.admin, "--config", steward.configPath],
                input: Data("\(Self.password)\n".utf8), timeout: 60, combineOutput: true)
            try #require(setPassword.succeeded, "\(setPassword.output)")

            // The live rules let a message to three colleagues through; the candidate would hold it.
            let first = try Self.toThree(lab, id: "shadow-1")
            #expect(first.accepted, "\(first)\n\(steward.log)")
            #expect(try lab.waitForEmptyQueue(timeout: 60))
            #expect(try steward.heldMessages().isEmpty, "the candidate never acts")

            let output = PackagePaths.root.appendingPathComponent(".build/test-output/browser-shadow/\(getpid())-\(Int(Date().timeIntervalSince1970))").path
            try FileManager.default.createDirectory(atPath: output, withIntermediateDirectories: true)
            let script = PackagePaths.root.appendingPathComponent("Tests/Browser/review_shadow.py").path
            let run = try Command.run(
                "/usr/bin/env",
                ["STEWARD_TEST_PASSWORD=\(Self.password)", "python3", script, "--base-url", "http://127.0.0.1:\(port)", "--login", Self.admin,
                 "--branch", "london", "--reason", "three is already a mass mailing here", "--output", output],
                timeout: 240)
            try? run.output.write(toFile: output + "/result.json", atomically: true, encoding: .utf8)
            let result = try JSONSerialization.jsonObject(with: Data(run.output.utf8)) as? [String: Any] ?? [:]
            #expect(run.succeeded, "browser script failed: \(result["error"] ?? run.output)\n\(run.error)\n--- steward log\n\(steward.log)")
            let differences = result["differences"] as? [String] ?? []
            #expect(differences.count == 1 && differences.first?.contains("Candidate would hold, live passed") == true, "\(differences)")
            #expect(differences.first?.contains("mass-mailing") == true)
            #expect((result["flash"] as? String ?? "").contains("now the live policy"), "\(result["flash"] ?? "")")
            #expect(result["no_candidate"] as? Bool == true)
            #expect(try String(contentsOf: policy.appendingPathComponent("branches/london.yaml"), encoding: .utf8) == candidate)

            // The next message to three colleagues is judged by the promoted rules: held.
            let second = try Self.toThree(lab, id: "shadow-2")
            #expect(second.accepted, "\(second)\n\(steward.log)")
            #expect(TestSupport.waitUntil(timeout: 60, interval: 0.5) { ((try? steward.heldMessages()) ?? []).count == 1 }, "\(steward.log)")
            let held = try steward.heldMessages()
            #expect(held.first?.findings?.contains("mass-mailing") == true, "\(held.map { $0.findings ?? "" })")
            let trail = try steward.command(["audit", "list"]).output
            #expect(trail.contains("policy-promote") && trail.contains(Self.admin), "\(trail)")
        }
    }
}
