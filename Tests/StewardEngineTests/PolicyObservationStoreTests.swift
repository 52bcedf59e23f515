import Foundation
import StewardCore
import StewardQuarantine
import Testing

/// Monitor-mode matches and shadow disagreements kept beside the quarantine: both backends.
@Suite struct PolicyObservationStoreTests {
    static func store(_ backend: StoreBackend) async throws -> any PolicyObservationStore {
        try #require(try await backend.make() as? any PolicyObservationStore)
    }

    static func observation(_ kind: PolicyObservation.Kind, branch: String, at: TimeInterval, rule: String = "risky-file-name") -> PolicyObservation {
        PolicyObservation(
            at: Date(timeIntervalSince1970: at), kind: kind, branch: branch, direction: .outgoing, branches: [branch, "scotland"],
            sender: "chris.lee@london.union.example", recipients: ["carol@partner.example"], subject: "Minutes",
            partNames: ["minutes.docx"], rules: [RuleMention(kind: "unsafe-attachment", rule: rule, clause: "10(f)(viii)", action: .tag)],
            candidateRules: kind == .logged ? [] : [RuleMention(kind: "usage", rule: "mass-mailing", clause: "12", action: .quarantine)],
            heldID: kind == .candidateWouldPass ? 7 : nil)
    }

    @Test(arguments: StoreBackend.allCases)
    func recordsListsByBranchKindAndTimeAndForgets(backend: StoreBackend) async throws {
        let store = try await Self.store(backend)
        let early = Self.observation(.logged, branch: "london", at: 1_800_000_000)
        let late = Self.observation(.logged, branch: "london", at: 1_800_000_600, rule: "eicar-test-signature")
        let shadow = Self.observation(.candidateWouldPass, branch: "london", at: 1_800_000_300)
        let other = Self.observation(.logged, branch: "scotland", at: 1_800_000_300)
        try await store.record([late, early, shadow, other])
        try await store.record([])

        let logged = try await store.observations(branch: "london", kinds: [.logged], since: Date(timeIntervalSince1970: 0))
        #expect(logged.map(\.rules) == [early.rules, late.rules], "oldest first, only this branch and kind")
        #expect(logged.allSatisfy { $0.id > 0 })
        var stored = logged[0]
        stored.id = 0
        #expect(stored == early, "every field comes back as recorded")
        #expect(try await store.observations(branch: "london", kinds: [.logged], since: Date(timeIntervalSince1970: 1_800_000_001)).count == 1)
        let both = try await store.observations(branch: "london", kinds: [.logged, .candidateWouldPass, .candidateWouldHold], since: .distantPast)
        #expect(both.map(\.kind) == [.logged, .candidateWouldPass, .logged])
        #expect(both[1].heldID == 7 && both[1].candidateRules.map(\.rule) == ["mass-mailing"])

        // Forgetting a candidate's record leaves the monitor-mode figures and other branches alone.
        #expect(try await store.forgetObservations(branch: "london", kinds: [.candidateWouldPass, .candidateWouldHold]) == 1)
        #expect(try await store.observations(branch: "london", kinds: Set(PolicyObservation.Kind.allCases), since: .distantPast).count == 2)
        #expect(try await store.observations(branch: "scotland", kinds: [.logged], since: .distantPast).count == 1)
    }
}
