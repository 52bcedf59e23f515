import Foundation
public import StewardQuarantine
import StewardCore

/// Releases a held message: the original bytes to the original envelope recipients, through the
/// MTA, exactly once. The store moves the message to `released` (with the audit entry) before
/// anything is sent, so a second release is refused; if the MTA refuses the message, it goes
/// back to `held` with a `release-failed` entry and nothing is lost. A send cut short (a
/// shutdown past `drain_seconds`) counts as refused: `release-failed`, never a silent `released`.
public struct ReleaseService: Sendable {
    public let store: any QuarantineStore
    public let sendmail: Sendmail
    public let token: ReleaseToken

    public init(store: any QuarantineStore, sendmail: Sendmail, token: ReleaseToken) {
        self.store = store
        self.sendmail = sendmail
        self.token = token
    }

    @discardableResult
    public func release(id: Int64, actor: String, reason: String) async throws(ReleaseError) -> HeldMessage {
        let message: HeldMessage
        do throws(QuarantineError) {
            guard let released = try await store.apply(.release(by: actor, reason: reason), to: id).message else {
                throw QuarantineError(code: .notFound, detail: "#\(id)")
            }
            message = released
        } catch {
            throw ReleaseError(message: error.description)
        }
        do {
            guard let raw = try await store.raw(id: id) else { throw ReleaseError(message: "message #\(id) has no bytes left to release") }
            // The mark goes first, so the original bytes follow unchanged; the milter removes it.
            // It binds these bytes to this sender and these recipients only.
            let mark = token.markLine(id: id, message: raw, sender: message.envelope.sender, recipients: message.envelope.recipients)
            try await sendmail.send(mark + raw, from: message.envelope.sender, to: message.envelope.recipients)
            return message
        } catch {
            let reason = "\(error)"
            _ = try? await store.apply(.releaseFailed(by: actor, reason: reason), to: id)
            throw ReleaseError(message: "message #\(id) could not be released and is held again: \(reason)")
        }
    }
}

public struct ReleaseError: Error, Sendable, CustomStringConvertible {
    public var message: String
    public var description: String { message }
}
