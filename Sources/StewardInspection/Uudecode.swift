/// A uuencoded file found inside a text part (`begin 644 name` … `end`).
struct UuencodedBlock: Sendable, Hashable {
    /// The file name from the `begin` line.
    var filename: String
    /// Decoded bytes (possibly cut short by the byte budget).
    var bytes: [UInt8]
    /// True when the byte budget ran out before the block's end.
    var truncated: Bool
}

/// Finds and decodes uuencoded blocks in a text part's decoded bytes. The format is a line
/// discipline, not MIME: `begin <octal mode> <name>`, lines whose first character gives the
/// line's byte count (`(c - 32) & 63`) followed by 4-character groups of 6-bit values, then a
/// zero-length line (`` ` `` or space) and `end`. A block with no `end` is decoded to where the text stops.
enum Uudecode {
    static func blocks(in text: [UInt8], byteBudget: Int, maxBlocks: Int) -> [UuencodedBlock] {
        var blocks: [UuencodedBlock] = []
        var current: UuencodedBlock?
        var dataEnded = false
        var budget = max(0, byteBudget)

        func finish() {
            if let block = current { blocks.append(block) }
            current = nil
        }

        var lineStart = 0
        let count = text.count
        while lineStart < count, blocks.count < maxBlocks {
            var lineEnd = lineStart
            while lineEnd < count, text[lineEnd] != UInt8(ascii: "\n") { lineEnd += 1 }
            let next = lineEnd + 1
            var end = lineEnd
            if end > lineStart, text[end - 1] == UInt8(ascii: "\r") { end -= 1 }
            let line = text[lineStart..<end]
            lineStart = next

            if current == nil {
                if let name = beginLineFilename(line) {
                    current = UuencodedBlock(filename: name, bytes: [], truncated: false)
                    dataEnded = false
                }
                continue
            }
            if isEndLine(line) {
                finish()
                continue
            }
            if dataEnded || line.isEmpty { continue }
            let length = Int((line[line.startIndex] &- 32) & 63)
            if length == 0 {
                dataEnded = true
                continue
            }
            if current!.truncated { continue }
            var decoded = decodeLine(line.dropFirst(), length: length)
            if decoded.count > budget {
                decoded.removeLast(decoded.count - budget)
                current!.truncated = true
            }
            budget -= decoded.count
            current!.bytes.append(contentsOf: decoded)
        }
        if blocks.count < maxBlocks { finish() }
        return blocks
    }

    /// `begin 644 name.ext` → `name.ext`; nil for any other line.
    static func beginLineFilename(_ line: ArraySlice<UInt8>) -> String? {
        let prefix = Array("begin ".utf8)
        guard line.count > prefix.count, line.starts(with: prefix) else { return nil }
        var index = line.startIndex + prefix.count
        let modeStart = index
        while index < line.endIndex, (UInt8(ascii: "0")...UInt8(ascii: "7")).contains(line[index]) { index += 1 }
        let modeLength = index - modeStart
        guard (3...4).contains(modeLength), index < line.endIndex, line[index] == UInt8(ascii: " ") else { return nil }
        let name = String(decoding: line[(index + 1)...], as: UTF8.self).trimmingWhitespace()
        return name.isEmpty ? nil : name
    }

    static func isEndLine(_ line: ArraySlice<UInt8>) -> Bool {
        let trimmed = line.reversed().drop(while: { $0 == UInt8(ascii: " ") || $0 == UInt8(ascii: "\t") })
        return Array(trimmed.reversed()) == Array("end".utf8)
    }

    /// Decodes one line's groups of four characters into at most `length` bytes. Characters
    /// missing at the end of a line (some encoders drop trailing spaces) count as zero.
    static func decodeLine(_ chars: ArraySlice<UInt8>, length: Int) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(length)
        var index = chars.startIndex
        func sixBits() -> UInt8 {
            guard index < chars.endIndex else { return 0 }
            defer { index += 1 }
            return (chars[index] &- 32) & 63
        }
        while out.count < length {
            let a = sixBits(), b = sixBits(), c = sixBits(), d = sixBits()
            let bytes = [a << 2 | b >> 4, (b & 0x0F) << 4 | c >> 2, (c & 0x03) << 6 | d]
            for byte in bytes where out.count < length { out.append(byte) }
        }
        return out
    }
}

extension String {
    func trimmingWhitespace() -> String {
        var scalars = Substring(self)
        while let first = scalars.first, first == " " || first == "\t" { scalars.removeFirst() }
        while let last = scalars.last, last == " " || last == "\t" { scalars.removeLast() }
        return String(scalars)
    }
}
