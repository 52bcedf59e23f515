import Foundation
import StewardEngine
import StewardQuarantine
import StewardTestSupport
import Synchronization
import Testing

/// A PostgreSQL server that stops answering without closing its connections (a hung host, or
/// the old primary cut off in a failover; issue 13). A hold must still give up by its deadline,
/// so the milter answers 451 while Postfix is listening.
@Suite struct PostgresFrozenServerTests {
    @Test func aHoldOnAFrozenServerGivesUpByItsDeadline() async throws {
        let lab = try PostgresLab()  // its own server: this test freezes it
        defer { lab.thaw(); lab.stop() }
        let store = try await PostgresQuarantineStore.start(settings: .init(socketPath: lab.socketPath, user: "postgres", database: try lab.createDatabase()))
        // Only the hold under test has the milter's 5 s deadline. The holds before and after
        // are setup and check: without one, so a loaded test machine (CI's first minute, when
        // every suite starts at once) cannot fail them (the pool opens a connection for each).
        _ = try await store.holdOnce(Self.setupHold("before"), actor: "steward")

        lab.freeze()
        let outcome = Mutex<Result<HoldOutcome, QuarantineError>?>(nil)
        // On a thread of its own, as the milter holds (ThreadBridge).
        Thread {
            let result = ThreadBridge.run { () async -> Result<HoldOutcome, QuarantineError> in
                do throws(QuarantineError) { return .success(try await store.holdOnce(PostgresRestartTests.hold("frozen"), actor: "steward")) } catch {
                    return .failure(error)
                }
            }
            outcome.withLock { $0 = result }
        }.start()
        // The hold's deadline is 5 s; 3 s more for a loaded machine.
        let answered = TestSupport.waitUntil(timeout: 8, interval: 0.1) { outcome.withLock { $0 != nil } }
        #expect(answered, "a hold on a frozen server was still waiting 3 s after its deadline")
        #expect(throws: QuarantineError.self) { try outcome.withLock { $0 }?.get() }
        lab.thaw()
        // Nothing of it was stored, and the same store works again.
        #expect(try await store.list(limit: 10).count == 1)
        let after = try await store.holdOnce(Self.setupHold("after"), actor: "steward")
        #expect(!after.isRetry)
    }

    static func setupHold(_ subject: String) -> NewHold {
        var hold = PostgresRestartTests.hold(subject)
        hold.deadline = nil
        return hold
    }
}
