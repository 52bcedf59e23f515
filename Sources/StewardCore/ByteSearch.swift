import CStewardBytes

/// Finding bytes in bytes with libc's `memmem` (vectorised), not a byte-by-byte Swift loop:
/// every rule that looks for a signature runs over every part of every message.
public enum ByteSearch {
    /// Offsets of every occurrence of `needle` in `haystack` (non-overlapping), up to `limit`.
    public static func offsets(of needle: [UInt8], in haystack: [UInt8], limit: Int = .max) -> [Int] {
        haystack.withUnsafeBufferPointer { offsets(of: needle, in: $0, limit: limit) }
    }

    /// Offsets of every occurrence of `needle` in `haystack` (non-overlapping), up to `limit`.
    public static func offsets(of needle: [UInt8], in haystack: UnsafeBufferPointer<UInt8>, limit: Int = .max) -> [Int] {
        guard !needle.isEmpty, haystack.count >= needle.count, let base = haystack.baseAddress else { return [] }
        return needle.withUnsafeBytes { pin in
            var found: [Int] = []
            var start = 0
            while found.count < limit, start + pin.count <= haystack.count,
                let match = steward_memmem(base + start, haystack.count - start, pin.baseAddress!, pin.count)
            {
                let offset = UnsafeRawPointer(base).distance(to: UnsafeRawPointer(match))
                found.append(offset)
                start = offset + pin.count
            }
            return found
        }
    }

    public static func contains(_ needle: [UInt8], in haystack: [UInt8]) -> Bool {
        !offsets(of: needle, in: haystack, limit: 1).isEmpty
    }

    public static func contains(_ needle: [UInt8], in haystack: UnsafeBufferPointer<UInt8>) -> Bool {
        !offsets(of: needle, in: haystack, limit: 1).isEmpty
    }

    public static func contains(_ needle: [UInt8], in text: String) -> Bool {
        var text = text
        return text.withUTF8 { contains(needle, in: $0) }
    }
}
