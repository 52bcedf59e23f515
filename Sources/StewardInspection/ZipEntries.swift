import CStewardArchive

/// Reads the members of a zip container (OOXML and OpenDocument files are zips) with libarchive,
/// keeping only the members a caller asks for, within a byte budget.
enum ZipEntries {
    /// Members whose path `wanted` accepts, path → bytes, at most `budget` bytes in all.
    /// Empty when the bytes are not a readable zip.
    static func read(_ bytes: [UInt8], budget: Int, wanted: (String) -> Bool) -> [String: [UInt8]] {
        guard let reader = archive_read_new() else { return [:] }
        defer { archive_read_free(reader) }
        archive_read_support_format_zip(reader)
        var result: [String: [UInt8]] = [:]
        var used = 0
        bytes.withUnsafeBytes { buffer in
            guard let base = buffer.baseAddress,
                  archive_read_open_memory(reader, base, buffer.count) == ARCHIVE_OK else { return }
            var entry: OpaquePointer?
            while archive_read_next_header(reader, &entry) == ARCHIVE_OK {
                guard let entry, let rawName = archive_entry_pathname(entry) else { continue }
                let name = String(cString: rawName)
                guard wanted(name) else { continue }
                var data: [UInt8] = []
                var chunk = [UInt8](repeating: 0, count: 64 * 1024)
                while used + data.count < budget {
                    let got = chunk.withUnsafeMutableBytes { archive_read_data(reader, $0.baseAddress, min($0.count, budget - used - data.count)) }
                    if got <= 0 { break }
                    data.append(contentsOf: chunk[0..<got])
                }
                used += data.count
                result[name] = data
                if used >= budget { break }
            }
        }
        return result
    }
}
