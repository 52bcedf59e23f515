import Foundation
import StewardCore
import Testing
@testable import StewardPolicy

@Suite struct ShippedPolicyTests {
    @Test func shippedPoliciesReadAndParseWithNoProblems() throws {
        let files = try PolicyDirectoryReader.read(Fixtures.shippedPolicies)
        let names = files.map { $0.path.split(separator: "/").suffix(2).joined(separator: "/") }
        #expect(names.contains("Policies/directory.yaml"))
        #expect(names.contains("Policies/default.yaml"))
        #expect(names.contains("branches/london.yaml"))
        #expect(names.contains("branches/scotland.yaml"))
        #expect(names.contains("Policies/sender_login_maps"))
        #expect(Policy.lint(files) == [])
        let policy = try Policy.parse(files)
        #expect(policy.directory.branches.map(\.id) == ["head-office", "london", "scotland"])
        #expect(policy.directory.defaultBranch == "head-office")
        #expect(policy.settings(for: "scotland").action(for: "eicar-test-signature") == .reject)
        #expect(policy.settings(for: "london").action(for: "eicar-test-signature") == .quarantine)
        #expect(policy.settings(for: "london").action(for: "inspection-limit") == .reject)
        #expect(policy.directory.login("clee", maySendAs: "london.office@london.union.example"))
        #expect(policy.directory.login("mcampbell", maySendAs: "scotland.office@scotland.union.example"))
        #expect(policy.directory.login("amorgan", maySendAs: "office@union.example"))
        #expect(policy.directory.isInsideNetwork("::1"))
        for branch in policy.directory.branches {
            #expect(!policy.directory.seniorOfficials(of: branch.id).isEmpty)
        }
    }

    @Test func everyShippedRuleCitesItsClause() throws {
        let text = try String(contentsOf: Fixtures.shippedPolicies.appendingPathComponent("default.yaml"), encoding: .utf8)
        for family in DetectionFamilies.standard {
            for rule in family.rules {
                #expect(text.contains("\(rule.id):"), "default.yaml should name \(rule.id)")
                #expect(text.contains("Clause \(rule.clause)"), "default.yaml should cite clause \(rule.clause)")
            }
        }
    }

    @Test func shippedScotlandRejectsEICARWithAClearReply() throws {
        let policy = try Policy.parse(try PolicyDirectoryReader.read(Fixtures.shippedPolicies))
        let verdict = Evaluator(policy: policy).evaluate(
            Fixtures.message(attachment: Fixtures.eicar, filename: "eicar.com", markers: [Fixtures.eicarMarker]),
            envelope: Fixtures.incoming(to: ["member@scotland.union.example"])
        )
        #expect(verdict.action == .reject)
        #expect(verdict.branches == ["scotland"])
        #expect(verdict.reply?.code == "550")
        #expect(verdict.reply?.status == "5.7.1")
    }

    @Test func readerReportsAMissingDirectory() {
        #expect(throws: PolicyError.self) {
            try PolicyDirectoryReader.read(URL(fileURLWithPath: "/nonexistent/steward-policies"))
        }
    }
}
