import CStewardMilter
import Foundation
import Logging
import StewardCore
import StewardEngine

/// One MTA connection's state, kept by libmilter through `smfi_setpriv`. libmilter calls one
/// connection's callbacks one at a time, so its mutable state needs no lock.
final class Connection: @unchecked Sendable {
    let runtime: MilterRuntime
    var negotiation: ProtocolNegotiation?
    var state = SessionState()
    let spool: MessageSpool
    /// A spool write that failed: the message is answered with tempfail at its end.
    var spoolFailure: (any Error)?
    /// The message began after SIGTERM: it is deferred so that stopping is not held up.
    var begunWhileDraining = false

    init(runtime: MilterRuntime) {
        self.runtime = runtime
        spool = MessageSpool(
            directory: runtime.spoolDirectory, threshold: runtime.memoryThreshold, memoryFallback: runtime.memoryFallback)
    }

    /// The reply for a step the MTA may have been told needs none.
    func stepReply(_ noReplyFlag: Int) -> sfsistat {
        (negotiation?.noReply(noReplyFlag) ?? false) ? sfsistat(SMFIS_NOREPLY) : sfsistat(SMFIS_CONTINUE)
    }

    func startMessage(sender: String, authUser: String?, queueID: String?) {
        if state.messageInProgress {
            runtime.messageFinished()
        }
        spool.discard()
        spoolFailure = nil
        begunWhileDraining = runtime.isDraining
        state.mailFrom(sender, authUser: authUser, queueID: queueID)
        runtime.messageStarted()
    }

    func write(_ bytes: [UInt8]) {
        guard spoolFailure == nil else { return }
        do { try spool.append(bytes) } catch { spoolFailure = error }
    }

    func write(_ bytes: UnsafeRawBufferPointer) {
        guard spoolFailure == nil else { return }
        do { try spool.append(bytes) } catch { spoolFailure = error }
    }

    /// Writes the blank line between headers and body, once: at end-of-headers when the MTA
    /// sends it, else before the first body chunk or at the end of a message with no body.
    func startBodyIfNeeded() {
        if state.phase == .headers { write(state.endOfHeaders()) }
    }

    /// Takes the decision for the finished message.
    func finishMessage(queueID: String?) -> Decision {
        startBodyIfNeeded()
        let envelope = state.endOfMessage(queueID: queueID)
        defer {
            spool.discard()
            runtime.messageFinished()
        }
        if begunWhileDraining {
            return runtime.filter.tempfail(envelope, reason: "steward is stopping; the MTA will retry", cause: .stopping)
        }
        if let spoolFailure {
            return runtime.filter.tempfail(envelope, reason: "spool: \(spoolFailure)", cause: .spool)
        }
        if let failure = spool.spillFailure {
            runtime.logger.warning("spool not writable; message inspected in memory", metadata: [
                "milter.queue_id": "\(envelope.queueID ?? "-")", "message.bytes": "\(spool.count)", "error.reason": "\(failure)",
            ])
        }
        do {
            return runtime.filter.decideBlocking(try spool.source(), envelope: envelope)
        } catch {
            return runtime.filter.tempfail(envelope, reason: "spool: \(error)", cause: .spool)
        }
    }

    func abortMessage() {
        if state.messageInProgress { runtime.messageFinished() }
        state.abort()
        spool.discard()
        spoolFailure = nil
    }
}
