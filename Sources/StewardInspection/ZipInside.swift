/// A zip's end record and central directory, read the way zip readers (unzip, 7-Zip, Python's
/// zipfile, Windows Explorer, Java's jar loader) read them: from the end-of-central-directory
/// record near the file's end, wherever the zip starts. Two evasions rest on that:
///
/// - a picture whose chunk, comment or trailing bytes hold a whole zip opens as that zip
///   (`carve`);
/// - a zip's central directory can name a member differently from the member's own local
///   header, which streaming readers (libarchive's among them) use; unzip and Explorer show
///   the central name (`memberNames`).
///
/// Written here, not with libarchive: its streaming zip reader looks for a zip at the start
/// and reports local names only, and its seekable reader reports central names only.
enum ZipInside {
    /// The end record's fixed part; a comment of up to 65,535 bytes may follow it.
    private static let endRecordSize = 22
    private static let endSignature: [UInt8] = [0x50, 0x4B, 0x05, 0x06]
    private static let directorySignature: [UInt8] = [0x50, 0x4B, 0x01, 0x02]
    private static let localSignature: [UInt8] = [0x50, 0x4B, 0x03, 0x04]
    private static let zip64EndSignature: [UInt8] = [0x50, 0x4B, 0x06, 0x06]
    private static let zip64LocatorSignature: [UInt8] = [0x50, 0x4B, 0x06, 0x07]

    struct Layout {
        /// Where the zip starts in the bytes (0 for a file that is a zip).
        var start: Int
        var directoryStart: Int
        /// Where the central directory ends (the end record, or a Zip64 end record before it).
        var directoryEnd: Int
        /// Just past the end record and its comment.
        var after: Int
    }

    /// The zip whose end record is in `bytes`' last 64 KB, when the central directory it names
    /// lies inside `bytes`, starts with a central directory header, and its first entry's
    /// local header is where the directory says.
    static func layout(_ bytes: [UInt8]) -> Layout? {
        guard bytes.count >= endRecordSize else { return nil }
        let earliest = max(0, bytes.count - endRecordSize - 65_535)
        var position = bytes.count - endRecordSize
        while position >= earliest {
            if bytes[position] == 0x50, bytes[position..<(position + 4)].elementsEqual(endSignature),
               let layout = layout(endingAt: position, in: bytes) {
                return layout
            }
            position -= 1
        }
        return nil
    }

    /// The bytes of a zip inside `bytes`, from its first member to its end record; nil when
    /// there is none, or when it starts at the first byte (the file is the zip itself).
    static func carve(_ bytes: [UInt8]) -> [UInt8]? {
        guard let layout = layout(bytes), layout.start > 0 else { return nil }
        return Array(bytes[layout.start..<layout.after])
    }

    /// The names of the files (not folders) in the central directory, in order; at most `limit`.
    static func memberNames(_ bytes: [UInt8], limit: Int) -> [String]? {
        guard let layout = layout(bytes) else { return nil }
        var names: [String] = []
        var i = layout.directoryStart
        while i + 46 <= layout.directoryEnd, names.count < limit, bytes[i..<(i + 4)].elementsEqual(directorySignature) {
            let nameLength = u16(bytes, i + 28)
            let next = i + 46 + nameLength + u16(bytes, i + 30) + u16(bytes, i + 32)
            guard next <= layout.directoryEnd else { break }
            let raw = Array(bytes[(i + 46)..<(i + 46 + nameLength)])
            // UTF-8 (flag bit 11, or what most tools write anyway); a code page 437 name keeps
            // its ASCII, which is where its extension is.
            let name = String(decoding: raw, as: UTF8.self)
            if !name.hasSuffix("/") { names.append(name) }
            i = next
        }
        return names
    }

    private static func layout(endingAt end: Int, in bytes: [UInt8]) -> Layout? {
        var directorySize = u32(bytes, end + 12)
        var directoryOffset = u32(bytes, end + 16)
        let after = end + endRecordSize + u16(bytes, end + 20)
        guard after <= bytes.count else { return nil }
        var directoryEnd = end
        // Zip64: the sizes are (also) in a Zip64 end record, which stands before its 20-byte
        // locator just before the end record; the central directory ends where it starts.
        let record = end - 20 - 56
        if record >= 0, bytes[(end - 20)..<(end - 16)].elementsEqual(zip64LocatorSignature),
           bytes[record..<(record + 4)].elementsEqual(zip64EndSignature) {
            let size = u64(bytes, record + 40), offset = u64(bytes, record + 48)
            guard size < bytes.count, offset < bytes.count else { return nil }
            directorySize = size
            directoryOffset = offset
            directoryEnd = record
        }
        let directoryStart = directoryEnd - directorySize
        guard directorySize >= 46, directoryStart >= 0,
              bytes[directoryStart..<directoryEnd].starts(with: directorySignature)
        else { return nil }
        // Offsets count from the zip's start; tools that make a picture and a zip one file
        // (`zip -A`, polyglot scripts) count them from the file's start instead.
        // (A Zip64 entry may keep its offset in an extra field, 0xFFFFFFFF here: then the zip's
        // start itself must hold the first local header.)
        // The earliest member: the directory need not list them in the order they are stored.
        var firstLocal = u32(bytes, directoryStart + 42)
        var entry = directoryStart
        for _ in 0..<65_536 {
            guard entry + 46 <= directoryEnd, bytes[entry..<(entry + 4)].elementsEqual(directorySignature) else { break }
            firstLocal = min(firstLocal, u32(bytes, entry + 42))
            entry += 46 + u16(bytes, entry + 28) + u16(bytes, entry + 30) + u16(bytes, entry + 32)
        }
        for base in [directoryStart - directoryOffset, 0] where base >= 0 {
            for local in [base + firstLocal, base] where local + 4 <= directoryStart {
                if bytes[local..<(local + 4)].elementsEqual(localSignature) {
                    return Layout(start: base == 0 ? local : base, directoryStart: directoryStart, directoryEnd: directoryEnd, after: after)
                }
            }
        }
        return nil
    }

    private static func u16(_ bytes: [UInt8], _ at: Int) -> Int { Int(bytes[at]) | Int(bytes[at + 1]) << 8 }
    private static func u32(_ bytes: [UInt8], _ at: Int) -> Int { u16(bytes, at) | u16(bytes, at + 2) << 16 }
    /// Read as at most 2^62, so sums of offsets cannot overflow.
    private static func u64(_ bytes: [UInt8], _ at: Int) -> Int { u32(bytes, at) | (u32(bytes, at + 4) & 0x3FFF_FFFF) << 32 }
}
