import Foundation

/// Every bare LF becomes CRLF before GMime parses anything, as Postfix and Sendmail already do
/// to every message they hand a milter.
///
/// Why: GMime 3.2.13 (Debian 12; upstream's parser is unchanged since) can crash on a part whose
/// first header line is not a header, when its read buffer ends just before that line's bare LF
/// and a CR was left in the byte before the buffer: it reads the line's length as one less than
/// zero and copies SIZE_MAX bytes (`g_strndup`, a null dereference). Fuzzing run 11 found it
/// (`FuzzFindingTests`). The parser reads that byte only after a bare LF, so mail with CRLF line
/// ends cannot reach it. The milter writes CRLF throughout, but bare LFs still reach GMime: in a
/// message recovered by its content from a part of any type, in a file given to `steward check`.
enum ParserLineEnds {
    /// The bytes with each LF not preceded by CR preceded by one; the same array when there is none.
    static func crlf(_ bytes: [UInt8]) -> [UInt8] {
        guard let first = firstBareLF(bytes) else { return bytes }
        var out = Array(bytes[..<first])
        appendCRLF(bytes[first...], after: first > 0 ? bytes[first - 1] : 0, to: &out)
        return out
    }

    /// Where the first LF without a CR before it is. memchr finds each LF, as this runs on
    /// every message.
    static func firstBareLF(_ bytes: some ContiguousBytes, after previous: UInt8 = 0) -> Int? {
        bytes.withUnsafeBytes { buffer -> Int? in
            guard let base = buffer.baseAddress else { return nil }
            var index = 0
            while index < buffer.count, let found = memchr(base + index, 0x0A, buffer.count - index) {
                let at = base.distance(to: UnsafeRawPointer(found))
                if (at == 0 ? previous : buffer[at - 1]) != 0x0D { return at }
                index = at + 1
            }
            return nil
        }
    }

    private static func appendCRLF(_ bytes: some Sequence<UInt8>, after previous: UInt8, to out: inout [UInt8]) {
        var previous = previous
        for byte in bytes {
            if byte == 0x0A, previous != 0x0D { out.append(0x0D) }
            out.append(byte)
            previous = byte
        }
    }

    /// A file's bytes as GMime may read them: the same file when it has no bare LF, otherwise a
    /// copy with CRLF line ends, written in blocks so memory stays flat. The caller removes a
    /// copy (`isCopy`).
    static func crlfFile(at url: URL) throws -> (url: URL, isCopy: Bool) {
        guard let input = FileHandle(forReadingAtPath: url.path) else {
            throw CocoaError(.fileReadNoPermission)
        }
        defer { try? input.close() }
        var previous: UInt8 = 0
        var found = false
        while !found, let block = try input.read(upToCount: 1 << 16), !block.isEmpty {
            found = firstBareLF(block, after: previous) != nil
            previous = block.last ?? previous
        }
        guard found else { return (url, false) }
        try input.seek(toOffset: 0)
        // Beside the file (the spool, on the same disk), or in the temporary folder when that
        // folder is read-only (a file given to `steward check`).
        let name = ".\(url.lastPathComponent).crlf-\(UUID().uuidString)"
        let places = [url.deletingLastPathComponent(), FileManager.default.temporaryDirectory]
        guard let copy = places.map({ $0.appendingPathComponent(name) }).first(where: {
            FileManager.default.createFile(atPath: $0.path, contents: nil, attributes: [.posixPermissions: 0o600])
        }), let output = FileHandle(forWritingAtPath: copy.path) else {
            throw CocoaError(.fileWriteNoPermission)
        }
        do {
            defer { try? output.close() }
            previous = 0
            while let block = try input.read(upToCount: 1 << 16), !block.isEmpty {
                var converted = [UInt8]()
                appendCRLF(block, after: previous, to: &converted)
                previous = block.last ?? previous
                try output.write(contentsOf: converted)
            }
        } catch {
            try? FileManager.default.removeItem(at: copy)
            throw error
        }
        return (copy, true)
    }
}
