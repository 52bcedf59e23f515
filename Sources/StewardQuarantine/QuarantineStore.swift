/// Where held messages live. `hold` returns only once the message is durably committed:
/// the milter tells the MTA to discard a message only after that.
public protocol QuarantineStore: Sendable {
    /// Commits a held message and returns its id.
    func hold(_ message: NewHold) throws(QuarantineError) -> Int64
    /// Held messages, newest first.
    func list(limit: Int) throws(QuarantineError) -> [HeldMessage]
    /// One held message's metadata.
    func message(id: Int64) throws(QuarantineError) -> HeldMessage?
    /// One held message's original bytes.
    func raw(id: Int64) throws(QuarantineError) -> [UInt8]?
}

/// A store failure. The milter answers tempfail on any of these, so the MTA keeps the mail.
public struct QuarantineError: Error, Sendable, CustomStringConvertible {
    public enum Code: String, Sendable {
        case cannotOpen, writeFailed, readFailed
    }
    public var code: Code
    public var detail: String

    public init(code: Code, detail: String) {
        self.code = code
        self.detail = detail
    }

    public var description: String {
        switch code {
        case .cannotOpen: "quarantine store cannot be opened: \(detail) (check the store path and its permissions)"
        case .writeFailed: "quarantine store write failed: \(detail)"
        case .readFailed: "quarantine store read failed: \(detail)"
        }
    }
}
