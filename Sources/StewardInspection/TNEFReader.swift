import Foundation

/// Files inside a TNEF `winmail.dat` (Outlook's rich-text wrapper): each attachment's title,
/// data and long file name (`PR_ATTACH_LONG_FILENAME` among its MAPI properties, the name
/// Outlook shows and saves the file under; the title is an 8.3 short name).
///
/// A small reader rather than libytnef: only two attribute ids are needed, the format is a
/// flat list of length-prefixed records, and every length is checked against what is left,
/// so hostile input ends the walk instead of reading out of bounds.
enum TNEFReader {
    static let signature: [UInt8] = [0x78, 0x9F, 0x3E, 0x22]
    private static let attachRendData: UInt32 = 0x0006_9002
    private static let attachTitle: UInt32 = 0x0001_8010
    private static let attachData: UInt32 = 0x0006_800F
    private static let attachment: UInt32 = 0x0006_9005

    struct File {
        var name: String?
        /// The long file name, when the MAPI properties carry one.
        var longName: String?
        var data: [UInt8] = []
    }

    struct Reading {
        var files: [File] = []
        /// Set when the records ran past the end of the data (truncated or damaged).
        var damaged = false
    }

    /// Reads at most `maxFiles` files and `maxBytes` bytes of file data.
    static func read(_ content: [UInt8], maxFiles: Int, maxBytes: Int) -> Reading {
        var reading = Reading()
        var offset = 6  // signature (4) and key (2)
        var bytes = 0
        func uint32(_ at: Int) -> UInt32 {
            UInt32(content[at]) | UInt32(content[at + 1]) << 8 | UInt32(content[at + 2]) << 16 | UInt32(content[at + 3]) << 24
        }
        while offset < content.count {
            // Writers leave a stray byte or two at the end; fewer than a record header holds nothing.
            guard offset + 9 <= content.count else { break }
            let level = content[offset]
            let id = uint32(offset + 1)
            let length = Int(uint32(offset + 5))
            let start = offset + 9
            guard length >= 0, length <= content.count - start - 2 else { reading.damaged = true; break }
            let value = content[start..<(start + length)]
            offset = start + length + 2  // data and checksum
            guard level == 2 else { continue }
            switch id {
            case attachRendData:
                guard reading.files.count < maxFiles else { return reading }
                reading.files.append(File())
            case attachTitle:
                if reading.files.isEmpty { reading.files.append(File()) }
                let name = value.prefix(while: { $0 != 0 })
                reading.files[reading.files.count - 1].name = String(decoding: name, as: UTF8.self)
            case attachData:
                if reading.files.isEmpty { reading.files.append(File()) }
                let take = min(value.count, max(0, maxBytes - bytes))
                reading.files[reading.files.count - 1].data = Array(value.prefix(take))
                bytes += take
                if take < value.count { reading.damaged = true; return reading }
            case attachment:
                if reading.files.isEmpty { reading.files.append(File()) }
                if let long = longFileName(in: value) { reading.files[reading.files.count - 1].longName = long }
            default:
                break
            }
        }
        return reading
    }

    /// PR_ATTACH_LONG_FILENAME (0x3707) from an attAttachment record's MAPI properties
    /// ([MS-OXTNEF] 2.1.3.4): a count, then each property's type, id, optional name and
    /// value(s). The walk stops at a type it cannot size, and at any length past the end.
    static func longFileName(in record: ArraySlice<UInt8>) -> String? {
        var reader = LittleEndianReader(Array(record))
        func u16() -> Int? { reader.u16().map(Int.init) }
        func u32() -> Int? { reader.u32().map(Int.init) }
        func skip(_ count: Int) -> Bool { reader.bytes(count) != nil }
        guard let count = u32() else { return nil }
        for _ in 0..<min(count, 4096) {
            guard let type = u16(), let id = u16() else { return nil }
            if id >= 0x8000 {  // a named property: GUID, kind, then an id or a name
                guard skip(16), let kind = u32() else { return nil }
                if kind == 0 {
                    guard skip(4) else { return nil }
                } else {
                    guard let length = u32(), skip((length + 3) & ~3) else { return nil }
                }
            }
            let multiple = type & 0x1000 != 0
            switch type & 0x0FFF {
            case 0x0002, 0x0003, 0x000A, 0x000B, 0x0004:  // 16- and 32-bit values, padded to 4
                guard skip(4 * (multiple ? (u32() ?? -1) : 1)) else { return nil }
            case 0x0005, 0x0006, 0x0007, 0x0014, 0x0040:  // 64-bit values
                guard skip(8 * (multiple ? (u32() ?? -1) : 1)) else { return nil }
            case 0x0048:  // GUID
                guard skip(16 * (multiple ? (u32() ?? -1) : 1)) else { return nil }
            case 0x001E, 0x001F, 0x0102, 0x000D:  // strings, binary, objects: counted values
                guard let values = u32() else { return nil }
                for _ in 0..<min(values, 4096) {
                    guard let length = u32(), let raw = reader.bytes(length) else { return nil }
                    _ = skip((4 - length % 4) % 4)  // padding; a last value may lack it
                    if id == 0x3707, type & 0x0FFF != 0x0102 {
                        let name = type & 0x0FFF == 0x001F
                            ? String(decoding: stride(from: 0, to: raw.count - 1, by: 2).map { UInt16(raw[$0]) | UInt16(raw[$0 + 1]) << 8 }, as: UTF16.self)
                            : String(decoding: raw, as: UTF8.self)
                        let trimmed = name.trimmingCharacters(in: CharacterSet(charactersIn: "\0"))
                        if !trimmed.isEmpty { return trimmed }
                    }
                }
            default:
                return nil
            }
        }
        return nil
    }
}
