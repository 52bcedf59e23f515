import Foundation
import StewardCore
import StewardEngine
import StewardPolicy
import StewardQuarantine
import StewardTestSupport
import Testing

/// The quarantine's rules with no database: every command against every state, with and
/// without legal hold (issue 16). The stores only apply what these return.
@Suite struct HoldLifecycleTests {
    static let now = Date(timeIntervalSince1970: 1_800_000_000)

    static func record(_ state: HoldState, legalHold: Bool = false, delivered: Bool = false) -> HoldRecord {
        HoldRecord(id: 7, state: state, legalHold: legalHold, sha256: "ab12", releaseDelivered: delivered)
    }

    static func command(_ action: HoldCommand.Action) -> HoldCommand {
        HoldCommand(action, actor: "sam", reason: "because", detail: action == .export ? "/srv/case" : nil)
    }

    /// What each command may start from; everything else is refused.
    static let allowed: [HoldCommand.Action: Set<HoldState>] = [
        .release: [.held, .refused], .releaseFailed: [.released], .refuse: [.held], .delete: [.held, .refused, .released],
        .legalHold: Set(HoldState.allCases), .liftLegalHold: Set(HoldState.allCases), .purge: Set(HoldState.allCases),
        .recordDelivery: [.released], .view: [.held, .refused, .released], .export: [.held, .refused, .released],
    ]

    @Test(arguments: HoldCommand.Action.allCases, HoldState.allCases)
    func everyCommandInEveryState(action: HoldCommand.Action, state: HoldState) throws {
        let expected = try #require(Self.allowed[action])
        let result = Result { () throws(QuarantineError) in try HoldLifecycle.apply(Self.command(action), to: Self.record(state), at: Self.now) }
        guard expected.contains(state) else {
            guard case .failure(let error) = result else { Issue.record("\(action) from \(state) was allowed"); return }
            // Reading erased content is "not found", as it always was; everything else "not allowed".
            #expect(error.code == ((action == .view || action == .export) ? .notFound : .notAllowed))
            #expect(error.description.contains("#7"))
            return
        }
        let effects = try result.get()
        // Exactly one audit entry, about this message, by this actor, at this moment.
        #expect(effects.audit.messageID == 7)
        #expect(effects.audit.at == Self.now)
        #expect(effects.audit.actor == "sam")
        let states: [HoldCommand.Action: HoldState] = [.release: .released, .releaseFailed: .held, .refuse: .refused, .delete: .deleted]
        #expect(effects.stateChange?.state == states[action])
        if let change = effects.stateChange {
            #expect(change.by == "sam" && change.reason == "because" && change.at == Self.now)
        }
        #expect(effects.content == (action == .delete ? .erased : action == .purge ? .removed : .kept))
        #expect(effects.legalHold == (action == .legalHold ? true : action == .liftLegalHold ? false : nil))
    }

    @Test func auditTextIsTheSameForEveryBackend() throws {
        let actions: [HoldCommand.Action: AuditAction] = [
            .release: .release, .releaseFailed: .releaseFailed, .refuse: .refuse, .delete: .delete, .legalHold: .legalHold,
            .liftLegalHold: .legalHoldLifted, .purge: .purge, .recordDelivery: .releaseDelivered, .view: .view, .export: .export,
        ]
        for (command, action) in actions {
            let state = try #require(Self.allowed[command]?.sorted { $0.rawValue < $1.rawValue }.first)
            let effects = try HoldLifecycle.apply(Self.command(command), to: Self.record(state), at: Self.now)
            #expect(effects.audit.action == action, "\(command)")
            #expect(effects.audit.reason == "because")
        }
        let purge = try HoldLifecycle.apply(.purge(by: "admin", reason: "retention of 0 days"), to: Self.record(.held), at: Self.now)
        #expect(purge.audit.detail == "sha256 ab12", "the trail records what was removed")
        let export = try HoldLifecycle.apply(.export(by: "sam", reason: "tribunal", to: "/srv/case"), to: Self.record(.held), at: Self.now)
        #expect(export.audit.detail == "/srv/case")
        let delivery = try HoldLifecycle.apply(.recordDelivery(queueID: "4XyZ"), to: Self.record(.released), at: Self.now)
        #expect(delivery.audit.actor == "steward" && delivery.audit.detail == "queue id 4XyZ")
    }

    @Test func legalHoldForbidsDeletionAndPurgeOnly() throws {
        for state in HoldState.allCases {
            let held = Self.record(state, legalHold: true)
            #expect(throws: QuarantineError.self) { try HoldLifecycle.apply(.delete(by: "a", reason: "r"), to: held, at: Self.now) }
            #expect(throws: QuarantineError.self) { try HoldLifecycle.apply(.purge(by: "a", reason: "r"), to: held, at: Self.now) }
            // The hold can be lifted (and set again) in any state.
            #expect(try HoldLifecycle.apply(.legalHold(false, by: "a", reason: "r"), to: held, at: Self.now).legalHold == false)
        }
        let error = try #require(throws: QuarantineError.self) {
            try HoldLifecycle.apply(.delete(by: "a", reason: "r"), to: Self.record(.held, legalHold: true), at: Self.now)
        }
        #expect(error.description == "message #7 is under legal hold; lift the hold before deleting it")
        // Release, refusal and reading are not what legal hold is about.
        #expect(try HoldLifecycle.apply(.release(by: "a", reason: "r"), to: Self.record(.held, legalHold: true), at: Self.now)
            .stateChange?.state == .released)
    }

    @Test func aReleaseLetsOneCopyThrough() throws {
        let second = try #require(throws: QuarantineError.self) {
            try HoldLifecycle.apply(.release(by: "a", reason: nil), to: Self.record(.released), at: Self.now)
        }
        #expect(second.description == "message #7 is released; it cannot be released now")
        _ = try HoldLifecycle.apply(.recordDelivery(queueID: nil), to: Self.record(.released), at: Self.now)
        #expect(throws: QuarantineError.self, "a second copy is not let through") {
            try HoldLifecycle.apply(.recordDelivery(queueID: nil), to: Self.record(.released, delivered: true), at: Self.now)
        }
        // A failed release goes back to held and may be released again.
        let failed = try HoldLifecycle.apply(.releaseFailed(by: "a", reason: "MTA said no"), to: Self.record(.released), at: Self.now)
        #expect(failed.stateChange?.state == .held)
    }

    static func message(heldDaysAgo days: Double, branches: [String]) -> HeldMessage {
        HeldMessage(
            id: 1, heldAt: now.addingTimeInterval(-days * 86_400), envelope: Envelope(sender: "a@example.org", recipients: []),
            verdict: Verdict(action: .quarantine, direction: .incoming, branches: branches, findings: []), sha256: "", size: 0, state: .held)
    }

    @Test func retentionIsTheLongestOfTheBranchesOrOneNumber() throws {
        // The shipped policy: 365 days by default, Scotland 730.
        let policy = try Policy.parse(PolicyDirectoryReader.read(PackagePaths.policies))
        let perBranch = RetentionRule(.perBranch(policy))
        #expect(perBranch.isExpired(Self.message(heldDaysAgo: 366, branches: ["london"]), at: Self.now))
        #expect(!perBranch.isExpired(Self.message(heldDaysAgo: 364, branches: ["london"]), at: Self.now))
        #expect(!perBranch.isExpired(Self.message(heldDaysAgo: 366, branches: ["london", "scotland"]), at: Self.now))
        #expect(perBranch.isExpired(Self.message(heldDaysAgo: 731, branches: ["london", "scotland"]), at: Self.now))
        #expect(perBranch.days(for: Self.message(heldDaysAgo: 0, branches: [])) == 365, "no branch: the default branch's")
        let fixed = RetentionRule(.everyBranch(0))
        #expect(fixed.isExpired(Self.message(heldDaysAgo: 0.001, branches: ["scotland"]), at: Self.now))
        #expect(fixed.reason == "retention of 0 days" && perBranch.reason == "retention per branch policy")
    }
}
