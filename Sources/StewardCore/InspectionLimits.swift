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

    /// Deepest nesting of archives inside archives (a zip in a zip is depth 2).
    public var maxArchiveDepth: Int = 32
    /// Most files taken out of archives in one message, all archives together.
    public var maxArchiveMembers: Int = 2000
    /// Most bytes taken out of archives in one message, all archives together (a zip bomb
    /// reaches this and is held as "could not be inspected").
    public var maxExpandedBytes: Int = 100 * 1024 * 1024

    /// Largest part read whole into memory where a reader needs it whole: the text of a text
    /// part, a document's text (PDF, Office, OpenDocument, RTF), a TNEF file, uuencoded blocks.
    /// A larger part that needs such reading is a finding (it could not be fully inspected);
    /// everything else about it (true type, archives, signatures, active content) is read
    /// from its spool file in windows, whatever its size.
    public var maxWholePartBytes: Int = 32 * 1024 * 1024

    public init(maxDepth: Int = 30, maxParts: Int = 1000, maxDecodedBytes: Int = 200 * 1024 * 1024, timeoutSeconds: Double = 60,
                maxArchiveDepth: Int = 32, maxArchiveMembers: Int = 2000, maxExpandedBytes: Int = 100 * 1024 * 1024) {
        self.maxDepth = maxDepth
        self.maxParts = maxParts
        self.maxDecodedBytes = maxDecodedBytes
        self.timeoutSeconds = timeoutSeconds
        self.maxArchiveDepth = maxArchiveDepth
        self.maxArchiveMembers = maxArchiveMembers
        self.maxExpandedBytes = maxExpandedBytes
    }
}
