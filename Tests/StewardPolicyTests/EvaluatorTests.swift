import StewardCore
import Testing
@testable import StewardPolicy

@Suite struct EvaluatorTests {
    let eicarMessage = Fixtures.message(attachment: Array("junk ".utf8) + Fixtures.eicar + Array(" junk".utf8), filename: "eicar.txt",
                                        markers: [Fixtures.eicarMarker])

    @Test func cleanMessageIsAccepted() throws {
        let verdict = Evaluator(policy: try Fixtures.policy()).evaluate(
            Fixtures.message(), envelope: Fixtures.incoming(to: ["kim@north.union.example"]))
        #expect(verdict == Verdict(action: .accept, direction: .incoming, branches: ["north"], findings: []))
    }

    @Test func eicarIsQuarantinedWithItsBranch() throws {
        let verdict = Evaluator(policy: try Fixtures.policy()).evaluate(
            eicarMessage, envelope: Fixtures.incoming(to: ["kim@south.union.example"]))
        #expect(verdict.action == .quarantine)
        #expect(verdict.reply == nil)
        #expect(verdict.findings == [Finding(
            kind: "unsafe-attachment", rule: "eicar-test-signature", clause: "10(f)(viii)",
            detail: #"part 2 "eicar.txt": the EICAR anti-virus test signature"#, branch: "south", action: .quarantine,
            part: [2]
        )])
    }

    @Test func eicarInTheRootBodyOrTextIsFound() throws {
        let root = MessagePart(path: [], contentType: "text/plain", content: Fixtures.eicar, markers: [Fixtures.eicarMarker])
        let message = InspectedMessage(headers: [], root: root, size: 68)
        let verdict = Evaluator(policy: try Fixtures.policy()).evaluate(message, envelope: Fixtures.incoming(to: ["a@union.example"]))
        #expect(verdict.findings.map(\.detail) == ["message body: the EICAR anti-virus test signature"])
        #expect(verdict.branches == ["hq"])
    }

    @Test func strictestBranchWinsAndEachFindingNamesItsBranch() throws {
        let policy = try Fixtures.policy(branches: ["south": "branch: south\nrules:\n  eicar-test-signature:\n    action: reject\n"])
        let envelope = Envelope(sender: "kim@north.union.example", recipients: ["lee@south.union.example"], authUser: "kim")
        let verdict = Evaluator(policy: policy).evaluate(eicarMessage, envelope: envelope)
        #expect(verdict.direction == .internal)
        #expect(verdict.branches == ["north", "south"])
        #expect(verdict.action == .reject)
        #expect(verdict.findings.map(\.branch) == ["north", "south"])
        #expect(verdict.findings.map(\.action) == [.quarantine, .reject])
        let reply = try #require(verdict.reply)
        #expect(reply.code == "550")
        #expect(reply.status == "5.7.1")
        #expect(reply.text == "Your message was not sent because it carries the EICAR anti-virus test signature; clause 10(f)(viii) of the union's e-mail code of practice does not allow unsafe material. Please ask your branch secretary if you need help.")
        #expect(reply.text.utf8.allSatisfy { $0 >= 0x20 && $0 < 0x7F })
        #expect(reply.text.count < 400)
    }

    @Test func branchInheritsWhatItDoesNotOverride() throws {
        let policy = try Fixtures.policy(
            branches: ["north": "branch: north\nrules:\n  eicar-test-signature: {action: log}\n"],
            defaults: "directions: [incoming]\nrules:\n  inspection-limit: {action: reject}\n"
        )
        let north = policy.settings(for: "north")
        #expect(north.action(for: "eicar-test-signature") == .tag)
        #expect(north.action(for: "inspection-limit") == .reject, "inherited from default.yaml")
        #expect(north.directions == [.incoming], "inherited from default.yaml")
        #expect(policy.settings(for: "south").action(for: "eicar-test-signature") == .quarantine, "descriptor default")
        #expect(policy.inspectionLimits == InspectionLimits(), "no inspection: section, built-in limits")
        #expect(try Fixtures.policy().inspectionLimits == InspectionLimits(maxDepth: 12, maxParts: 300, maxDecodedBytes: 1_000_000, timeoutSeconds: 30))
    }

    @Test func ruleOffInOneBranch() throws {
        let policy = try Fixtures.policy(branches: ["north": "branch: north\nrules:\n  eicar-test-signature:\n    action: off\n"])
        let evaluator = Evaluator(policy: policy)
        let onlyNorth = evaluator.evaluate(eicarMessage, envelope: Fixtures.incoming(to: ["kim@north.union.example"]))
        #expect(onlyNorth.action == .accept)
        #expect(onlyNorth.findings.isEmpty)
        let both = evaluator.evaluate(eicarMessage, envelope: Fixtures.incoming(to: ["kim@north.union.example", "lee@union.example"]))
        #expect(both.action == .quarantine)
        #expect(both.findings.map(\.branch) == ["hq"])
    }

    @Test func logActionTagsTheMessage() throws {
        let policy = try Fixtures.policy(branches: ["north": "branch: north\nrules:\n  eicar-test-signature:\n    action: log\n"])
        let verdict = Evaluator(policy: policy).evaluate(eicarMessage, envelope: Fixtures.incoming(to: ["kim@north.union.example"]))
        #expect(verdict.action == .tag)
        #expect(verdict.findings.first?.action == .tag)
    }

    @Test func directionsScopeExcludesABranch() throws {
        let policy = try Fixtures.policy(branches: ["south": "branch: south\ndirections: [incoming]\n"])
        let evaluator = Evaluator(policy: policy)
        // ssec owns every south address in the fixture's login map (`@south.union.example ssec`).
        let outgoing = Envelope(sender: "lee@south.union.example", recipients: ["x@elsewhere.example"], authUser: "ssec")
        #expect(evaluator.evaluate(eicarMessage, envelope: outgoing).action == .accept)
        let internalMail = Envelope(sender: "lee@south.union.example", recipients: ["kim@north.union.example"], authUser: "ssec")
        let verdict = evaluator.evaluate(eicarMessage, envelope: internalMail)
        #expect(verdict.direction == .internal)
        #expect(verdict.findings.map(\.branch) == ["north"], "south does not filter internal mail; north does")
        #expect(evaluator.evaluate(eicarMessage, envelope: Fixtures.incoming(to: ["lee@south.union.example"])).action == .quarantine)
    }

    @Test func inspectionLimitFindings() throws {
        let message = Fixtures.message(limits: [
            LimitReached(kind: .depth, detail: "attachments nested more than 12 levels deep in part 2"),
            LimitReached(kind: .bytes, detail: "more than 1000000 decoded bytes"),
        ])
        let verdict = Evaluator(policy: try Fixtures.policy()).evaluate(message, envelope: Fixtures.incoming(to: ["a@union.example"]))
        #expect(verdict.action == .quarantine)
        #expect(verdict.findings.map(\.rule) == ["inspection-limit", "inspection-limit"])
        #expect(verdict.findings.map(\.kind) == ["unsafe-attachment", "unsafe-attachment"], "a limit is filed under the unsafe-attachment family")
        #expect(verdict.findings.map(\.detail) == [
            "could not be inspected: attachments nested more than 12 levels deep in part 2",
            "could not be inspected: more than 1000000 decoded bytes",
        ])
    }

    @Test func inspectionLimitRejectReply() throws {
        let policy = try Fixtures.policy(defaults: "rules:\n  inspection-limit: {action: reject}\n")
        let message = Fixtures.message(limits: [LimitReached(kind: .parts, detail: "more than 300 parts")])
        let verdict = Evaluator(policy: policy).evaluate(message, envelope: Fixtures.incoming(to: ["a@union.example"]))
        #expect(verdict.action == .reject)
        #expect(verdict.reply?.text.contains("clause 10(f)(viii)") == true)
        #expect(verdict.reply?.text.contains("could not be fully inspected") == true)
    }

    @Test func replyTextIsMadeSafe() {
        let text = Evaluator.replyText("line one\r\nline two é " + String(repeating: "x", count: 500))
        #expect(!text.contains("\r") && !text.contains("\n"))
        #expect(text.utf8.allSatisfy { $0 >= 0x20 && $0 < 0x7F })
        #expect(text.count == 400)
    }

    /// A family registered next to the standard ones plugs in with its own rule and options.
    struct CountingFamily: DetectionFamily {
        var kind: String { "usage" }
        var rules: [RuleDescriptor] {
            [RuleDescriptor(id: "too-many-recipients", clause: "12", summary: "mass mailing", defaultAction: .log,
                            refusal: "it has too many recipients", clauseRequirement: "says e-mail is for union business",
                            options: ["max_recipients": .integer(2)])]
        }
        func evaluate(_ message: InspectedMessage, context: RuleContext) -> [RuleHit] {
            guard case let .integer(limit) = context.option("max_recipients", of: "too-many-recipients"),
                  context.envelope.recipients.count > limit else { return [] }
            return [RuleHit(rule: "too-many-recipients", detail: "\(context.envelope.recipients.count) recipients")]
        }
    }

    @Test func familiesPlugInWithOptions() throws {
        let families = DetectionFamilies.standard + [CountingFamily()]
        let north = "branch: north\nrules:\n  too-many-recipients:\n    max_recipients: 5\n    action: quarantine\n"
        let policy = try Policy.parse(Fixtures.files(branches: ["north": north]), families: families)
        let recipients = ["a@north.union.example", "b@north.union.example", "c@north.union.example"]
        let north3 = Evaluator(policy: policy).evaluate(Fixtures.message(), envelope: Fixtures.incoming(to: recipients))
        #expect(north3.action == .accept)
        let mixed = Evaluator(policy: policy).evaluate(Fixtures.message(), envelope: Fixtures.incoming(to: recipients + ["d@union.example"]))
        #expect(mixed.action == .tag)
        #expect(mixed.findings.map(\.branch) == ["hq"])
        #expect(mixed.findings.first?.clause == "12")
        let bad = "branch: north\nrules:\n  too-many-recipients:\n    max_recipients: many\n    colour: red\n"
        let problems = Policy.lint(Fixtures.files(branches: ["north": bad]), families: families)
        #expect(problems.map(\.line) == [4, 5])
    }

    @Test func evaluateIsSafeFromManyTasks() async throws {
        let evaluator = Evaluator(policy: try Fixtures.policy())
        let message = eicarMessage
        let actions = await withTaskGroup(of: Action.self) { group in
            for index in 0..<50 {
                group.addTask { evaluator.evaluate(message, envelope: Fixtures.incoming(to: ["m\(index)@union.example"])).action }
            }
            return await group.reduce(into: []) { $0.append($1) }
        }
        #expect(actions.count == 50 && actions.allSatisfy { $0 == .quarantine })
    }
}
