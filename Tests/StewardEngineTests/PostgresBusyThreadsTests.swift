import Foundation
import StewardCore
import StewardEngine
import StewardQuarantine
import StewardTestSupport
import Synchronization
import Testing

/// Swift's cooperative threads (as many as the cores) all held by blocking code: a busy test
/// run held them for minutes, and in a server any blocking call on them does it for a while.
/// The store must still answer the milter's threads, pool included: with the pool's loop on
/// those threads, a message waited for a connection until its deadline (a CI failure: "no
/// PostgreSQL connection within 10 s" on an idle server).
@Suite struct PostgresBusyThreadsTests {
    @Test func theStoreAnswersTheMilterWhileEveryCooperativeThreadIsBlocked() async throws {
        let lab = try PostgresLab.shared.get()
        // The pool has no connection yet: the count below needs its loop to open one.
        let store = try await PostgresQuarantineStore.start(
            settings: .init(socketPath: lab.socketPath, user: "postgres", database: try lab.createDatabase()))
        let blockers = ProcessInfo.processInfo.activeProcessorCount
        let blocking = Blockers()
        for _ in 0..<blockers {
            Task.detached {
                blocking.started.withLock { $0 += 1 }
                usleep(8_000_000)  // blocking, on purpose
                blocking.finished.withLock { $0 += 1 }
            }
        }
        // This test's own thread waits too (blocking, on purpose): one more that is held.
        _ = TestSupport.waitUntil(timeout: 10, interval: 0.01) { blocking.started.withLock { $0 } >= blockers - 1 }
        // The answer, and how many blocking tasks had ended when it came.
        let outcome = Mutex<(Result<LoginActivity, QuarantineError>, Int)?>(nil)
        Thread {
            let result = ThreadBridge.run { () async -> Result<LoginActivity, QuarantineError> in
                do throws(QuarantineError) {
                    return .success(try await store.countMessage(login: "jbloggs", recipients: 1, at: Date()))
                } catch {
                    return .failure(error)
                }
            }
            outcome.withLock { $0 = (result, blocking.finished.withLock { $0 }) }
        }.start()
        let answered = TestSupport.waitUntil(timeout: 30, interval: 0.05) { outcome.withLock { $0 != nil } }
        #expect(answered)
        let (result, endedBefore) = try #require(outcome.withLock { $0 })
        #expect(try result.get() == LoginActivity(login: "jbloggs", messages: 1, recipients: 1))
        #expect(endedBefore == 0, "the store answered only once Swift's threads were free again")
    }
}

/// How many blocking tasks have begun, and ended.
private final class Blockers: Sendable {
    let started = Mutex(0)
    let finished = Mutex(0)
}
