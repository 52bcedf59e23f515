import StewardCore

/// Files carried inside another file, which a reader's tools can take out and open: data
/// appended after a picture's end (a zip or a program after a JPEG's EOI, a PNG's IEND or a
/// GIF's trailer — image viewers ignore it, unzip and some loaders do not) and objects
/// embedded in RTF (`\objdata`, which Word opens with a double click), BinHex files (a Mac
/// file as text), MS-DOS COMPRESS.EXE files (SZDD, KWAJ), files attached inside a calendar
/// invite or embedded in a OneNote section, and a zip behind other bytes in any file. Each is
/// judged like a file in an archive.
enum CarriedFiles {
    struct Carried {
        var name: String
        var bytes: [UInt8]
    }

    /// Appended data shorter than this is padding or a camera's trailer, not a file.
    static let minimumAppended = 16

    static func files(in part: MessagePart, maxBytes: Int) -> [Carried] {
        // RTF by its content: Word opens a ".rtf" declared as anything, text/plain included.
        if part.content.head.drop(while: { $0 == 0x20 || $0 == 0x0D || $0 == 0x0A || $0 == 0x09 }).starts(with: Array("{\\rtf".utf8)) {
            guard let bytes = part.content.bytes(upTo: maxBytes) else { return [] }
            return RTFObjects.objects(in: bytes)
        }
        if MSCompress.isPacked(part.content.head) {
            guard let bytes = part.content.bytes(upTo: maxBytes) else { return [] }
            return MSCompress.unpack(bytes, name: part.filename, maxBytes: maxBytes).map { [$0] } ?? []
        }
        // BinHex by its banner, wherever it starts (it is often pasted into a text part).
        if ByteSearch.offsets(of: BinHex.banner, in: Array(part.content.head), limit: 1).first != nil {
            guard let bytes = part.content.bytes(upTo: maxBytes) else { return [] }
            return BinHex.decode(bytes).map { [$0] } ?? []
        }
        if OneNoteFiles.isOneNote(part.content.head) {
            guard let bytes = part.content.bytes(upTo: maxBytes) else { return [] }
            return OneNoteFiles.files(in: bytes, maxFiles: 1024, maxBytes: maxBytes)
        }
        if CalendarText.isCalendar(declaredType: part.contentType, trueType: part.trueType, filename: part.filename) {
            guard let bytes = part.content.bytes(upTo: maxBytes) else { return [] }
            return CalendarText.attachments(part.text ?? CharsetText.bestEffort(bytes), maxFiles: 64)
        }
        switch part.trueType {
        case "image/png", "image/jpeg", "image/gif":
            guard let bytes = part.content.bytes(upTo: maxBytes) else { return [] }
            var found: [Carried] = []
            if let end = ImageEnd.offset(in: bytes, type: part.trueType ?? "") {
                let rest = bytes[end...]
                if rest.count >= minimumAppended, rest.contains(where: { $0 != 0 && $0 != 0x0A && $0 != 0x0D && $0 != 0x20 }) {
                    found.append(Carried(name: "(data after the end of the picture)", bytes: Array(rest)))
                }
            }
            // unzip and 7-Zip find a zip by its end record, wherever its start is: inside a
            // chunk or comment of the picture, or inside the appended data behind other bytes.
            if let zip = ZipInside.carve(bytes), !(found.first.map { $0.bytes.starts(with: zip) } ?? false) {
                found.append(Carried(name: "(zip inside the picture)", bytes: zip))
            }
            return found
        default:
            // A zip behind other bytes (a self-made "zip with a stub", a zip appended to a PDF):
            // unzip, 7-Zip and Windows open it from its end record. Archives are opened as
            // archives already, and a text body is read as text.
            guard ArchiveKind.of(part) == nil, !(part.contentType.hasPrefix("text/") && part.filename == nil && part.origin == .leaf)
            else { return [] }
            let tail = part.content.bytes(at: max(0, part.content.count - 65_557), count: 65_557)
            guard ByteSearch.offsets(of: [0x50, 0x4B, 0x05, 0x06], in: tail, limit: 1).first != nil,
                  let bytes = part.content.bytes(upTo: maxBytes), let zip = ZipInside.carve(bytes)
            else { return [] }
            return [Carried(name: "(zip inside the file)", bytes: zip)]
        }
    }
}

/// Where a picture's own data ends, by its structure (never by searching for an end marker,
/// which can stand inside the data: a JPEG's EXIF thumbnail has its own EOI).
enum ImageEnd {
    static func offset(in bytes: [UInt8], type: String) -> Int? {
        switch type {
        case "image/png": png(bytes)
        case "image/jpeg": jpeg(bytes)
        case "image/gif": gif(bytes)
        default: nil
        }
    }

    /// After the IEND chunk (length, type, data, CRC).
    static func png(_ bytes: [UInt8]) -> Int? {
        var i = 8
        while i + 12 <= bytes.count {
            let length = Int(bytes[i]) << 24 | Int(bytes[i + 1]) << 16 | Int(bytes[i + 2]) << 8 | Int(bytes[i + 3])
            let end = i + 12 + length
            guard length >= 0, end <= bytes.count else { return nil }
            if bytes[(i + 4)..<(i + 8)].elementsEqual([0x49, 0x45, 0x4E, 0x44]) { return end }
            i = end
        }
        return nil
    }

    /// After the EOI marker that ends the last scan: segments are walked by their lengths;
    /// inside entropy-coded data a 0xFF is followed by 0x00 (stuffing) or a restart marker.
    static func jpeg(_ bytes: [UInt8]) -> Int? {
        guard bytes.count >= 4, bytes[0] == 0xFF, bytes[1] == 0xD8 else { return nil }
        var i = 2
        while i + 1 < bytes.count {
            guard bytes[i] == 0xFF else { return nil }
            let marker = bytes[i + 1]
            if marker == 0xFF { i += 1; continue }  // fill bytes
            if marker == 0xD9 { return i + 2 }
            if (0xD0...0xD7).contains(marker) || marker == 0x01 { i += 2; continue }
            guard i + 3 < bytes.count else { return nil }
            let length = Int(bytes[i + 2]) << 8 | Int(bytes[i + 3])
            guard length >= 2 else { return nil }
            i += 2 + length
            if marker == 0xDA {  // start of scan: skip the entropy-coded data
                while i + 1 < bytes.count {
                    if bytes[i] == 0xFF, bytes[i + 1] != 0x00, !(0xD0...0xD7).contains(bytes[i + 1]) { break }
                    i += 1
                }
            }
        }
        return nil
    }

    /// After the trailer byte 0x3B, walking image descriptors and extensions by their sub-blocks.
    static func gif(_ bytes: [UInt8]) -> Int? {
        guard bytes.count >= 13, bytes.starts(with: Array("GIF".utf8)) else { return nil }
        var i = 13
        if bytes[10] & 0x80 != 0 { i += 3 << (Int(bytes[10] & 0x07) + 1) }
        func skipSubBlocks(_ start: Int) -> Int? {
            var j = start
            while j < bytes.count {
                let size = Int(bytes[j])
                j += 1
                if size == 0 { return j }
                j += size
            }
            return nil
        }
        while i < bytes.count {
            switch bytes[i] {
            case 0x3B:
                return i + 1
            case 0x21:
                guard let next = skipSubBlocks(i + 2) else { return nil }
                i = next
            case 0x2C:
                guard i + 10 <= bytes.count else { return nil }
                var j = i + 10
                if bytes[i + 9] & 0x80 != 0 { j += 3 << (Int(bytes[i + 9] & 0x07) + 1) }
                guard let next = skipSubBlocks(j + 1) else { return nil }  // LZW minimum code size, then data
                i = next
            default:
                return nil
            }
        }
        return nil
    }
}
