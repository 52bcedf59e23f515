import CStewardArchive

/// zlib's inflate for PDF `FlateDecode` data (zlib format, RFC 1950), bounded in output.
///
/// zlib rather than libarchive: libarchive opens whole files (gzip, zip), not the bare zlib
/// streams a PDF holds.
enum Inflate {
    /// The inflated bytes, at most `maxOutput` of them (cut there); nil when the data is not
    /// a zlib stream at all. Damaged data gives what inflated before the damage.
    static func inflate(_ input: [UInt8], maxOutput: Int) -> [UInt8]? {
        guard !input.isEmpty else { return nil }
        var stream = z_stream()
        guard steward_inflate_init(&stream) == Z_OK else { return nil }
        defer { inflateEnd(&stream) }
        var output: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 64 * 1024)
        var input = input
        return input.withUnsafeMutableBufferPointer { source -> [UInt8]? in
            stream.next_in = source.baseAddress
            stream.avail_in = uInt(source.count)
            while output.count < maxOutput {
                let status = chunk.withUnsafeMutableBufferPointer { buffer -> Int32 in
                    stream.next_out = buffer.baseAddress
                    stream.avail_out = uInt(buffer.count)
                    return CStewardArchive.inflate(&stream, Z_NO_FLUSH)
                }
                let produced = chunk.count - Int(stream.avail_out)
                output.append(contentsOf: chunk[0..<min(produced, maxOutput - output.count)])
                if status == Z_STREAM_END { break }
                if status != Z_OK { return output.isEmpty && status == Z_DATA_ERROR ? nil : output }
                if produced == 0 && stream.avail_in == 0 { break }
            }
            return output
        }
    }
}
