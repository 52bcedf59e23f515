public import StewardCore
public import Foundation

/// Turns a message's bytes into the tree policy reads. Safe to share between threads.
/// (Stub: the real GMime walk replaces this.)
public final class Inspector: Sendable {
    public let limits: InspectionLimits

    public init(limits: InspectionLimits = InspectionLimits()) {
        self.limits = limits
    }

    /// Inspects a message held in memory (the raw RFC 5322 bytes, CRLF or LF line ends).
    public func inspect(bytes: [UInt8]) throws(InspectionError) -> InspectedMessage {
        InspectedMessage(headers: [], root: MessagePart(path: [], contentType: "text/plain", content: bytes), size: bytes.count)
    }

    /// Inspects a message stored in a file (a spooled large message), without reading it all into memory first.
    public func inspect(fileAt url: URL) throws(InspectionError) -> InspectedMessage {
        guard let data = try? Data(contentsOf: url) else { throw InspectionError(code: .unreadable, detail: url.path) }
        return try inspect(bytes: [UInt8](data))
    }
}

/// Why a message could not be inspected at all (the milter answers tempfail).
public struct InspectionError: Error, Sendable, CustomStringConvertible {
    public enum Code: String, Sendable {
        case unreadable, parserFailure, timeout
    }
    public var code: Code
    public var detail: String

    public init(code: Code, detail: String) {
        self.code = code
        self.detail = detail
    }

    public var description: String { "inspection failed (\(code.rawValue)): \(detail)" }
}
