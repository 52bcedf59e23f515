import StewardCore

/// Just enough of the OLE2 compound file format ([MS-CFB]) to read the start of a named
/// stream: the header, the FAT (through the DIFAT), the directory, and the mini stream.
///
/// A small reader rather than a library (Debian ships no C library for it that Steward could
/// link without GPL terms or a whole office suite): every sector number is checked against the
/// file, and every chain walk is bounded by the number of sectors, so a hostile file ends the
/// reading rather than looping.
struct CompoundFile {
    struct Entry {
        var name: String
        /// 1 storage, 2 stream, 5 root.
        var type: UInt8
        var start: UInt32
        var size: Int
    }

    private let content: PartContent
    private let sectorSize: Int
    private let miniCutoff: Int
    private var fat: [UInt32] = []
    private var miniFAT: [UInt32] = []
    private(set) var entries: [Entry] = []

    private static let endOfChain: UInt32 = 0xFFFF_FFFE
    private static let maxEntries = 4096

    init?(_ content: PartContent) {
        let header = content.prefix(512)
        guard header.count == 512, header.starts(with: OLEScan.signature) else { return nil }
        let shift = Int(Self.u16(header, 0x1E))
        guard shift == 9 || shift == 12 else { return nil }
        self.content = content
        sectorSize = 1 << shift
        miniCutoff = Int(Self.u32(header, 0x38))

        // FAT sector numbers: 109 in the header, the rest in a chain of DIFAT sectors.
        var fatSectors = (0..<109).map { Self.u32(header, 0x4C + $0 * 4) }.filter { $0 < 0xFFFF_FFFA }
        var difat = Self.u32(header, 0x44)
        var hops = 0
        while difat < 0xFFFF_FFFA, hops < sectorCount {
            let sector = read(sector: difat)
            guard sector.count == sectorSize else { break }
            let perSector = sectorSize / 4 - 1
            fatSectors += (0..<perSector).map { Self.u32(sector, $0 * 4) }.filter { $0 < 0xFFFF_FFFA }
            difat = Self.u32(sector, perSector * 4)
            hops += 1
        }
        for number in fatSectors.prefix(sectorCount) {
            let sector = read(sector: number)
            fat += (0..<(sector.count / 4)).map { Self.u32(sector, $0 * 4) }
        }

        let directory = chain(from: Self.u32(header, 0x30))
        for offset in stride(from: 0, to: min(directory.count, Self.maxEntries * 128), by: 128) where offset + 128 <= directory.count {
            let nameBytes = Int(Self.u16(directory, offset + 0x40))
            let units = (0..<max(0, min(nameBytes, 64) / 2 - 1)).map { Self.u16(directory, offset + $0 * 2) }
            let size = sectorSize == 512 ? Int(Self.u32(directory, offset + 0x78)) : Int(clamping: Self.u64(directory, offset + 0x78))
            entries.append(Entry(
                name: String(decoding: units, as: UTF16.self), type: directory[offset + 0x42],
                start: Self.u32(directory, offset + 0x74), size: size))
        }
        miniFAT = {
            let bytes = chain(from: Self.u32(header, 0x3C))
            return (0..<(bytes.count / 4)).map { Self.u32(bytes, $0 * 4) }
        }()
    }

    /// The first `maxBytes` of the stream named `name` (case-insensitive, as the format has
    /// it), or nil when there is none.
    func stream(named name: String, maxBytes: Int) -> [UInt8]? {
        guard let entry = entries.first(where: { $0.type == 2 && $0.name.lowercased() == name.lowercased() }) else { return nil }
        let wanted = min(entry.size, maxBytes)
        if entry.size >= miniCutoff {
            return Array(chain(from: entry.start, maxBytes: wanted).prefix(wanted))
        }
        // Small streams live in 64-byte sectors inside the root entry's stream.
        guard let root = entries.first(where: { $0.type == 5 }) else { return nil }
        let container = chain(from: root.start, maxBytes: miniFAT.count * 64)
        var result: [UInt8] = []
        var mini = entry.start
        var hops = 0
        while result.count < wanted, Int(mini) < miniFAT.count, hops <= miniFAT.count {
            let offset = Int(mini) * 64
            guard offset + 64 <= container.count else { break }
            result += container[offset..<(offset + 64)]
            mini = miniFAT[Int(mini)]
            hops += 1
        }
        return Array(result.prefix(wanted))
    }

    // MARK: Sectors

    private var sectorCount: Int { max(0, content.count / sectorSize - 1) }

    private func read(sector: UInt32) -> [UInt8] {
        guard Int(sector) < sectorCount else { return [] }
        return content.bytes(at: (Int(sector) + 1) * sectorSize, count: sectorSize)
    }

    /// The sectors of a chain, in order, up to `maxBytes`; stops at a broken or looping chain.
    private func chain(from start: UInt32, maxBytes: Int = 8 * 1024 * 1024) -> [UInt8] {
        var bytes: [UInt8] = []
        var sector = start
        var hops = 0
        while sector != Self.endOfChain, Int(sector) < fat.count, hops < sectorCount, bytes.count < maxBytes {
            let data = read(sector: sector)
            guard data.count == sectorSize else { break }
            bytes += data
            sector = fat[Int(sector)]
            hops += 1
        }
        return bytes
    }

    static func u16(_ bytes: [UInt8], _ at: Int) -> UInt16 {
        guard at + 2 <= bytes.count else { return 0 }
        return UInt16(bytes[at]) | UInt16(bytes[at + 1]) << 8
    }

    static func u32(_ bytes: [UInt8], _ at: Int) -> UInt32 {
        guard at + 4 <= bytes.count else { return 0 }
        return UInt32(u16(bytes, at)) | UInt32(u16(bytes, at + 2)) << 16
    }

    private static func u64(_ bytes: [UInt8], _ at: Int) -> UInt64 {
        UInt64(u32(bytes, at)) | UInt64(u32(bytes, at + 4)) << 32
    }
}
