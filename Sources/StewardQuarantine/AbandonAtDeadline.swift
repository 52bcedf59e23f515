import Foundation
import Logging
import NIOConcurrencyHelpers

/// Waits for `operation` at most until `deadline` (plus `commitGrace` when `isCommitting` says
/// its COMMIT is already on its way): its result when it finishes first, else `timedOut`,
/// leaving the operation to end on its own in the background.
///
/// Why not a task group: a group returns only once every child has ended, and a statement sent
/// to a PostgreSQL server that has stopped answering (a hung host, an old primary cut off in a
/// failover) ends only when the server answers again; its `statement_timeout` is the server's
/// own and cannot fire while it is frozen. The milter must answer 451 before Postfix gives up,
/// so the hold's caller stops waiting here. The grace keeps that rare: a transaction that got
/// as far as COMMIT is given a few seconds more (the hold deadline is 10 s by default, Postfix
/// waits 300). Should a hold answered 451 commit later all the same, `late` is called (the
/// store logs it): Postfix retries the message, and the retry is recognised as already held
/// when it has a Message-ID (`holdOnce`); one without could be held twice, never lost.
func abandoningAtDeadline<T: Sendable>(
    _ deadline: Date, commitGrace: TimeInterval = 5, isCommitting: @escaping @Sendable () -> Bool,
    late: @escaping @Sendable (T) -> Void, _ operation: @escaping @Sendable () async throws -> T
) async throws -> T {
    let work = Task(executorPreference: StoreExecutor.shared) { try await operation() }
    let answered = NIOLockedValueBox(false)
    let timer = NIOLockedValueBox<Task<Void, Never>?>(nil)
    return try await withTaskCancellationHandler {
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<T, any Error>) in
            /// Whether this answer was the first (the caller is answered once).
            @Sendable func answer(_ result: Result<T, any Error>) -> Bool {
                let first = answered.withLockedValue { done in
                    defer { done = true }
                    return !done
                }
                if first { continuation.resume(with: result) }
                return first
            }
            timer.withLockedValue {
                $0 = Task(executorPreference: StoreExecutor.shared) {
                    // Rounded up, so the answer never comes before the deadline.
                    try? await Task.sleep(for: .milliseconds(Int64((max(0, deadline.timeIntervalSinceNow) * 1000).rounded(.up))))
                    if !Task.isCancelled, isCommitting() { try? await Task.sleep(for: .milliseconds(Int64(commitGrace * 1000))) }
                    guard !Task.isCancelled else { return }
                    _ = answer(.failure(QuarantineError(code: .timedOut, detail: "PostgreSQL did not answer before the deadline")))
                }
            }
            Task(executorPreference: StoreExecutor.shared) {
                let result = await work.result
                timer.withLockedValue { $0?.cancel() }
                if !answer(result), case .success(let value) = result { late(value) }
            }
        }
    } onCancel: {
        work.cancel()
    }
}
