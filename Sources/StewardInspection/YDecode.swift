import StewardCore

/// Finds and decodes yEnc blocks (`=ybegin … name=file` … `=yend`), the Usenet binary
/// encoding that Thunderbird decodes into an attachment whether it stands in a plain-text body
/// or is declared as `Content-Transfer-Encoding: x-yencode`. Each byte is written as itself
/// plus 42; `=` escapes a byte that would be special (written plus 64 more); line ends are not
/// data. Written here: no Debian library decodes yEnc, and the format is this small.
enum YDecode {
    static func blocks(in text: [UInt8], byteBudget: Int, maxBlocks: Int) -> [UuencodedBlock] {
        var blocks: [UuencodedBlock] = []
        var current: UuencodedBlock?
        var budget = max(0, byteBudget)
        var lineStart = 0
        let count = text.count
        while lineStart < count, blocks.count < maxBlocks {
            var lineEnd = lineStart
            while lineEnd < count, text[lineEnd] != UInt8(ascii: "\n") { lineEnd += 1 }
            var end = lineEnd
            if end > lineStart, text[end - 1] == UInt8(ascii: "\r") { end -= 1 }
            let line = text[lineStart..<end]
            lineStart = lineEnd + 1

            if current == nil {
                if let name = beginLineFilename(line) { current = UuencodedBlock(filename: name, bytes: [], truncated: false) }
                continue
            }
            if line.starts(with: Self.end) {
                blocks.append(current!)
                current = nil
                continue
            }
            // A multi-part post's `=ypart begin=… end=…` line carries no data.
            if line.starts(with: Self.part) || current!.truncated { continue }
            var decoded: [UInt8] = []
            decoded.reserveCapacity(line.count)
            var escaped = false
            for byte in line {
                if escaped {
                    decoded.append(byte &- 64 &- 42)
                    escaped = false
                } else if byte == UInt8(ascii: "=") {
                    escaped = true
                } else {
                    decoded.append(byte &- 42)
                }
            }
            if decoded.count > budget {
                decoded.removeLast(decoded.count - budget)
                current!.truncated = true
            }
            budget -= decoded.count
            current!.bytes.append(contentsOf: decoded)
        }
        // A block with no `=yend` is decoded to where the text stops.
        if let current, blocks.count < maxBlocks { blocks.append(current) }
        return blocks
    }

    private static let begin = Array("=ybegin ".utf8)
    private static let part = Array("=ypart ".utf8)
    private static let end = Array("=yend".utf8)

    /// `=ybegin line=128 size=61 name=evil.js` → `evil.js` (the name runs to the line's end);
    /// nil for any other line.
    static func beginLineFilename(_ line: ArraySlice<UInt8>) -> String? {
        guard line.starts(with: begin) else { return nil }
        let key = Array(" name=".utf8)
        guard let at = ByteSearch.offsets(of: key, in: Array(line), limit: 1).first else { return "(yEnc file)" }
        let name = String(decoding: line.dropFirst(at + key.count), as: UTF8.self).trimmingWhitespace()
        return name.isEmpty ? "(yEnc file)" : name
    }

    /// Cheap check before the line scan: a `=ybegin ` at the start of some line.
    static func mayHold(_ content: [UInt8]) -> Bool {
        ByteSearch.offsets(of: begin, in: content).contains { $0 == 0 || content[$0 - 1] == UInt8(ascii: "\n") }
    }
}
