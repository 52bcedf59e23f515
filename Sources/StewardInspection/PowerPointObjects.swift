/// The OLE objects a PowerPoint 97–2003 file embeds: `ExOleObjStg` records (type 0x1011) among
/// the top-level records of its "PowerPoint Document" stream, each holding a compound file
/// (an embedded document, an OLE package, or the presentation's VBA project), zlib-compressed
/// when the record's instance is 1 (a 4-byte unpacked size, then the zlib data).
///
/// Compressed, a program or a macro project inside is invisible to a byte search, which is how
/// a slide deck carries one past a filter that does not unpack it.
enum PowerPointObjects {
    /// Bounds: the stream read (in memory, for the call) and all objects unpacked together.
    static let maxStreamBytes = 32 * 1024 * 1024
    static let maxUnpackedBytes = 64 * 1024 * 1024
    private static let exOleObjStg: UInt16 = 0x1011

    static func storages(_ file: CompoundFile) -> [[UInt8]] {
        guard let stream = file.stream(named: "PowerPoint Document", maxBytes: maxStreamBytes) else { return [] }
        var storages: [[UInt8]] = []
        var unpacked = 0
        var offset = 0
        var records = 0
        while offset + 8 <= stream.count, records < 100_000, unpacked < maxUnpackedBytes {
            let versionAndInstance = CompoundFile.u16(stream, offset)
            let type = CompoundFile.u16(stream, offset + 2)
            let length = Int(CompoundFile.u32(stream, offset + 4))
            let start = offset + 8
            let end = min(stream.count, start + length)
            if type == exOleObjStg, end - start > 4 {
                let data = Array(stream[start..<end])
                let object = versionAndInstance >> 4 == 1
                    ? Inflate.inflate(Array(data[4...]), maxOutput: maxUnpackedBytes - unpacked) ?? []
                    : data
                unpacked += object.count
                storages.append(object)
            }
            records += 1
            offset = start + length
        }
        return storages
    }
}
