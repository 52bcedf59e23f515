public import Foundation
public import StewardCore

/// Where a held message stands. Release, refusal and deletion come with the review tools.
public enum HoldState: String, Sendable, Hashable, Codable {
    case held, released, refused, deleted
}

/// A message in the quarantine: the evidence (original bytes and their SHA-256), the envelope
/// it came with, and the verdict that held it.
public struct HeldMessage: Sendable, Hashable {
    public var id: Int64
    public var heldAt: Date
    public var envelope: Envelope
    public var verdict: Verdict
    /// Hex SHA-256 of `raw`.
    public var sha256: String
    public var size: Int
    public var state: HoldState

    public init(id: Int64, heldAt: Date, envelope: Envelope, verdict: Verdict, sha256: String, size: Int, state: HoldState) {
        self.id = id
        self.heldAt = heldAt
        self.envelope = envelope
        self.verdict = verdict
        self.sha256 = sha256
        self.size = size
        self.state = state
    }
}

/// A message about to be held: what the milter hands the store at end-of-message.
public struct NewHold: Sendable {
    public var envelope: Envelope
    public var verdict: Verdict
    /// The message exactly as the MTA passed it: headers, blank line, body (CRLF line ends).
    public var raw: [UInt8]
    public var heldAt: Date

    public init(envelope: Envelope, verdict: Verdict, raw: [UInt8], heldAt: Date = Date()) {
        self.envelope = envelope
        self.verdict = verdict
        self.raw = raw
        self.heldAt = heldAt
    }
}
