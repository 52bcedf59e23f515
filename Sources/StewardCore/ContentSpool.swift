public import Foundation

/// Where and from what size inspection keeps part content on disk: the milter's spool
/// directory and in-memory threshold (`spool.directory`, `spool.memory_threshold_bytes`).
public struct ContentSpool: Sendable, Hashable {
    public var directory: URL
    /// Content larger than this goes to a spool file.
    public var threshold: Int

    public init(directory: URL, threshold: Int) {
        self.directory = directory
        self.threshold = threshold
    }

    /// The system's temporary directory and a 1 MB threshold (the config's default).
    public static let temporary = ContentSpool(directory: FileManager.default.temporaryDirectory, threshold: 1024 * 1024)
}
