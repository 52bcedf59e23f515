import CStewardMagic
import Foundation
import StewardCore

/// What libmagic says about some bytes.
struct TrueType: Sendable, Hashable {
    /// MIME type, e.g. `application/pdf`.
    var mimeType: String?
    /// Description, e.g. `PDF document, version 1.4`.
    var description: String?
}

/// libmagic handles are not thread-safe, and loading the database costs a few milliseconds,
/// so handles are kept in a lock-protected pool: a caller takes a pair (MIME type and
/// description), uses it alone, and gives it back. Pairs are created on demand; at most
/// `maxIdle` are kept once returned.
final class MagicPool: @unchecked Sendable {
    /// The process-wide pool (the magic database is the same for every inspector).
    static let shared = MagicPool()

    /// One handle set up for MIME types, one for descriptions.
    final class Handles {
        let mimeType: OpaquePointer
        let description: OpaquePointer

        init?() {
            guard let mime = magic_open(MAGIC_MIME_TYPE) else { return nil }
            guard magic_load(mime, nil) == 0, let desc = magic_open(MAGIC_NONE) else {
                magic_close(mime)
                return nil
            }
            guard magic_load(desc, nil) == 0 else {
                magic_close(mime)
                magic_close(desc)
                return nil
            }
            self.mimeType = mime
            self.description = desc
        }

        /// How many first bytes libmagic looks at (`MAGIC_PARAM_BYTES_MAX`).
        var bytesMax: Int {
            var value = 0
            guard magic_getparam(mimeType, MAGIC_PARAM_BYTES_MAX, &value) == 0, value > 0 else { return 7 * 1024 * 1024 }
            return value
        }

        deinit {
            magic_close(mimeType)
            magic_close(description)
        }

        func identify(_ bytes: UnsafeRawBufferPointer) -> TrueType {
            TrueType(
                mimeType: Self.ask(mimeType, bytes),
                description: Self.ask(description, bytes)
            )
        }

        private static func ask(_ handle: OpaquePointer, _ bytes: UnsafeRawBufferPointer) -> String? {
            // magic_buffer wants a non-null pointer even for zero bytes.
            let result: UnsafePointer<CChar>?
            if let base = bytes.baseAddress {
                result = magic_buffer(handle, base, bytes.count)
            } else {
                var empty: UInt8 = 0
                result = magic_buffer(handle, &empty, 0)
            }
            guard let result else { return nil }
            return String(cString: result)
        }
    }

    private let lock = NSLock()
    private var idle: [Handles] = []
    private let maxIdle: Int

    init(maxIdle: Int = 32) {
        self.maxIdle = maxIdle
    }

    /// Runs `body` with a pair of handles no other thread is using; nil when libmagic
    /// cannot open its database (the caller then reports no true type).
    func withHandles<R>(_ body: (Handles) throws -> R) rethrows -> R? {
        let handles: Handles
        if let reused = lock.withLock({ idle.popLast() }) {
            handles = reused
        } else if let fresh = Handles() {
            handles = fresh
        } else {
            return nil
        }
        defer {
            lock.withLock {
                if idle.count < maxIdle { idle.append(handles) }
            }
        }
        return try body(handles)
    }

    /// True type of some bytes (nil fields when libmagic is unavailable).
    func identify(_ bytes: [UInt8]) -> TrueType {
        withHandles { handles in
            bytes.withUnsafeBytes { handles.identify($0) }
        } ?? TrueType()
    }

    /// True type of a part's content. libmagic never looks past its `bytes_max` (7 MB in
    /// file 5.44), so a spooled part is identified from that many first bytes, read for the
    /// call and dropped: the same answer as from the whole part in memory.
    func identify(_ content: PartContent) -> TrueType {
        switch content.storage {
        case .memory(let bytes):
            return identify(bytes)
        case .file:
            return withHandles { handles in
                content.prefix(handles.bytesMax).withUnsafeBytes { handles.identify($0) }
            } ?? TrueType()
        }
    }

    /// Number of handle pairs waiting in the pool (for tests).
    var idleCount: Int { lock.withLock { idle.count } }
}
