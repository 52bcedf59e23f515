/// A file a part's bytes were written to, read at offsets. Inspection makes and writes it
/// (`SpoolFile`, unlinked at once); core code only reads it.
public protocol ContentFile: AnyObject, Sendable {
    /// Reads up to `buffer.count` bytes at `offset`; the count read (0 at the end or on error).
    func read(into buffer: UnsafeMutableRawBufferPointer, at offset: Int) -> Int
}

/// The decoded bytes of one part: in memory when small, in a spool file when larger than the
/// in-memory threshold, so that inspecting a 50 MB attachment costs no more memory than a 5 MB one.
///
/// Readers never need to know which: they look at the first bytes (`head`, for signatures),
/// scan the whole in windows (`scan`), or ask for all of it up to a bound (`bytes(upTo:)`).
/// Small content is one window, so scanners behave exactly as over a plain array.
public struct PartContent: Sendable, Hashable {
    public enum Storage: Sendable {
        case memory([UInt8])
        /// `count` bytes of `file` from `offset`.
        case file(any ContentFile, offset: Int, count: Int, head: [UInt8])
    }

    public let storage: Storage

    /// How many first bytes `head` holds for a spooled part (signatures sit in the first few).
    public static let headLength = 4096
    /// Bytes read from a spool file per window when scanning.
    public static let windowLength = 1024 * 1024

    public init(_ bytes: [UInt8] = []) {
        storage = .memory(bytes)
    }

    /// Content written to `file` at `offset`; `head` is its first bytes (at most `headLength`).
    public init(file: any ContentFile, offset: Int, count: Int, head: [UInt8]) {
        storage = .file(file, offset: offset, count: count, head: Array(head.prefix(Self.headLength)))
    }

    public var count: Int {
        switch storage {
        case .memory(let bytes): bytes.count
        case .file(_, _, let count, _): count
        }
    }

    public var isEmpty: Bool { count == 0 }

    /// True when the bytes are in a spool file rather than in memory.
    public var isSpooled: Bool {
        if case .file = storage { return true }
        return false
    }

    /// The first bytes, at most `headLength` (all of them for small content).
    public var head: ArraySlice<UInt8> {
        switch storage {
        case .memory(let bytes): bytes.prefix(Self.headLength)
        case .file(_, _, _, let head): head[...]
        }
    }

    /// Every byte, or nil when there are more than `limit`: for readers that need the whole
    /// part at once (a document's text, a text part's text), each with its own bound.
    public func bytes(upTo limit: Int) -> [UInt8]? {
        switch storage {
        case .memory(let bytes):
            return bytes.count <= limit ? bytes : nil
        case .file(let file, let start, let count, _):
            guard count <= limit else { return nil }
            return [UInt8](unsafeUninitializedCapacity: count) { buffer, initialised in
                initialised = file.read(into: UnsafeMutableRawBufferPointer(buffer), at: start)
            }
        }
    }

    /// The first `length` bytes (fewer when the content is shorter).
    public func prefix(_ length: Int) -> [UInt8] { bytes(at: 0, count: length) }

    /// Up to `length` bytes from `offset` (fewer at the end; none past it): for readers that
    /// follow offsets inside a file (a compound file's sectors).
    public func bytes(at offset: Int, count length: Int) -> [UInt8] {
        guard offset >= 0, length > 0, offset < count else { return [] }
        let length = min(length, count - offset)
        switch storage {
        case .memory(let bytes):
            return Array(bytes[offset..<(offset + length)])
        case .file(let file, let start, _, _):
            return [UInt8](unsafeUninitializedCapacity: length) { buffer, initialised in
                initialised = file.read(into: UnsafeMutableRawBufferPointer(buffer), at: start + offset)
            }
        }
    }

    /// Feeds the content to `body` in windows. `body` gets a window and whether it reaches the
    /// end, and returns how many of its bytes it is done with (nil to stop early); the rest,
    /// at most `lookahead` bytes, starts the next window. A scanner whose patterns or tokens
    /// span at most `lookahead` bytes thus sees each one whole. Small content is one window.
    public func scan(lookahead: Int, _ body: (UnsafeBufferPointer<UInt8>, _ isLast: Bool) -> Int?) {
        switch storage {
        case .memory(let bytes):
            _ = bytes.withUnsafeBufferPointer { body($0, true) }
        case .file(let file, let start, let count, _):
            let capacity = Self.windowLength + lookahead
            let window = UnsafeMutableBufferPointer<UInt8>.allocate(capacity: capacity)
            defer { window.deallocate() }
            var filled = 0
            var offset = 0
            while true {
                let room = min(capacity - filled, count - offset)
                let got = room <= 0 ? 0 : file.read(
                    into: UnsafeMutableRawBufferPointer(UnsafeMutableBufferPointer(rebasing: window[filled..<(filled + room)])),
                    at: start + offset)
                offset += got
                filled += got
                let isLast = got == 0 || offset >= count
                guard let used = body(UnsafeBufferPointer(rebasing: window[..<filled]), isLast), !isLast else { return }
                // Never keep more than `lookahead`, so each round reads something new.
                let done = min(filled, max(used, filled - lookahead, 0))
                let kept = filled - done
                if kept > 0 { window.baseAddress!.update(from: window.baseAddress! + done, count: kept) }
                filled = kept
            }
        }
    }

    /// Whether `needle` occurs anywhere in the content.
    public func contains(_ needle: [UInt8]) -> Bool {
        guard !needle.isEmpty else { return false }
        var found = false
        scan(lookahead: needle.count - 1) { window, isLast in
            if ByteSearch.contains(needle, in: window) {
                found = true
                return nil
            }
            return isLast ? window.count : max(0, window.count - (needle.count - 1))
        }
        return found
    }

    /// Compares bytes for memory content; spooled content is equal only to itself (the same
    /// range of the same file), since comparing would mean reading both.
    public static func == (lhs: PartContent, rhs: PartContent) -> Bool {
        switch (lhs.storage, rhs.storage) {
        case (.memory(let a), .memory(let b)): a == b
        case (.file(let a, let aStart, let aCount, _), .file(let b, let bStart, let bCount, _)):
            a === b && aStart == bStart && aCount == bCount
        default: false
        }
    }

    public func hash(into hasher: inout Hasher) {
        switch storage {
        case .memory(let bytes): hasher.combine(bytes)
        case .file(let file, let start, _, _):
            hasher.combine(ObjectIdentifier(file))
            hasher.combine(start)
        }
    }
}
