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
    /// Whether the line was plain ASCII and read as typed: no spaced-out letters joined and no
    /// digit or sign read as a letter. A wrapped sentence's last word is such a line; a line a
    /// sender disguised is not.
    let readAsTyped: Bool
    /// Whether the line stands apart in its text: blank lines (or the text's start and end)
    /// before and after it. A wrapped sentence's last word does not (`lines(of:)` sets it).
    var standsApart = true

    /// `markingWords`: the words a spaced-out run made of them is split back into.
    init(_ line: Substring, markingWords: MarkingWords? = nil) {
        // 1. Each character as read (`MarkerReading`); every space one plain space, not yet
        //    collapsed, so the gaps between spaced-out words stay wider than those between
        //    their letters. Text after a right-to-left override is shown reversed, so it is
        //    read reversed.
        var read: [UInt8] = []
        read.reserveCapacity(line.utf8.count)
        MarkerReading.inShownOrder(line.unicodeScalars) { Self.append($0, to: &read) }
        // 2. Letters spaced out joined into words; 3. white space collapsed. A sign past ASCII
        //    standing alone among them (`© O N F…`, `C Θ N F…`) takes one byte while the runs
        //    are found, so the run keeps one stride, and is put back after.
        let (standIns, signs) = markingWords == nil ? (read, []) : SpelledWords.standingIn(read)
        var joined = Self.joiningSpacedLetters(standIns, words: markingWords)
        let joinedNothing = joined.count == standIns.count
        if !signs.isEmpty { joined = SpelledWords.puttingBack(signs, into: joined) }
        var result: [UInt8] = []
        result.reserveCapacity(joined.count)
        var lastWasSpace = true
        for byte in joined {
            if byte == 0x20 {
                if !lastWasSpace { result.append(0x20) }
                lastWasSpace = true
            } else {
                result.append(byte)
                lastWasSpace = false
            }
        }
        if result.last == 0x20 { result.removeLast() }
        let folded = result
        // 4. Capitals written with look-alike digits or `l` (C0NFIDENTIAL, CONFlDENTlAL), and
        //    the policy's words spelled with digits or signs (C0nfidential, CONF|DENT|AL).
        if let markingWords { result = SpelledWords.folding(result, words: markingWords) }
        Self.foldingCapitalLookalikes(&result)
        bytes = result
        upper = Self.matchingForm(result)
        readAsTyped = joinedNothing && folded == result && Self.isPlainText(line)
    }

    /// ASCII, or past ASCII only punctuation and spaces (a mail program's curly quotes and dashes).
    private static func isPlainText(_ line: Substring) -> Bool {
        line.utf8.allSatisfy { $0 < 0x80 } || line.unicodeScalars.allSatisfy { scalar in
            if scalar.isASCII { return true }
            switch scalar.properties.generalCategory {
            case .spaceSeparator, .dashPunctuation, .initialPunctuation, .finalPunctuation, .otherPunctuation,
                 .openPunctuation, .closePunctuation:
                return true
            default:
                return false
            }
        }
    }

    /// One character as read, appended: white space as a space, `_` as a space (`DO_NOT_FORWARD`),
    /// other characters by `MarkerReading`, which also turns punctuation and symbols past ASCII
    /// into the ASCII mark they stand for.
    private static func append(_ scalar: Unicode.Scalar, to bytes: inout [UInt8]) {
        switch scalar.value {
        case 0x09, 0x0B, 0x0C, 0x0D, 0x20, 0x5F, 0xA0, 0x1680, 0x2000...0x200A, 0x2028, 0x2029, 0x202F, 0x205F, 0x2800, 0x3000:
            bytes.append(0x20)
        case 0..<0x80:
            bytes.append(UInt8(scalar.value))
        default:
            bytes += MarkerReading.bytes(of: scalar)
        }
    }

    /// What a symbol past ASCII (emoji, arrows, ™) is in `upper`: never part of a word, never
    /// a separator, and text beside a marking like a letter (`Confidential 📞 0800 123 456` is a
    /// helpline's advert, not a marking alone on its line).
    static let symbol: UInt8 = 0x01

    /// The bytes upper-cased for matching, with the en and em dashes (kept as written for the
    /// findings' quotes) as hyphens of the same length, so they are never part of a word, and
    /// each byte of a symbol as `symbol`.
    private static func matchingForm(_ bytes: [UInt8]) -> [UInt8] {
        var upper = bytes.map { (0x61...0x7A).contains($0) ? $0 - 0x20 : $0 }
        guard upper.contains(where: { $0 >= 0x80 }) else { return upper }
        var offset = 0
        for scalar in String(decoding: bytes, as: UTF8.self).unicodeScalars {
            let length = UTF8.width(scalar)
            defer { offset += length }
            guard !scalar.isASCII, offset + length <= upper.count else { continue }
            if scalar.value == 0x2013 || scalar.value == 0x2014 {
                upper.replaceSubrange(offset..<(offset + length), with: [UInt8](repeating: 0x2D, count: length))
            } else if [.otherSymbol, .mathSymbol, .modifierSymbol, .currencySymbol].contains(scalar.properties.generalCategory) {
                upper.replaceSubrange(offset..<(offset + length), with: [UInt8](repeating: symbol, count: length))
            }
        }
        return upper
    }

    /// In a word of at least three capitals and no other lower-case letter, `l` reads `I`, `0`
    /// reads `O` and `1` reads `I`: in most typefaces a reader cannot tell them apart there.
    /// Only marker searches read this text, so a postcode or a code read this way costs nothing.
    static func foldingCapitalLookalikes(_ bytes: inout [UInt8]) {
        var start = 0
        while start < bytes.count {
            guard isWordByte(bytes[start]) else {
                start += 1
                continue
            }
            var end = start
            var capitals = 0, others = 0, lookalikes = 0
            while end < bytes.count, isWordByte(bytes[end]) {
                switch bytes[end] {
                case 0x41...0x5A: capitals += 1
                case UInt8(ascii: "l"), UInt8(ascii: "0"), UInt8(ascii: "1"): lookalikes += 1
                default: others += 1
                }
                end += 1
            }
            if capitals >= 3, lookalikes > 0, others == 0 {
                for i in start..<end {
                    switch bytes[i] {
                    case UInt8(ascii: "l"), UInt8(ascii: "1"): bytes[i] = UInt8(ascii: "I")
                    case UInt8(ascii: "0"): bytes[i] = UInt8(ascii: "O")
                    default: break
                    }
                }
            }
            start = end
        }
    }

    /// A line already normalised (`droppingReplyPrefixes`).
    init(normalised: [UInt8], readAsTyped: Bool) {
        bytes = normalised
        upper = Self.matchingForm(normalised)
        self.readAsTyped = readAsTyped
    }

    var string: String { String(decoding: bytes, as: UTF8.self) }

    /// Whether `text` has a run `joiningSpacedLetters` would join (the marker search's
    /// prefilter looks for whole words, which a spaced-out marking is not).
    static func mayHoldSpacedLetters(_ text: String) -> Bool {
        var text = text
        return text.withUTF8 { bytes in
            // A run has five characters and four gaps, three of them letters at least: most
            // cells of a workbook (numbers, short words) are ruled out before the scan.
            guard bytes.count >= 9 else { return false }
            var letters = 0
            for byte in bytes where (0x61...0x7A).contains(byte | 0x20) {  // an ASCII letter, either case
                letters += 1
                if letters == 3 { break }
            }
            guard letters == 3 else { return false }
            // A line has tabs, other ASCII white space and `_` as spaces (`append`): so here.
            guard bytes.contains(where: { (0x09...0x0C).contains($0) || $0 == 0x5F }) else { return joinableRun(in: bytes, from: 0) != nil }
            return joinableRun(in: bytes.map { (0x09...0x0C).contains($0) || $0 == 0x5F ? 0x20 : $0 }, from: 0) != nil
        }
    }

    /// The separators a spaced-out run may use between its letters.
    private static let letterSeparators: Set<UInt8> = Set(" -.*/|~+:,;='".utf8)

    /// The first run of five or more single letters, digits or signs (three of them letters at
    /// least: `C 0 N F I D E N T I A L`), each one apart from the next by the same gap (one to
    /// five spaces and separators, or a symbol with spaces, the same each time: `C O N`,
    /// `C     O     N`, `C * O * N`, `C, O, N`, `C ✓ O ✓ N`), at or after `start`: its first and
    /// last letters' offsets and the distance between letters.
    private static func joinableRun<C: RandomAccessCollection<UInt8>>(in bytes: C, from start: Int) -> (first: Int, last: Int, gap: Int)?
    where C.Index == Int {
        func isASCIILetter(_ i: Int) -> Bool { (0x41...0x5A).contains(bytes[i]) || (0x61...0x7A).contains(bytes[i]) }
        // A digit or a sign that may stand for a letter (`!`, `$`, `@`, a sign past ASCII's
        // stand-in; `SpelledWords` reads the joined word) is one of the run's letters:
        // `C O N F ! D E N T ! A L`.
        func isLetter(_ i: Int) -> Bool {
            i >= bytes.startIndex && i < bytes.endIndex
                && (isASCIILetter(i) || (0x30...0x39).contains(bytes[i]) || bytes[i] == 0x21 || bytes[i] == 0x24 || bytes[i] == 0x40
                    || bytes[i] == SpelledWords.standIn)
        }
        /// The width of the gap after the letter at `i`, if it is one to five separators (or up
        /// to ten bytes with a symbol's among them) followed by a single letter.
        func gap(after i: Int) -> Int? {
            var width = 0
            // Bytes past ASCII are a symbol's (C│O│N│F…, C ✓ O ✓ N…, C 🔒 O 🔒 N…): the gap must be
            // the same each time, so a word of another script between letters does not make one.
            // Five spaces or marks at most, or ten bytes with a symbol among them.
            var symbol = false
            while width < 10, i + 1 + width < bytes.endIndex {
                let byte = bytes[i + 1 + width]
                guard letterSeparators.contains(byte) || byte >= 0x80 else { break }
                symbol = symbol || byte >= 0x80
                width += 1
            }
            guard width > 0, width <= 5 || symbol, isLetter(i + 1 + width), !isLetter(i + 2 + width) else { return nil }
            return width
        }
        func sameGap(_ a: Int, _ b: Int, width: Int) -> Bool {
            (1...width).allSatisfy { bytes[a + $0] == bytes[b + $0] }
        }
        var i = max(start, bytes.startIndex)
        while i + 8 < bytes.endIndex {
            if isLetter(i), !isLetter(i - 1), !isLetter(i + 1), let width = gap(after: i) {
                var end = i
                while gap(after: end) == width, sameGap(i, end, width: width) { end += width + 1 }
                if (end - i) / (width + 1) + 1 >= 5,
                   stride(from: i, through: end, by: width + 1).count(where: { isASCIILetter($0) }) >= 3 {
                    return (i, end, width + 1)
                }
                i = max(end, i + 1)  // the last letter may open a run with another gap
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
    static func joiningSpacedLetters(_ bytes: [UInt8], words: MarkingWords? = nil) -> [UInt8] {
        guard var run = joinableRun(in: bytes, from: 0) else { return bytes }
        var result: [UInt8] = []
        result.reserveCapacity(bytes.count)
        var copied = 0
        while true {
            result += bytes[copied..<run.first]
            let letters = stride(from: run.first, through: run.last, by: run.gap).map { bytes[$0] }
            result += words.map { Self.splitting(letters, into: $0) } ?? letters
            copied = run.last + 1
            guard let next = joinableRun(in: bytes, from: copied) else { break }
            run = next
        }
        result += bytes[copied...]
        return result
    }

    /// A joined run split into `words`; failing that, with a single letter at either end kept
    /// apart ("C O N F I D E N T I A L a note", "A C O N F I D E N T I A L note"); else as joined.
    private static func splitting(_ letters: [UInt8], into words: MarkingWords) -> [UInt8] {
        if let split = words.split(letters[...]) { return split }
        if letters.count > 5, let split = words.split(letters.dropLast()) { return split + [0x20, letters[letters.count - 1]] }
        if letters.count > 5, let split = words.split(letters.dropFirst()) { return [letters[0], 0x20] + split }
        return letters
    }

    /// Lines of a text, each normalised. Splits on line-end bytes (LF, CR; U+2028/2029 are rare
    /// enough to be read as spaces), which is much cheaper than splitting on Characters: a large
    /// spreadsheet has hundreds of thousands of cells, each one line.
    static func lines(of text: String, markingWords: MarkingWords? = nil) -> [MarkerText] {
        let utf8 = text.utf8
        guard utf8.contains(where: { $0 == 0x0A || $0 == 0x0D }) else {
            let line = MarkerText(text[...], markingWords: markingWords)
            return line.bytes.isEmpty ? [] : [line]
        }
        // CRLF is one break; a lone CR is one too. Blank lines are kept until each line knows
        // whether it stands apart.
        let all = text.utf8.split(omittingEmptySubsequences: false, whereSeparator: { $0 == 0x0A || $0 == 0x0D })
        var lines: [MarkerText?] = []
        lines.reserveCapacity(all.count)
        var previousWasCR = false
        for piece in all {
            // The empty piece between the CR and LF of a CRLF is no line.
            let isCRLFGap = piece.isEmpty && previousWasCR && piece.startIndex < utf8.endIndex && utf8[piece.startIndex] == 0x0A
            previousWasCR = piece.endIndex < utf8.endIndex && utf8[piece.endIndex] == 0x0D
            if isCRLFGap { continue }
            let line = MarkerText(Substring(piece), markingWords: markingWords)
            lines.append(line.bytes.isEmpty ? nil : line)
        }
        var result: [MarkerText] = []
        for index in lines.indices {
            guard var line = lines[index] else { continue }
            line.standsApart = (index == 0 || lines[index - 1] == nil) && (index == lines.count - 1 || lines[index + 1] == nil)
            result.append(line)
        }
        return result
    }

    static func isWordByte(_ byte: UInt8) -> Bool {
        (0x30...0x39).contains(byte) || (0x41...0x5A).contains(byte) || (0x61...0x7A).contains(byte) || byte >= 0x80
    }

    private static let wordJoiners: Set<UInt8> = Set("-./|+~:*,".utf8)

    /// Where `phrase` ends when it is written at `first`. In a phrase of three words or more
    /// (`joinable`) a space may be written as a hyphen, dot, slash, an en or em dash or another
    /// joiner, with or without spaces around it (NOT-FOR-CIRCULATION, DO.NOT.FORWARD,
    /// NOT – FOR – CIRCULATION, NOT|FOR|CIRCULATION); two joined words are often just one
    /// adjective ("members-only discounts").
    private func matchEnd(of phrase: [UInt8], at first: Int, joinable: Bool) -> Int? {
        var i = first
        for wanted in phrase {
            guard i < upper.count else { return nil }
            if wanted == 0x20, let next = symbolJoinEnd(from: i) {
                i = next  // words joined by a symbol, however many: INTERNAL│ONLY, DO ✓ NOT ✓ FORWARD
            } else if wanted == 0x20, joinable {
                guard let next = joinerEnd(from: i) else { return nil }
                i = next
            } else if upper[i] == wanted {
                i += 1
            } else {
                return nil
            }
        }
        return i
    }

    /// Past a symbol (with a space either side or none) at `i`, if there is one: unlike a
    /// hyphen ("members-only discounts"), a symbol between two words is never an adjective's.
    private func symbolJoinEnd(from i: Int) -> Int? {
        var j = i
        if upper[j] == 0x20 { j += 1 }
        guard j < upper.count, upper[j] == Self.symbol else { return nil }
        while j < upper.count, upper[j] == Self.symbol { j += 1 }
        if j < upper.count, upper[j] == 0x20 { j += 1 }
        return j
    }

    /// Past a space or a joiner (with a space either side or none) at `i`, if there is one.
    private func joinerEnd(from i: Int) -> Int? {
        var j = i
        let spaced = upper[j] == 0x20
        if spaced { j += 1 }
        if j + 2 < upper.count, bytes[j] == 0xE2, upper[j] == 0x2D, upper[j + 1] == 0x2D, upper[j + 2] == 0x2D {
            j += 3  // an en or em dash: three bytes, `---` in the matching form
        } else if j < upper.count, Self.wordJoiners.contains(upper[j]) {
            j += 1
        } else {
            return spaced ? j : nil
        }
        if j < upper.count, upper[j] == 0x20 { j += 1 }
        return j
    }

    /// Ranges where `phrase` (upper-case ASCII, single spaces) stands as whole words.
    func wholeWordRanges(of phrase: [UInt8]) -> [Range<Int>] {
        guard !phrase.isEmpty, phrase.count <= upper.count else { return [] }
        let joinable = phrase.count { $0 == 0x20 } >= 2
        var result: [Range<Int>] = []
        var start = 0
        let last = upper.count - phrase.count
        while start <= last {
            guard let first = upper[start...last].firstIndex(of: phrase[0]) else { break }
            if let end = matchEnd(of: phrase, at: first, joinable: joinable) {
                let before = first == 0 ? 0x20 : upper[first - 1]
                let after = end == upper.count ? 0x20 : upper[end]
                // A letter after the phrase (CONFIDENTIALLY) or before it makes it another word.
                if !Self.isWordByte(before) || !Self.isWordByte(phrase[0]) {
                    if !Self.isWordByte(after) || !Self.isWordByte(phrase[phrase.count - 1]) {
                        result.append(first..<end)
                    }
                }
            }
            start = first + 1
        }
        return result
    }
}
