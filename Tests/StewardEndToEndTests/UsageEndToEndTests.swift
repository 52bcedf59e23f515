import Foundation
import StewardTestSupport
import Testing

extension EndToEndTests {
    /// Clause 12: a login over its hourly limit has the rest of its mail held, and the branch's
    /// senior official is told once.
    @Suite("Usage (clause 12)")
    struct Usage {
        typealias Address = EndToEndTests.Address

        @Test("the message after the branch's hourly limit is held, and so is the next; the senior official gets one notice")
        func loginOverItsHourlyLimitIsHeld() throws {
            try EndToEndTests.requireLab()
            // The shipped policy, with London allowing 5 messages an hour per login.
            let policies = try TemporaryDirectory("e2e-usage-policy")
            defer { withExtendedLifetime(policies) {} }
            let policy = policies.url.appendingPathComponent("Policies")
            try FileManager.default.copyItem(at: PackagePaths.endToEndPolicies, to: policy)
            let london = policy.appendingPathComponent("branches/london.yaml")
            let text = try String(contentsOf: london, encoding: .utf8)
            try (text + "\n  login-rate:\n    action: quarantine\n    max_messages: 5\n").write(to: london, atomically: true, encoding: .utf8)

            let lab = try PostfixLab(milter: .labSocket)
            defer { lab.stop() }
            let steward = try StewardServe(lab: lab, policy: policy)
            defer { steward.stop() }

            for index in 1...7 {
                let submission = try lab.submit(
                    Samples.clean(id: "rate-\(index)", from: Address.memberAddress, to: Address.member),
                    from: Address.memberAddress, to: [Address.member], auth: (Address.memberLogin, PostfixLab.saslPassword))
                #expect(submission.accepted, "\(submission)\n\(steward.log)")
            }
            let senior = "sam.okafor@union.example"
            #expect(TestSupport.waitUntil(timeout: 60, interval: 0.5) {
                (try? Notices.delivered(to: senior, in: lab).count) ?? 0 >= 1
            }, "\(lab.diagnostics())\n\(steward.log)")
            #expect(try lab.waitForEmptyQueue(timeout: 60))
            // Give a second notice time to arrive: there must be none.
            Thread.sleep(forTimeInterval: 3)

            // Five delivered, the sixth and seventh held.
            let delivered = try lab.sinkMessages().map { String(decoding: $0.message, as: UTF8.self) }
            #expect(delivered.count == 5, "\(delivered.count) delivered")
            for index in 1...5 { #expect(delivered.contains { $0.contains("(rate-\(index))") }, "rate-\(index) was not delivered") }
            let list = try steward.command(["quarantine", "list", "--kind", "usage", "--format", "json"])
            #expect(list.output.split(separator: "\n").count == 2, "\(list.output)")
            #expect(list.output.contains("6th message from login clee in the last hour; the branch allows 5"), "\(list.output)")
            #expect(list.output.contains("7th message from login clee in the last hour; the branch allows 5"), "\(list.output)")

            let notices = try Notices.delivered(to: senior, in: lab)
            #expect(notices.count == 1, "the senior official must be told once, got \(notices.count)")
            let notice = String(decoding: notices.first?.message ?? Data(), as: UTF8.self)
            #expect(notice.contains("is sending too much mail"), "\(notice)")
            #expect(notice.contains("6th message from login clee in the last hour; the branch allows 5"), "\(notice)")
            #expect(notice.contains("clause 12"), "\(notice)")
        }
    }
}
