import Foundation
import NIOConcurrencyHelpers

/// Waits for `operation` at most until `deadline`: its result when it finishes first, else
/// `timedOut`, leaving the operation to end on its own in the background.
///
/// Why not a task group: a group returns only once every child has ended, and a statement sent
/// to a PostgreSQL server that has stopped answering (a hung host, an old primary cut off in a
/// failover) ends only when the server answers again; its `statement_timeout` is the server's
/// own and cannot fire while it is frozen. The milter must answer 451 before Postfix gives up,
/// so the hold's caller stops waiting here. An abandoned hold that commits late after all is
/// harmless: Postfix retries the message, and the retry is recognised as held (`holdOnce`).
func abandoningAtDeadline<T: Sendable>(
    _ deadline: Date, _ operation: @escaping @Sendable () async throws -> T
) async throws -> T {
    let work = Task(executorPreference: StoreExecutor.shared) { try await operation() }
    let answered = NIOLockedValueBox(false)
    let timer = NIOLockedValueBox<Task<Void, Never>?>(nil)
    return try await withTaskCancellationHandler {
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<T, any Error>) in
            @Sendable func answer(_ result: Result<T, any Error>) {
                let first = answered.withLockedValue { done in
                    defer { done = true }
                    return !done
                }
                if first { continuation.resume(with: result) }
            }
            timer.withLockedValue {
                $0 = Task(executorPreference: StoreExecutor.shared) {
                    try? await Task.sleep(for: .milliseconds(Int64(max(0, deadline.timeIntervalSinceNow) * 1000)))
                    guard !Task.isCancelled else { return }
                    answer(.failure(QuarantineError(code: .timedOut, detail: "PostgreSQL did not answer before the deadline")))
                }
            }
            Task(executorPreference: StoreExecutor.shared) {
                let result = await work.result
                timer.withLockedValue { $0?.cancel() }
                answer(result)
            }
        }
    } onCancel: {
        work.cancel()
    }
}
