import CStewardGMime
import Foundation

/// GMime's process-wide set-up: `g_mime_init()` runs once, on first use, from whichever
/// thread gets there first (a global `let` is initialised exactly once, thread-safely).
enum GMimeRuntime {
    private static let initialised: Bool = {
        g_mime_init()
        return true
    }()

    static func ensureInitialised() {
        _ = initialised
    }
}

/// Small helpers for moving bytes out of GMime streams.
enum GMimeBytes {
    /// The bytes held by a GMime memory stream.
    static func contents(ofMemoryStream stream: UnsafeMutablePointer<GMimeStream>) -> [UInt8] {
        guard let mem = steward_as_stream_mem(stream),
              let array = g_mime_stream_mem_get_byte_array(mem),
              let data = array.pointee.data, array.pointee.len > 0
        else { return [] }
        return Array(UnsafeBufferPointer(start: data, count: Int(array.pointee.len)))
    }

    /// A C string from GMime as Swift text, nil for NULL.
    static func string(_ pointer: UnsafePointer<CChar>?) -> String? {
        guard let pointer else { return nil }
        return String(decoding: UnsafeRawBufferPointer(start: pointer, count: strlen(pointer)), as: UTF8.self)
    }
}
