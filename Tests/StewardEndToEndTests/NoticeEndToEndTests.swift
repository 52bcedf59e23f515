import Foundation
import StewardTestSupport
import Testing

extension EndToEndTests {
    /// Clause 15: the senior official is told what was held and why, a flood comes as one
    /// digest, and a member's report reaches the official without going back to its sender.
    @Suite("Notices and reports")
    struct Notices {
        typealias Address = EndToEndTests.Address
        /// From the shipped Policies/directory.yaml: London's senior official and deputy.
        static let londonSenior = "sam.okafor@union.example"
        static let londonDeputy = "chris.lee@london.union.example"

        static func delivered(to recipient: String, in lab: PostfixLab) throws -> [PostfixLab.SinkMessage] {
            try lab.sinkMessages(includingNotices: true).filter { message in
                message.envelope.contains { $0.hasPrefix("X-Rcpt-Args:") && $0.contains(recipient) }
            }
        }

        @Test("the branch's senior official and deputy are told what was held and why, never given the attachment; a flood comes as one mail")
        func officialsAreToldOnceADigest() throws {
            try EndToEndTests.requireLab()
            let lab = try PostfixLab(milter: .labSocket)
            defer { lab.stop() }
            let steward = try StewardServe(
                lab: lab, extraConfig: "review:\n  enabled: false\n  base_url: https://review.union.example/\n")
            defer { steward.stop() }

            for index in 1...4 {
                let submission = try lab.submit(Samples.eicarAttachment(id: "notice-\(index)"), from: Address.external, to: [Address.member])
                #expect(submission.accepted, "\(submission)")
            }
            #expect(TestSupport.waitUntil(timeout: 60, interval: 0.5) {
                (try? Self.delivered(to: Self.londonSenior, in: lab).count) ?? 0 >= 1
                    && (try? Self.delivered(to: Self.londonDeputy, in: lab).count) ?? 0 >= 1
            }, "\(lab.diagnostics())\n\(steward.log)")
            // Give any further notice time to arrive: there must be none within the digest interval.
            Thread.sleep(forTimeInterval: 4)
            #expect(try lab.waitForEmptyQueue(timeout: 60))
            let notices = try Self.delivered(to: Self.londonSenior, in: lab)
            #expect(notices.count == 1, "four holds in a row must come as one mail, got \(notices.count)")
            let text = String(decoding: notices[0].message, as: UTF8.self)
            #expect(text.contains("Subject: [Steward]"), "\(text)")
            #expect(text.contains("Dear Sam Okafor"), "\(text)")
            #expect(text.contains("eicar-test-signature"))
            #expect(text.contains("clause 10(f)(viii)"))
            // Issue 15: officials get the message's page, never a shell command to type.
            #expect(!text.contains("steward quarantine"), "\(text)")
            #expect(text.contains("Open it in the review app: https://review.union.example/messages/"), "each message's page")
            #expect(text.contains(Address.external))
            #expect(!text.contains("WDVPIVAlQEFQ"), "the notice carried the attachment")
            #expect(!text.contains("EICAR-STANDARD"), "the notice carried the attachment")
            // Nothing reached the member it was meant for, and the trail records the notices.
            #expect(try Self.delivered(to: Address.member, in: lab).isEmpty)
            let trail = try steward.command(["audit", "list"])
            #expect(trail.output.contains("notify"), "\(trail.output)")
            #expect(try steward.command(["audit", "verify"]).status == 0)
        }

        @Test("a message forwarded to the report address opens a report case for the senior official; the reporter is thanked; nothing goes back to the sender")
        func reportAddressOpensACase() throws {
            try EndToEndTests.requireLab()
            let lab = try PostfixLab(milter: .labSocket)
            defer { lab.stop() }
            let steward = try StewardServe(lab: lab)
            defer { steward.stop() }

            let offender = "nasty@harasser.example"
            let forwarded = Data("""
                From: Chris Lee <\(Address.memberAddress)>\r
                To: report@london.union.example\r
                Subject: Fwd: you will regret this\r
                Date: Sat, 21 Nov 2026 10:00:00 +0000\r
                Message-ID: <report-1@london.union.example>\r
                MIME-Version: 1.0\r
                Content-Type: text/plain; charset=utf-8\r
                \r
                ---------- Forwarded message ----------\r
                From: <\(offender)>\r
                Subject: you will regret this\r
                \r
                Threatening text.\r

                """.utf8)
            let submission = try lab.submit(
                forwarded, from: Address.memberAddress, to: ["report@london.union.example"],
                auth: (Address.memberLogin, PostfixLab.saslPassword))
            #expect(submission.accepted, "\(submission)\n\(steward.log)")
            // The reporter is also London's deputy. Four eyes: their own report goes to the senior
            // official, not to them; they are only thanked.
            #expect(TestSupport.waitUntil(timeout: 60, interval: 0.5) {
                (try? Self.delivered(to: Self.londonSenior, in: lab).count) ?? 0 >= 1
                    && (try? Self.delivered(to: Address.memberAddress, in: lab).count) ?? 0 >= 1
            }, "\(lab.diagnostics())\n\(steward.log)")
            #expect(try lab.waitForEmptyQueue(timeout: 60))

            let official = try Self.delivered(to: Self.londonSenior, in: lab)
            #expect(official.count == 1)
            let officialText = String(decoding: official.first?.message ?? Data(), as: UTF8.self)
            #expect(officialText.contains("reported"), "\(officialText)")
            #expect(officialText.contains("\(Address.memberAddress) (login \(Address.memberLogin))"), "\(officialText)")
            let toReporter = try Self.delivered(to: Address.memberAddress, in: lab).map { String(decoding: $0.message, as: UTF8.self) }
            #expect(toReporter.contains { $0.contains("Your report was received") }, "\(toReporter)")
            #expect(toReporter.count == 1, "the deputy is not sent the official's notice of their own report: \(toReporter)")
            #expect(try Self.delivered(to: offender, in: lab).isEmpty, "something went back to the original sender")
            #expect(try Self.delivered(to: "report@london.union.example", in: lab).isEmpty, "the report was delivered instead of kept")

            let list = try steward.command(["quarantine", "list", "--reports", "--format", "json"])
            #expect(list.output.contains("\"kind\":\"report\""), "\(list.output)")
            #expect(list.output.contains("\"branches\":[\"london\"]"), "\(list.output)")
        }
    }
}
