import Foundation
public import Logging
public import ServiceLifecycle

/// Warns before a disk fills: the spool's and the SQLite store's filesystems are looked at every
/// minute, and while one has less free space than the floor (`spool.warn_free_megabytes`) a
/// warning names it. A full disk defers held mail (the store cannot commit) and large mail (the
/// spool cannot be written), so the admin should hear of it before that.
public enum DiskSpaceWatch {
    /// Free bytes for an unprivileged writer on the filesystem holding `path` (nil if unknown).
    public static func freeBytes(at path: String) -> Int64? {
        var stats = statvfs()
        guard statvfs(path, &stats) == 0 else { return nil }
        return Int64(stats.f_bavail) * Int64(stats.f_frsize)
    }

    /// The paths among `paths` whose filesystem has less than `floor` bytes free, with the free bytes.
    public static func low(_ paths: [String], floor: Int64) -> [(path: String, free: Int64)] {
        paths.compactMap { path in freeBytes(at: path).flatMap { $0 < floor ? (path, $0) : nil } }
    }

    /// Warns about every path in `low(_:floor:)`.
    public static func warn(_ paths: [String], floor: Int64, logger: Logger) {
        for (path, free) in low(paths, floor: floor) {
            logger.warning("free disk space below the floor: held and large messages will be deferred when it runs out", metadata: [
                "disk.path": "\(path)", "disk.free_bytes": "\(free)", "disk.floor_bytes": "\(floor)",
            ])
        }
    }
}

/// The disk watch as a service of `steward serve`: looks every `everySeconds` until shutdown.
public struct DiskSpaceService: Service {
    let paths: [String]
    let floor: Int64
    let everySeconds: Double
    let logger: Logger

    public init(paths: [String], floor: Int64, everySeconds: Double = 60, logger: Logger) {
        self.paths = paths
        self.floor = floor
        self.everySeconds = everySeconds
        self.logger = logger
    }

    public func run() async throws {
        guard floor > 0, !paths.isEmpty else { return try await gracefulShutdown() }
        while !Task.isShuttingDownGracefully && !Task.isCancelled {
            DiskSpaceWatch.warn(paths, floor: floor, logger: logger)
            try? await cancelWhenGracefulShutdown { try await Task.sleep(for: .seconds(everySeconds)) }
        }
    }
}
