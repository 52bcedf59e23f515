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

    struct Layout {
        /// Where the zip starts in the bytes (0 for a file that is a zip).
        var start: Int
        var directoryStart: Int
        /// The end record's offset, which is where the central directory ends.
        var end: Int
        /// Just past the end record and its comment.
        var after: Int
    }

    /// The zip whose end record is in `bytes`' last 64 KB, when the central directory it names
    /// lies inside `bytes` and starts with a central directory header.
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

    /// The bytes of a zip inside `bytes`, from its first member to its end record.
    static func carve(_ bytes: [UInt8]) -> [UInt8]? {
        layout(bytes).map { Array(bytes[$0.start..<$0.after]) }
    }

    /// The names of the files (not folders) in the central directory, in order; at most `limit`.
    static func memberNames(_ bytes: [UInt8], limit: Int) -> [String]? {
        guard let layout = layout(bytes) else { return nil }
        var names: [String] = []
        var i = layout.directoryStart
        while i + 46 <= layout.end, names.count < limit, bytes[i..<(i + 4)].elementsEqual(directorySignature) {
            let nameLength = u16(bytes, i + 28)
            let next = i + 46 + nameLength + u16(bytes, i + 30) + u16(bytes, i + 32)
            guard next <= layout.end else { break }
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
        let directorySize = u32(bytes, end + 12)
        let directoryOffset = u32(bytes, end + 16)
        let after = end + endRecordSize + u16(bytes, end + 20)
        guard after <= bytes.count else { return nil }
        // Where the directory really is (the zip may start anywhere), and so where the zip starts.
        let directoryStart = end - directorySize
        let start = directoryStart - directoryOffset
        guard directorySize > 0, directoryStart >= 0, start >= 0,
              bytes[directoryStart..<end].starts(with: directorySignature)
        else { return nil }
        return Layout(start: start, directoryStart: directoryStart, end: end, after: after)
    }

    private static func u16(_ bytes: [UInt8], _ at: Int) -> Int { Int(bytes[at]) | Int(bytes[at + 1]) << 8 }
    private static func u32(_ bytes: [UInt8], _ at: Int) -> Int { u16(bytes, at) | u16(bytes, at + 2) << 16 }
}
