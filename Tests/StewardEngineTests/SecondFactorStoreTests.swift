import Foundation
import StewardQuarantine
import Testing

/// The second factor as every store backend keeps it: a code's time step is good once, a
/// recovery code is struck off when used, and setting up or removing is audited.
@Suite struct SecondFactorStoreTests {
    @Test(arguments: StoreBackend.allCases)
    func codesAndRecoveryCodesAreGoodOnce(backend: StoreBackend) async throws {
        let store = try await backend.make()
        let login = "sam.okafor@union.example"
        #expect(try await store.secondFactor(login: login) == nil)
        #expect(try await store.useSecondFactor(login: login, step: 10, recoveryHash: nil) == false, "no factor, nothing accepted")
        try await store.setSecondFactor(
            SecondFactor(secret: "s3cret", recoveryHashes: ["aa", "bb", "cc"]), login: login,
            audit: NewAuditEntry(actor: "root", action: .secondFactorSet, detail: login))
        #expect(try await store.secondFactor(login: login) == SecondFactor(secret: "s3cret", recoveryHashes: ["aa", "bb", "cc"]))
        #expect(try await store.useSecondFactor(login: login, step: 100, recoveryHash: nil))
        #expect(try await store.useSecondFactor(login: login, step: 100, recoveryHash: nil) == false, "the same step again")
        #expect(try await store.useSecondFactor(login: login, step: 99, recoveryHash: nil) == false, "an earlier step")
        #expect(try await store.useSecondFactor(login: login, step: 101, recoveryHash: nil))
        #expect(try await store.useSecondFactor(login: login, step: nil, recoveryHash: "bb"))
        #expect(try await store.useSecondFactor(login: login, step: nil, recoveryHash: "bb") == false, "a recovery code is good once")
        #expect(try await store.useSecondFactor(login: login, step: nil, recoveryHash: "zz") == false)
        #expect(try await store.secondFactor(login: login)?.recoveryHashes == ["aa", "cc"])
        #expect(try await store.secondFactor(login: login)?.lastStep == 101)
        try await store.setSecondFactor(nil, login: login, audit: NewAuditEntry(actor: "root", action: .secondFactorSet, detail: "removed"))
        #expect(try await store.secondFactor(login: login) == nil)
        #expect(try await store.auditTrail(messageID: nil).filter { $0.entry.action == .secondFactorSet }.count == 2)
    }
}
