/// Bounds on how far inspection goes into one message. Reaching one is a finding
/// (`inspection-limit`), so a message that cannot be fully inspected is never passed unseen.
public struct InspectionLimits: Sendable, Hashable, Codable {
    /// Deepest nesting of multiparts and attached messages.
    public var maxDepth: Int
    /// Most MIME parts in one message.
    public var maxParts: Int
    /// Most decoded bytes across all parts.
    public var maxDecodedBytes: Int
    /// Seconds inspection may take before the message is answered with a tempfail.
    public var timeoutSeconds: Double

    public init(maxDepth: Int = 30, maxParts: Int = 1000, maxDecodedBytes: Int = 200 * 1024 * 1024, timeoutSeconds: Double = 60) {
        self.maxDepth = maxDepth
        self.maxParts = maxParts
        self.maxDecodedBytes = maxDecodedBytes
        self.timeoutSeconds = timeoutSeconds
    }
}
