import Foundation
import StewardCore
import Testing
@testable import StewardPolicy
import StewardEngine

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

@Suite struct ShippedInspectionLimitsTests {
    /// The shipped default.yaml spells out every limit, with the built-in values (so an
    /// official reading the file sees what is in force).
    @Test func everyLimitIsReadFromTheShippedFile() throws {
        let files = try PolicyDirectoryReader.read(Fixtures.shippedPolicies)
        let text = try #require(files.first { $0.path.hasSuffix("default.yaml") }?.text)
        for key in ["max_depth", "max_parts", "max_decoded_bytes", "max_archive_depth", "max_archive_members",
                    "max_expanded_bytes", "max_whole_part_bytes"] {
            #expect(text.contains("\n  \(key):"), "default.yaml names \(key)")
        }
        var changed = text.replacingOccurrences(of: "max_whole_part_bytes: 33554432", with: "max_whole_part_bytes: 1048576")
        #expect(changed != text)
        changed = changed.replacingOccurrences(of: "max_expanded_bytes: 104857600", with: "max_expanded_bytes: 2097152")
        let policy = try Policy.parse(files.map { $0.path.hasSuffix("default.yaml") ? PolicyFile(path: $0.path, text: changed) : $0 })
        #expect(policy.inspectionLimits.maxWholePartBytes == 1_048_576)
        #expect(policy.inspectionLimits.maxExpandedBytes == 2_097_152)
        #expect(try Policy.parse(files).inspectionLimits == InspectionLimits())
    }
}
