import Foundation
import StewardTestSupport
import Testing

/// `steward check` as users and scripts call it: the real binary, real files, the shipped policy.
@Suite struct CheckCommandTests {
    struct Verdict: Decodable {
        struct Finding: Decodable {
            var kind: String
            var rule: String
            var clause: String
            var detail: String
            var branch: String
            var action: String
        }
        var file: String
        var action: String
        var direction: String
        var branches: [String]
        var findings: [Finding]
        var reply: String?
    }

    private func check(_ files: [String], _ options: [String] = []) throws -> (CommandResult, [Verdict]) {
        let result = try Command.run(
            PackagePaths.stewardBinary.path,
            ["check"] + files + ["--policy", PackagePaths.policies.path, "--format", "json"] + options,
            timeout: 60)
        let verdicts = try result.output.split(separator: "\n").map {
            try JSONDecoder().decode(Verdict.self, from: Data($0.utf8))
        }
        return (result, verdicts)
    }

    private func write(_ bytes: [UInt8], _ name: String, in directory: TemporaryDirectory) throws -> String {
        let path = directory.path(name)
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        return path
    }

    @Test func oneVerdictPerMessageWithDirectionBranchesAndFindings() throws {
        let directory = try TemporaryDirectory("check")
        let clean = try write(
            SampleMessage.plain(from: "someone@example.org", to: "member@london.union.example", subject: "Hello", text: "Hi.\n").bytes,
            "clean.eml", in: directory)
        let infected = try write(
            SampleMessage.eicarAttachment(from: "someone@example.org", to: "member@london.union.example").bytes,
            "eicar.eml", in: directory)
        let (result, verdicts) = try check([clean, infected], ["--client-ip", "192.0.2.10"])
        #expect(result.status == 0, "\(result.error)")
        try #require(verdicts.count == 2)
        #expect(verdicts[0].file == clean)
        #expect(verdicts[0].action == "accept")
        #expect(verdicts[0].direction == "incoming")
        #expect(verdicts[0].findings.isEmpty)
        #expect(verdicts[1].action == "quarantine")
        #expect(verdicts[1].branches == ["london"])
        let finding = try #require(verdicts[1].findings.first)
        #expect(finding.kind == "unsafe-attachment")
        #expect(finding.rule == "eicar-test-signature")
        #expect(finding.clause.contains("10(f)"))
        #expect(finding.branch == "london")
        #expect(finding.detail.contains("eicar.com"))
    }

    @Test func theEnvelopeOptionsDecideDirectionAndBranch() throws {
        let directory = try TemporaryDirectory("envelope")
        let message = try write(
            SampleMessage.eicarAttachment(from: "someone@example.org", to: "member@london.union.example").bytes,
            "eicar.eml", in: directory)
        // Same bytes, but the envelope says it goes to Scotland, whose policy rejects.
        let (result, verdicts) = try check([message], ["--client-ip", "192.0.2.10", "--from", "someone@example.org", "--to", "member@scotland.union.example"])
        #expect(result.status == 0)
        #expect(verdicts.first?.action == "reject")
        #expect(verdicts.first?.branches == ["scotland"])
        #expect(verdicts.first?.reply?.hasPrefix("550 5.7.1 ") == true)
    }

    /// Bad input gets a verdict (or a tempfail) quickly, and never a crash.
    @Test func badInputAlwaysGetsAVerdict() throws {
        let directory = try TemporaryDirectory("bad")
        var generator = SystemRandomNumberGenerator()
        var files: [String] = []
        files.append(try write([], "empty.eml", in: directory))
        files.append(try write(Array("Subject: no body\r\nFrom: a@example.org\r\n".utf8), "headers-only.eml", in: directory))
        files.append(try write((0..<65_536).map { _ in UInt8.random(in: 0...255, using: &generator) }, "garbage.eml", in: directory))
        var hugeHeader = ""
        for index in 0..<100_000 { hugeHeader += "X-Line-\(index): value\r\n" }
        files.append(try write(Array((hugeHeader + "\r\nbody\r\n").utf8), "huge-header.eml", in: directory))
        files.append(try write(
            Array("Subject: caf".utf8) + [0xE9] + Array("\r\nFrom: \u{00C9}mile <e@example.org>\r\n\r\nbody\r\n".utf8),
            "8bit-header.eml", in: directory))
        files.append(try write(Array(
            "Content-Type: multipart/mixed; boundary=\"b\"\r\n\r\n--b\r\nContent-Type: text/plain\r\n\r\nno end boundary\r\n".utf8),
            "unterminated.eml", in: directory))
        var nested = ""
        for depth in 0..<200 { nested += "Content-Type: multipart/mixed; boundary=\"b\(depth)\"\r\n\r\n--b\(depth)\r\n" }
        nested += "Content-Type: text/plain\r\n\r\n" + SampleMessage.eicar + "\r\n"
        files.append(try write(Array(nested.utf8), "nested-200.eml", in: directory))

        let started = Date()
        let (result, verdicts) = try check(files, ["--client-ip", "192.0.2.10", "--to", "member@london.union.example"])
        #expect(Date().timeIntervalSince(started) < 60)
        #expect(verdicts.count == files.count, "\(result.output)\(result.error)")
        for verdict in verdicts {
            #expect(["accept", "quarantine", "reject", "tempfail", "tag"].contains(verdict.action))
        }
        // 200 levels deep is past the depth limit: "could not be inspected", never passed. The
        // shipped London policy refuses such mail so the sender can resend it in smaller pieces.
        let deep = try #require(verdicts.first { $0.file.hasSuffix("nested-200.eml") })
        #expect(deep.action == "reject")
        #expect(deep.findings.contains { $0.rule == "inspection-limit" })
    }

    @Test func usageErrorsExitWithTwoAndUnreadableFilesWithOne() throws {
        let usage = try Command.run(PackagePaths.stewardBinary.path, ["check", "--format", "yaml", "x.eml"])
        #expect(usage.status == 2)
        let both = try Command.run(PackagePaths.stewardBinary.path, ["check", "x.eml", "--config", "a", "--policy", "b"])
        #expect(both.status == 2)
        let missing = try Command.run(
            PackagePaths.stewardBinary.path, ["check", "/nonexistent/x.eml", "--policy", PackagePaths.policies.path])
        #expect(missing.status == 1)
        #expect(missing.error.contains("cannot read /nonexistent/x.eml"))
    }

    @Test func impersonationVerdicts() throws {
        let directory = try TemporaryDirectory("impersonation")
        // A member (login clee) sending as the General Secretary: refused at submission.
        let forged = try write(
            SampleMessage.plain(from: "General Secretary <general.secretary@union.example>", to: "carol@partner.example",
                                subject: "Invoice", text: "Please pay.\n").bytes, "forged.eml", in: directory)
        let (_, refused) = try check([forged], ["--auth-user", "clee", "--from", "general.secretary@union.example", "--to", "carol@partner.example"])
        #expect(refused.first?.action == "reject")
        #expect(refused.first?.direction == "outgoing")
        #expect(refused.first?.findings.map(\.rule) == ["impersonation-login-mismatch"])
        #expect(refused.first?.reply?.hasPrefix("550 5.7.1 Your message was not sent because it is sent as an address that your login is not allowed to use; clause 14") == true,
                "\(refused.first?.reply ?? "no reply")")
        // The same login with its own address passes.
        let own = try write(
            SampleMessage.plain(from: "Chris Lee <chris.lee@london.union.example>", to: "carol@partner.example",
                                subject: "Minutes", text: "Attached below.\n").bytes, "own.eml", in: directory)
        let (_, passed) = try check([own], ["--auth-user", "clee", "--to", "carol@partner.example"])
        #expect(passed.first?.action == "accept", "\(passed)")
        // From outside, an RFC 2047-encoded official's name with a Cyrillic А: held.
        let lookalike = try write(
            SampleMessage.plain(from: "=?UTF-8?B?0JBsZXggTW9yZ2Fu?= <alex.morgan@mail.example>", to: "bob@london.union.example",
                                subject: "Urgent", text: "Buy gift cards.\n").bytes, "name.eml", in: directory)
        let (_, held) = try check([lookalike], ["--client-ip", "198.51.100.7"])
        #expect(held.first?.action == "quarantine")
        let finding = try #require(held.first?.findings.first)
        #expect(finding.kind == "impersonation")
        #expect(finding.rule == "impersonation-official-name")
        #expect(finding.clause == "14")
        #expect(finding.detail.contains("Alex Morgan (General Secretary)"))
    }

    @Test func theShippedPolicyLintsClean() throws {
        let lint = try Command.run(PackagePaths.stewardBinary.path, ["policy", "lint", PackagePaths.policies.path])
        #expect(lint.status == 0, "\(lint.output)")
    }
}
