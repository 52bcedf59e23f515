/// Text prepared for marker searches, read as a reader sees it: invisible characters removed
/// (zero-width, soft hyphen, joiners: every default-ignorable code point), white space made plain
/// spaces and runs of it collapsed, and characters that only look different written as their
/// plain form (`MarkerReading`: full-width and styled letters, look-alike letters of other
/// scripts, every kind of dash). So `CONFID\u{200D}ENTIAL`, `NOT  FOR\u{00A0}CIRCULATION`,
/// `ＣＯＮＦＩＤＥＮＴＩＡＬ` and a Cyrillic `О` in `CОNFIDENTIAL` read as written.
struct MarkerText {
    /// The line as normalised, in UTF-8.
    let bytes: [UInt8]
    /// The same bytes with ASCII letters upper-cased (same length, so offsets agree).
    let upper: [UInt8]

    init(_ line: Substring) {
        var result: [UInt8] = []
        result.reserveCapacity(line.utf8.count)
        var lastWasSpace = true
        for scalar in line.unicodeScalars {
            switch scalar.value {
            case 0x09, 0x0B, 0x0C, 0x0D, 0x20, 0xA0, 0x2000...0x200A, 0x2028, 0x2029, 0x202F, 0x205F, 0x3000:
                if !lastWasSpace { result.append(0x20) }
                lastWasSpace = true
            case 0..<0x80:
                result.append(UInt8(scalar.value))
                lastWasSpace = false
            default:
                let reading = MarkerReading.bytes(of: scalar)
                guard !reading.isEmpty else { continue }
                result.append(contentsOf: reading)
                lastWasSpace = false
            }
        }
        if result.last == 0x20 { result.removeLast() }
        bytes = result
        upper = result.map { (0x61...0x7A).contains($0) ? $0 - 0x20 : $0 }
    }

    var string: String { String(decoding: bytes, as: UTF8.self) }

    /// Lines of a text, each normalised. Splits on line-end bytes (LF, CR; U+2028/2029 are rare
    /// enough to be read as spaces), which is much cheaper than splitting on Characters: a large
    /// spreadsheet has hundreds of thousands of cells, each one line.
    static func lines(of text: String) -> [MarkerText] {
        let utf8 = text.utf8
        guard utf8.contains(where: { $0 == 0x0A || $0 == 0x0D }) else {
            let line = MarkerText(text[...])
            return line.bytes.isEmpty ? [] : [line]
        }
        return text.utf8.split(whereSeparator: { $0 == 0x0A || $0 == 0x0D })
            .compactMap { Substring($0) }.map(MarkerText.init).filter { !$0.bytes.isEmpty }
    }

    static func isWordByte(_ byte: UInt8) -> Bool {
        (0x30...0x39).contains(byte) || (0x41...0x5A).contains(byte) || (0x61...0x7A).contains(byte) || byte >= 0x80
    }

    /// Ranges where `phrase` (upper-case ASCII, single spaces) stands as whole words.
    func wholeWordRanges(of phrase: [UInt8]) -> [Range<Int>] {
        guard !phrase.isEmpty, phrase.count <= upper.count else { return [] }
        var result: [Range<Int>] = []
        var start = 0
        let last = upper.count - phrase.count
        while start <= last {
            guard let first = upper[start...last].firstIndex(of: phrase[0]) else { break }
            if upper[first..<(first + phrase.count)].elementsEqual(phrase) {
                let before = first == 0 ? 0x20 : upper[first - 1]
                let after = first + phrase.count == upper.count ? 0x20 : upper[first + phrase.count]
                // A letter after the phrase (CONFIDENTIALLY) or before it makes it another word.
                if !Self.isWordByte(before) || !Self.isWordByte(phrase[0]) {
                    if !Self.isWordByte(after) || !Self.isWordByte(phrase[phrase.count - 1]) {
                        result.append(first..<(first + phrase.count))
                    }
                }
            }
            start = first + 1
        }
        return result
    }
}
