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

    /// `spacedWords`: the words a spaced-out run made of them is split back into.
    init(_ line: Substring, spacedWords: SpacedWords? = nil) {
        var result: [UInt8] = []
        result.reserveCapacity(line.utf8.count)
        var lastWasSpace = true
        // Letters spaced out are joined before white space is collapsed: a wider gap between
        // spaced words ("S T R I C T L Y   C O N F I D E N T I A L") stays a word break.
        let spaced = line.utf8.withContiguousStorageIfAvailable { Self.joinableRun(in: $0, from: 0) != nil }
            ?? (Self.joinableRun(in: Array(line.utf8), from: 0) != nil)
        let source = spaced ? Substring(String(decoding: Self.joiningSpacedLetters(Array(line.utf8), words: spacedWords), as: UTF8.self)) : line
        for scalar in source.unicodeScalars {
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

    /// Whether `text` has a run `joiningSpacedLetters` would join (the marker search's
    /// prefilter looks for whole words, which a spaced-out marking is not).
    static func mayHoldSpacedLetters(_ text: String) -> Bool {
        var text = text
        return text.withUTF8 { bytes in
            joinableRun(in: bytes, from: 0) != nil
        }
    }

    /// The first run of five or more single letters, each one apart from the next by the same
    /// one space, hyphen or dot, at or after `start`: its first and last letters' offsets.
    private static func joinableRun<C: RandomAccessCollection<UInt8>>(in bytes: C, from start: Int) -> (first: Int, last: Int)?
    where C.Index == Int {
        func isLetter(_ i: Int) -> Bool {
            i >= bytes.startIndex && i < bytes.endIndex && ((0x41...0x5A).contains(bytes[i]) || (0x61...0x7A).contains(bytes[i]))
        }
        var i = start
        while i + 8 < bytes.endIndex {
            if isLetter(i), !isLetter(i - 1), !isLetter(i + 1), [0x20, 0x2D, 0x2E].contains(bytes[i + 1]) {
                let separator = bytes[i + 1]
                var end = i
                while end + 2 < bytes.endIndex, bytes[end + 1] == separator, isLetter(end + 2), !isLetter(end + 3) { end += 2 }
                if (end - i) / 2 + 1 >= 5 { return (i, end) }
                i = end + 1
                continue
            }
            i += 1
        }
        return nil
    }

    /// Letters spaced out to be read as a word (`C O N F I D E N T I A L`, `C-O-N-F-…`,
    /// `C.O.N.F.…`) joined into that word: five or more single letters, each one apart from
    /// the next by the same one space, hyphen or dot. A run made wholly of `words` gets its word
    /// breaks back ("STRICTLY CONFIDENTIAL" from one evenly spaced run).
    static func joiningSpacedLetters(_ bytes: [UInt8], words: SpacedWords? = nil) -> [UInt8] {
        guard var run = joinableRun(in: bytes, from: 0) else { return bytes }
        var result: [UInt8] = []
        result.reserveCapacity(bytes.count)
        var copied = 0
        while true {
            result += bytes[copied..<run.first]
            let letters = stride(from: run.first, through: run.last, by: 2).map { bytes[$0] }
            result += words?.split(letters[...]) ?? letters
            copied = run.last + 1
            guard let next = joinableRun(in: bytes, from: copied) else { break }
            run = next
        }
        result += bytes[copied...]
        return result
    }

    /// Lines of a text, each normalised. Splits on line-end bytes (LF, CR; U+2028/2029 are rare
    /// enough to be read as spaces), which is much cheaper than splitting on Characters: a large
    /// spreadsheet has hundreds of thousands of cells, each one line.
    static func lines(of text: String, spacedWords: SpacedWords? = nil) -> [MarkerText] {
        let utf8 = text.utf8
        guard utf8.contains(where: { $0 == 0x0A || $0 == 0x0D }) else {
            let line = MarkerText(text[...], spacedWords: spacedWords)
            return line.bytes.isEmpty ? [] : [line]
        }
        return text.utf8.split(whereSeparator: { $0 == 0x0A || $0 == 0x0D })
            .compactMap { Substring($0) }.map { MarkerText($0, spacedWords: spacedWords) }.filter { !$0.bytes.isEmpty }
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
