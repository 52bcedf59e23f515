/// Files inside a TNEF `winmail.dat` (Outlook's rich-text wrapper): each attachment's title
/// and data attributes.
///
/// A small reader rather than libytnef: only two attribute ids are needed, the format is a
/// flat list of length-prefixed records, and every length is checked against what is left,
/// so hostile input ends the walk instead of reading out of bounds.
enum TNEFReader {
    static let signature: [UInt8] = [0x78, 0x9F, 0x3E, 0x22]
    private static let attachRendData: UInt32 = 0x0006_9002
    private static let attachTitle: UInt32 = 0x0001_8010
    private static let attachData: UInt32 = 0x0006_800F

    struct File {
        var name: String?
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
            default:
                break
            }
        }
        return reading
    }
}
