import Foundation
import StewardTestSupport
import Testing

/// `steward quarantine figures BRANCH`: the figures page as text, monitor-mode matches included.
@Suite struct FiguresCommandTests {
    @Test func printsHoldsAndLoggedMatchesPerRuleAndRefusesAnotherBranchsOfficial() throws {
        let directory = try TemporaryDirectory("figures")
        let (config, store) = try QuarantineListTests.config(in: directory)
        let binary = PackagePaths.stewardBinary.path
        _ = try Command.run(binary, ["quarantine", "list", "--config", config])  // creates the store

        // One monitor-mode match, written as the store keeps it (JSON dates count from 2001).
        let now = Date()
        let record = """
            {"at":\(now.timeIntervalSinceReferenceDate),"branch":"london","branches":["london"],"candidateRules":[],"direction":"outgoing",\
            "id":0,"kind":"logged","partNames":["plans.docx"],"recipients":["x@partner.example"],\
            "rules":[{"action":"tag","clause":"10(b)","kind":"confidential","rule":"bulk-personal-data"}],\
            "sender":"chris.lee@london.union.example","subject":"Plans"}
            """
        let insert = try Command.run("sqlite3", [
            store,
            "INSERT INTO policy_observation (at_ms, branch, kind, record) VALUES (\(Int64(now.timeIntervalSince1970 * 1000)), 'london', 'logged', '\(record)')",
        ])
        #expect(insert.succeeded, "\(insert.error)")

        let figures = try Command.run(binary, ["quarantine", "figures", "london", "--config", config, "--weeks", "4"])
        #expect(figures.status == 0, "\(figures.error)")
        let lines = figures.output.split(separator: "\n").map(String.init)
        #expect(lines.first?.hasPrefix("Figures for london (") == true, "\(figures.output)")
        let rule = try #require(lines.first { $0.hasPrefix("confidential/bulk-personal-data (10(b))") }, "\(figures.output)")
        #expect(rule.split(separator: " ").suffix(5) == ["0", "0", "0", "1", "-"], "held, released, refused, logged, share")
        #expect(lines.filter { $0.hasPrefix("20") && $0.contains("W") }.count == 4, "four weeks")

        let other = try Command.run(binary, [
            "quarantine", "figures", "london", "--config", config, "--actor", "secretary@scotland.union.example",
        ])
        #expect(other.status == 1)
        #expect(other.error.contains("does not serve branch london"), "\(other.error)")
    }

    @Test func shadowReportPromoteAndDiscardFromTheCommandLine() throws {
        let directory = try TemporaryDirectory("shadow-cli")
        let policies = directory.url.appendingPathComponent("Policies")
        try FileManager.default.copyItem(at: PackagePaths.policies, to: policies)
        let (config, store) = try QuarantineListTests.config(in: directory, policy: policies.path)
        let candidate = policies.appendingPathComponent("branches/london.candidate.yaml")
        try "branch: london\nrules:\n  mass-mailing:\n    max_recipients: 2\n".write(to: candidate, atomically: true, encoding: .utf8)
        let binary = PackagePaths.stewardBinary.path
        #expect(try Command.run(binary, ["policy", "lint", policies.path]).status == 0, "a candidate lints like a branch file")
        _ = try Command.run(binary, ["quarantine", "list", "--config", config])  // creates the store

        // One disagreement, as the milter records it.
        let now = Date()
        let record = """
            {"at":\(now.timeIntervalSinceReferenceDate),"branch":"london","branches":["london"],"candidateRules":\
            [{"action":"quarantine","clause":"12","kind":"usage","rule":"mass-mailing"}],"direction":"internal","id":0,\
            "kind":"candidate-would-hold","partNames":[],"recipients":["a@london.union.example","b@london.union.example","c@london.union.example"],\
            "rules":[],"sender":"chris.lee@london.union.example","subject":"Meeting \\u001b[31m"}
            """
        let insert = try Command.run("sqlite3", [
            store,
            "INSERT INTO policy_observation (at_ms, branch, kind, record) VALUES (\(Int64(now.timeIntervalSince1970 * 1000)), 'london', 'candidate-would-hold', '\(record)')",
        ])
        #expect(insert.succeeded, "\(insert.error)")
        let report = try Command.run(binary, ["policy", "shadow-report", "london", "--config", config])
        #expect(report.status == 0, "\(report.error)")
        #expect(report.output.contains("usage/mass-mailing"), "\(report.output)")
        #expect(report.output.contains("candidate would hold, live passed"))
        #expect(!report.output.contains("\u{1B}"), "a subject's escape codes never reach the terminal")

        // Another branch's official may not promote London's candidate.
        let misuse = try Command.run(binary, ["policy", "promote", "london", "--config", config, "--actor", "secretary@scotland.union.example"])
        #expect(misuse.status == 1 && misuse.error.contains("does not serve branch london"), "\(misuse.error)")
        #expect(FileManager.default.fileExists(atPath: candidate.path))

        let promote = try Command.run(binary, ["policy", "promote", "london", "--config", config, "--actor", "sam.okafor@union.example", "--reason", "tuning"])
        #expect(promote.status == 0, "\(promote.error)")
        #expect(try String(contentsOf: policies.appendingPathComponent("branches/london.yaml"), encoding: .utf8).contains("max_recipients: 2"))
        let trail = try Command.run(binary, ["audit", "list", "--config", config])
        #expect(trail.output.contains("policy-promote") && trail.output.contains("sam.okafor@union.example"), "\(trail.output)")
        let empty = try Command.run(binary, ["policy", "shadow-report", "london", "--config", config])
        #expect(empty.output.contains("No differences") && empty.output.contains("no candidate policy now"), "\(empty.output)")

        try "branch: london\n".write(to: candidate, atomically: true, encoding: .utf8)
        let discard = try Command.run(binary, ["policy", "discard", "london", "--config", config])
        #expect(discard.status == 0, "\(discard.error)")
        #expect(!FileManager.default.fileExists(atPath: candidate.path))
        #expect(try Command.run(binary, ["audit", "list", "--config", config]).output.contains("policy-discard"))
        #expect(try Command.run(binary, ["policy", "discard", "london", "--config", config]).status == 1, "nothing left to discard")
    }
}
