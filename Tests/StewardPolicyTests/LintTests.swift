import Foundation
import StewardCore
import Testing
@testable import StewardPolicy
import StewardEngine

/// Each kind of mistake is reported with the right file and line.
@Suite struct LintTests {
    /// 1-based line of the first line containing `needle`.
    func line(of needle: String, in text: String) -> Int {
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        return (lines.firstIndex { $0.contains(needle) } ?? -1) + 1
    }

    func expectOne(
        _ problems: [PolicyProblem], file: String, line: Int, saying words: String,
        sourceLocation: SourceLocation = #_sourceLocation
    ) {
        let matching = problems.filter { $0.file == file && $0.line == line && $0.message.contains(words) }
        #expect(matching.count == 1, "expected \(file):\(line) '\(words)' in \(problems)", sourceLocation: sourceLocation)
    }

    func replacing(_ old: String, with new: String, in text: String = Fixtures.directory) -> String {
        precondition(text.contains(old), old)
        return text.replacingOccurrences(of: old, with: new)
    }

    @Test func soundFixturesHaveNoProblems() {
        #expect(Policy.lint(Fixtures.files(branches: ["north": "branch: north\n"])) == [])
    }

    @Test func unknownKeyNamesFileAndLine() {
        let defaults = Fixtures.defaults + "\nrulez:\n  x: 1\n"
        let problems = Policy.lint(Fixtures.files(defaults: defaults))
        expectOne(problems, file: "P/default.yaml", line: line(of: "rulez", in: defaults), saying: "unknown key 'rulez'")
        #expect(problems.count == 1)
        #expect(problems[0].description.hasPrefix("P/default.yaml:\(line(of: "rulez", in: defaults)): unknown key"))
    }

    @Test func unknownRuleUnknownBranchAndBadActionInBranchFiles() {
        let north = "branch: north\nrules:\n  no-such-rule:\n    action: reject\n  eicar-test-signature:\n    action: hold\n"
        let ghost = "# a branch that is not in the directory\nbranch: nowhere\n"
        let problems = Policy.lint(Fixtures.files(branches: ["north": north, "ghost": ghost]))
        expectOne(problems, file: "P/branches/north.yaml", line: 3, saying: "unknown rule 'no-such-rule'")
        expectOne(problems, file: "P/branches/north.yaml", line: 6, saying: "'hold' is not an action")
        expectOne(problems, file: "P/branches/ghost.yaml", line: 2, saying: "branch 'nowhere' is not in directory.yaml")
        #expect(problems.count == 3)
    }

    @Test func branchFilesMayNotSetInspectionLimitsOrOmitTheirBranch() {
        let north = "branch: north\ninspection:\n  max_depth: 3\n"
        let nameless = "rules: {}\n"
        let problems = Policy.lint(Fixtures.files(branches: ["north": north, "nameless": nameless]))
        expectOne(problems, file: "P/branches/north.yaml", line: 2, saying: "set them in default.yaml")
        expectOne(problems, file: "P/branches/nameless.yaml", line: 1, saying: "`branch: <id>`")
        #expect(problems.count == 2)
    }

    @Test func twoFilesForOneBranch() {
        let problems = Policy.lint(Fixtures.files(branches: ["north": "branch: north\n", "north2": "branch: north\n"]))
        expectOne(problems, file: "P/branches/north2.yaml", line: 1, saying: "already has a policy file: P/branches/north.yaml")
    }

    @Test func badNetworks() {
        let text = replacing("  - 2001:db8:10::/48", with: "  - 2001:db8:10::/48\n  - 10.0.0.0/33\n  - 2001:db8::/129\n  - 300.1.1.1\n  - 10.0.0.0/8")
        let problems = Policy.lint(Fixtures.files(directory: text))
        for bad in ["10.0.0.0/33", "2001:db8::/129", "300.1.1.1"] {
            expectOne(problems, file: "P/directory.yaml", line: line(of: bad, in: text), saying: "'\(bad)' is not a network")
        }
        #expect(problems.count == 3)
    }

    @Test func badYAMLNamesTheLine() {
        let defaults = "directions: [incoming]\nrules:\n  eicar-test-signature:\n    action: quarantine\n   broken: [\n"
        let problems = Policy.lint(Fixtures.files(defaults: defaults))
        #expect(problems.count == 1)
        #expect(problems.first?.file == "P/default.yaml")
        #expect((problems.first?.line ?? 0) >= 4)
        #expect(problems.first?.message.contains("not valid YAML") == true)
    }

    @Test func duplicateBranchIds() {
        let text = replacing("  - id: south\n    name: South", with: "  - id: north\n    name: South")
        let problems = Policy.lint(Fixtures.files(directory: text))
        let second = text.split(separator: "\n", omittingEmptySubsequences: false)
            .enumerated().filter { $0.element.contains("- id: north") }.map { $0.offset + 1 }
        #expect(second.count == 2)
        expectOne(problems, file: "P/directory.yaml", line: second[1], saying: "branch id 'north' is used twice (first on line \(second[0]))")
    }

    @Test func officialInUnknownBranchAndBranchWithoutSenior() {
        var text = replacing("role: Branch Secretary, branch: south", with: "role: Branch Secretary, branch: west")
        text += "\n"
        let problems = Policy.lint(Fixtures.files(directory: text))
        expectOne(problems, file: "P/directory.yaml", line: line(of: "branch: west", in: text), saying: "official South Sec is in branch 'west'")
        expectOne(problems, file: "P/directory.yaml", line: line(of: "- id: south", in: text), saying: "branch 'south' has no senior official")
        #expect(problems.count == 2)
    }

    @Test func defaultBranchMustExistAndMembersMustBeUnionAddresses() {
        var text = replacing("default_branch: hq", with: "default_branch: head")
        text = replacing("- pat@union.example", with: "- pat@elsewhere.example", in: text)
        let problems = Policy.lint(Fixtures.files(directory: text))
        expectOne(problems, file: "P/directory.yaml", line: line(of: "default_branch", in: text), saying: "default_branch 'head' is not one of the branches")
        expectOne(problems, file: "P/directory.yaml", line: line(of: "pat@elsewhere", in: text), saying: "is not in a union domain")
        #expect(problems.count == 2)
    }

    @Test func badDirectionAndBadLimit() {
        let defaults = "directions: [incoming, sideways]\ninspection:\n  max_depth: lots\n  max_parts: 0\n"
        let problems = Policy.lint(Fixtures.files(defaults: defaults))
        expectOne(problems, file: "P/default.yaml", line: 1, saying: "'sideways' is not a direction")
        expectOne(problems, file: "P/default.yaml", line: 3, saying: "max_depth should be a whole number")
        expectOne(problems, file: "P/default.yaml", line: 4, saying: "max_parts must be more than 0")
        #expect(problems.count == 3)
    }

    @Test func loginMapProblems() {
        let map = "sec@north.union.example  nsec\nnot-an-address  x\nsec@north.union.example  other\nlonely@union.example\n"
        let problems = Policy.lint(Fixtures.files(loginMap: map))
        expectOne(problems, file: "P/sender_login_maps", line: 2, saying: "'not-an-address' is not a sender address")
        expectOne(problems, file: "P/sender_login_maps", line: 3, saying: "appears twice")
        expectOne(problems, file: "P/sender_login_maps", line: 4, saying: "names no login")
        #expect(problems.count == 3)
    }

    @Test func missingLoginMapIsReportedWhereItIsNamed() {
        let files = Fixtures.files().filter { !$0.path.hasSuffix("sender_login_maps") }
        let problems = Policy.lint(files)
        expectOne(problems, file: "P/directory.yaml", line: line(of: "login_maps", in: Fixtures.directory), saying: "login map file 'sender_login_maps' was not found")
    }

    @Test func missingFilesAndStrayFiles() {
        let problems = Policy.lint([PolicyFile(path: "P/notes.yaml", text: "a: 1")])
        #expect(problems.contains { $0.message.contains("directory.yaml is missing") })
        #expect(problems.contains { $0.message.contains("default.yaml is missing") })
        #expect(problems.contains { $0.file == "P/notes.yaml" && $0.message.contains("does not read this file") })
    }

    @Test func parseThrowsEveryProblem() {
        let north = "branch: north\nrules:\n  eicar-test-signature: {action: hold}\n  nope: {action: off}\n"
        do {
            _ = try Policy.parse(Fixtures.files(branches: ["north": north]))
            Issue.record("parse should have thrown")
        } catch {
            #expect(error.problems.count == 2)
            #expect(error.description.contains("P/branches/north.yaml:3: 'hold' is not an action"))
            #expect(error.description.contains("P/branches/north.yaml:4: unknown rule 'nope'"))
        }
    }
}

@Suite struct ReaderTests {
    @Test func readsADirectoryAndLintNamesItsFiles() throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("steward-policy-\(UInt64.random(in: 0...UInt64.max))")
        defer { try? FileManager.default.removeItem(at: root) }
        try FileManager.default.createDirectory(at: root.appendingPathComponent("branches"), withIntermediateDirectories: true)
        try Fixtures.directory.write(to: root.appendingPathComponent("directory.yaml"), atomically: true, encoding: .utf8)
        try Fixtures.defaults.write(to: root.appendingPathComponent("default.yaml"), atomically: true, encoding: .utf8)
        try Fixtures.loginMap.write(to: root.appendingPathComponent("sender_login_maps"), atomically: true, encoding: .utf8)
        try "branch: north\nrules:\n  eicar-test-signature: {action: hold}\n"
            .write(to: root.appendingPathComponent("branches/north.yaml"), atomically: true, encoding: .utf8)
        try "not policy".write(to: root.appendingPathComponent("branches/README.txt"), atomically: true, encoding: .utf8)

        let files = try PolicyDirectoryReader.read(root)
        #expect(files.map { $0.path.replacingOccurrences(of: root.path, with: "DIR") }
            == ["DIR/directory.yaml", "DIR/default.yaml", "DIR/branches/north.yaml", "DIR/sender_login_maps"])
        let problems = Policy.lint(files)
        #expect(problems.map(\.description) == ["\(root.path)/branches/north.yaml:3: 'hold' is not an action; use quarantine, reject, log or off"])
    }

    @Test func duplicateKeysAreReportedAtTheirLine() {
        let defaults = "directions: [incoming]\nrules:\n  eicar-test-signature: {action: reject}\n  eicar-test-signature: {action: log}\n"
        let problems = Policy.lint(Fixtures.files(defaults: defaults))
        #expect(problems.count == 1)
        #expect(problems.first?.file == "P/default.yaml")
        #expect(problems.first?.line == 3 || problems.first?.line == 4)
        #expect(problems.first?.message.contains("'eicar-test-signature' appears more than once") == true)
    }
}

/// List options are checked entry by entry: a typo that would silently weaken a rule is named
/// with its line, and the policy is refused (a reload keeps the last good one).
@Suite struct OptionEntryLintTests {
    func problems(_ rules: String) -> [PolicyProblem] {
        Policy.lint(Fixtures.files(branches: ["north": "branch: north\nrules:\n" + rules]))
    }

    @Test func badEntriesAreNamedWithTheirLine() {
        let rules = """
              impersonation-unauthenticated-inside:
                trusted_relays:
                  - 192.0.2.0/24
                  - 10.0.0.0/33
              confidential-marker:
                patterns:
                  - "PROJECT-[0-9]+"
                  - "PROJECT-[0-9"
                partner_domains:
                  - solicitor.example
                  - "@auditor.example"
                strictness: mention
              executable-attachment:
                allowed-types:
                  - application/x-msi
                  - msi
              risky-file-name:
                allowed-extensions:
                  - .iso
                  - "*.img"
              impersonation-spoofed-union-domain:
                allowed_senders:
                  - "@union.example 192.0.2.7"
                  - "payroll.example"

            """
        let found = problems(rules)
        let expected: [(Int, String)] = [
            (6, "'10.0.0.0/33' is not a network"),
            (10, "'PROJECT-[0-9' is not a valid pattern"),
            (13, "'@auditor.example' is not a domain"),
            (14, "'mention' is not a strictness"),
            (18, "'msi' is not a file type"),
            (22, "'*.img' is not a file extension"),
            (26, "should be two words"),
        ]
        for (line, words) in expected {
            #expect(found.contains { $0.file == "P/branches/north.yaml" && $0.line == line && $0.message.contains(words) },
                    "expected line \(line): \(words) in \(found)")
        }
        #expect(found.count == expected.count, "\(found)")
        #expect(throws: PolicyError.self) { try Policy.parse(Fixtures.files(branches: ["north": "branch: north\nrules:\n" + rules])) }
    }

    @Test func goodEntriesPass() {
        let rules = """
              impersonation-unauthenticated-inside:
                trusted_relays: ["192.0.2.0/24", "2001:db8::/32", "::1", "127.0.0.1"]
              confidential-marker:
                patterns: ["(?i)project\\\\s+falcon"]
                partner_domains: [solicitor.example]
              risky-file-name:
                allowed-extensions: [.iso, img]
              impersonation-spoofed-union-domain:
                allowed_senders: ["@union.example 192.0.2.0/24", "payroll@union.example mail.payroll.example"]
              impersonation-official-name:
                protected_names: ["Branch Secretary", "Pat Doe <pat.doe@union.example>"]

            """
        #expect(problems(rules) == [])
    }
}
