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

    /// `markingWords`: the words a spaced-out run made of them is split back into.
    init(_ line: Substring, markingWords: MarkingWords? = nil) {
        // 1. Each character as read (`MarkerReading`); every space one plain space, not yet
        //    collapsed, so the gaps between spaced-out words stay wider than those between
        //    their letters. Text after a right-to-left override is shown reversed, so it is
        //    read reversed.
        var read: [UInt8] = []
        read.reserveCapacity(line.utf8.count)
        MarkerReading.inShownOrder(line.unicodeScalars) { Self.append($0, to: &read) }
        // 2. Letters spaced out joined into words; 3. white space collapsed.
        let joined = Self.joiningSpacedLetters(read, words: markingWords)
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
        Self.foldingCapitalLookalikes(&result)
        if let markingWords { Self.foldingSpelledWords(&result, words: markingWords) }
        bytes = result
        upper = Self.matchingForm(result)
        readAsTyped = joined.count == read.count && folded == result && Self.isPlainText(line)
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

    /// The letter a digit or sign stands for when a word is spelled with it (`C0nfidential`,
    /// `CONF|DENT|AL`, `R3STRICTED`, `$ECRET`), by byte (ASCII only; 0 for none).
    static let letterSigns: [UInt8] = {
        var table = [UInt8](repeating: 0, count: 128)
        for (sign, letter) in zip("013457|!$@".utf8, "OIEASTIISA".utf8) { table[Int(sign)] = letter }
        return table
    }()

    private static func sign(_ byte: UInt8) -> UInt8? { byte < 0x80 && letterSigns[Int(byte)] != 0 ? letterSigns[Int(byte)] : nil }
    private static func isASCIILetter(_ byte: UInt8) -> Bool { (0x41...0x5A).contains(byte) || (0x61...0x7A).contains(byte) }

    /// A word made of letters and at least one digit or sign of `letterSigns` is read as the
    /// word it spells, but only when that is one of the policy's words (`MarkingWords`): "C0nfidential"
    /// and "CONF|DENT|AL" read as CONFIDENTIAL; "A1", "B4" or "Internal|Confidential" (a sign
    /// between two words) stay as written. Signs at either end may be the word's or punctuation
    /// around it ("$ECRET", "|RESTRICTED|"): both are tried.
    static func foldingSpelledWords(_ bytes: inout [UInt8], words: MarkingWords) {
        var start = 0
        while start < bytes.count {
            guard isWordByte(bytes[start]) || sign(bytes[start]) != nil else {
                start += 1
                continue
            }
            var end = start
            var letters = 0, signs = 0, others = 0
            while end < bytes.count, isWordByte(bytes[end]) || sign(bytes[end]) != nil {
                if isASCIILetter(bytes[end]) { letters += 1 } else if sign(bytes[end]) != nil { signs += 1 } else { others += 1 }
                end += 1
            }
            defer { start = end }
            guard signs > 0, letters >= 2, others == 0 else { continue }
            var low = start, high = end
            for _ in 0..<2 {  // as written, then without punctuation signs at its ends
                let spelled = bytes[low..<high].map { sign($0) ?? ((0x61...0x7A).contains($0) ? $0 - 0x20 : $0) }
                if spelled != Array(bytes[low..<high]).map({ (0x61...0x7A).contains($0) ? $0 - 0x20 : $0 }), words.contains(spelled) {
                    // Each sign takes the case of the letter before it (or after it, at the start).
                    for i in low..<high where sign(bytes[i]) != nil && !isASCIILetter(bytes[i]) {
                        let beside = (low..<i).last(where: { isASCIILetter(bytes[$0]) }) ?? ((i + 1)..<high).first(where: { isASCIILetter(bytes[$0]) })
                        let lower = beside.map { (0x61...0x7A).contains(bytes[$0]) } ?? false
                        bytes[i] = lower ? spelled[i - low] | 0x20 : spelled[i - low]
                    }
                    break
                }
                while low < high, !isWordByte(bytes[low]) { low += 1 }
                while high > low, !isWordByte(bytes[high - 1]) { high -= 1 }
            }
        }
    }

    /// A line already normalised (`droppingReplyPrefixes`).
    private init(normalised: [UInt8], readAsTyped: Bool) {
        bytes = normalised
        upper = Self.matchingForm(normalised)
        self.readAsTyped = readAsTyped
    }

    /// The prefixes mail programs put before a subject they reply to or forward, in the
    /// languages members' programs use (RE, FW, FWD; AW, WG; SV, VS, VB; TR, RIF, ENC, RV, R, I;
    /// ODP, PD; YNT, ILT; ANTW), and the banners gateways add (EXTERNAL, URGENT).
    /// Kept as `MarkerText` reads them (Greek `ΑΠ` reads `AΠ`), upper-cased, so they compare
    /// with a line's own reading. Banners of more than one word (`EXTERNAL EMAIL:`) are read word
    /// by word.
    private static let replyPrefixes: Set<[UInt8]> = Set(
        ["RE", "FW", "FWD", "AW", "WG", "SV", "VS", "VB", "TR", "RIF", "ENC", "RV", "R", "I", "ODP", "PD", "YNT", "ILT",
         "ANTW", "ANTWORT", "RES", "REF", "TRS", "WTR", "FS", "DOORST", "DOORSTUREN", "VL", "VÁ", "TOV", "TOVÁBBÍTÁS",
         "ΑΠ", "ΣΧΕΤ", "ΠΡΘ", "ΠΡΟΩΘ", "回复", "回覆", "答复", "转发", "轉寄", "轉發", "返信", "転送", "회신", "답장", "전달",
         "EXTERNAL", "EXT", "CAUTION", "WARNING", "URGENT", "IMPORTANT"]
            .map { MarkerText(Substring($0)).upper })
    /// Words that may follow a prefix in a banner ("EXTERNAL EMAIL:", "CAUTION EXTERNAL SENDER:"),
    /// never a prefix alone ("Message: Members only" is a field).
    private static let bannerWords: Set<[UInt8]> = Set(["EXTERNAL", "EMAIL", "E-MAIL", "MAIL", "SENDER", "MESSAGE"].map { Array($0.utf8) })

    /// The line without the reply and forward prefixes and bracketed tags it opens with
    /// (`FW: RE[2]: [EXTERNAL]`), or nil when it opens with none.
    func droppingReplyPrefixes() -> MarkerText? {
        var i = 0
        func skipSpaces() { while i < upper.count, upper[i] == 0x20 { i += 1 } }
        while true {  // each pass moves `i` forward or stops
            skipSpaces()
            guard i < upper.count else { break }
            if upper[i] == UInt8(ascii: "["), let close = upper[i...].firstIndex(of: UInt8(ascii: "]")) {
                // "[Fwd: Confidential - pay offer]", as older programs forward: the inside.
                if close == upper.count - 1, close > i + 1 {
                    let inner = MarkerText(normalised: Array(bytes[(i + 1)..<close]), readAsTyped: readAsTyped)
                    return inner.droppingReplyPrefixes() ?? inner
                }
                i = close + 1
                continue
            }
            // A banner set off by asterisks or brackets: **EXTERNAL**, (EXTERNAL), <EXTERNAL>.
            if let banner = Self.banner(in: upper, at: i) {
                i = banner
                continue
            }
            var end = i
            while end < upper.count, Self.isPrefixByte(upper[end]) { end += 1 }
            guard end > i, Self.replyPrefixes.contains(Array(upper[i..<end])) else { break }
            var next = end
            // More words of a banner: "EXTERNAL EMAIL:", "CAUTION EXTERNAL SENDER:".
            while next < upper.count, upper[next] == 0x20 {
                var wordEnd = next + 1
                while wordEnd < upper.count, Self.isPrefixByte(upper[wordEnd]) { wordEnd += 1 }
                guard wordEnd > next + 1, Self.bannerWords.contains(Array(upper[(next + 1)..<wordEnd])) else { break }
                next = wordEnd
            }
            // A count: RE[2]: or RE(2):
            if next < upper.count, upper[next] == UInt8(ascii: "[") || upper[next] == UInt8(ascii: "(") {
                var digits = next + 1
                while digits < upper.count, (0x30...0x39).contains(upper[digits]) { digits += 1 }
                if digits > next + 1, digits < upper.count, upper[digits] == UInt8(ascii: "]") || upper[digits] == UInt8(ascii: ")") { next = digits + 1 }
            }
            while next < upper.count, upper[next] == 0x20 { next += 1 }
            guard next < upper.count, upper[next] == UInt8(ascii: ":") else { break }
            i = next + 1
        }
        guard i > 0, i <= bytes.count else { return nil }
        var rest = Array(bytes[i...])
        while rest.first == 0x20 { rest.removeFirst() }
        return rest.isEmpty ? nil : MarkerText(normalised: rest, readAsTyped: readAsTyped)
    }

    /// Bytes of a reply prefix's word: letters (past ASCII too, for 回复 or ΑΠ) and `-` (E-MAIL).
    private static func isPrefixByte(_ byte: UInt8) -> Bool {
        (0x41...0x5A).contains(byte) || byte >= 0x80 || byte == UInt8(ascii: "-")
    }

    /// The offset past a banner word set off by asterisks or brackets at `i` (`**EXTERNAL**`,
    /// `*EXTERNAL*`, `(EXTERNAL)`, `<EXTERNAL>`), with a `:` or `-` after it if there is one.
    private static func banner(in upper: [UInt8], at i: Int) -> Int? {
        let opening = upper[i...].prefix { $0 == UInt8(ascii: "*") || $0 == UInt8(ascii: "(") || $0 == UInt8(ascii: "<") }
        guard !opening.isEmpty else { return nil }
        var end = opening.endIndex
        while end < upper.count, isPrefixByte(upper[end]) || (upper[end] == 0x20 && end + 1 < upper.count && isPrefixByte(upper[end + 1])) { end += 1 }
        guard end > opening.endIndex,
              let words = Optional(upper[opening.endIndex..<end].split(separator: 0x20).map(Array.init)),
              let first = words.first, replyPrefixes.contains(first), words.dropFirst().allSatisfy(bannerWords.contains) else { return nil }
        let closing = upper[end...].prefix { $0 == UInt8(ascii: "*") || $0 == UInt8(ascii: ")") || $0 == UInt8(ascii: ">") }
        guard !closing.isEmpty else { return nil }
        var next = closing.endIndex
        while next < upper.count, upper[next] == 0x20 { next += 1 }
        if next < upper.count, upper[next] == UInt8(ascii: ":") || upper[next] == UInt8(ascii: "-") { next += 1 }
        return next
    }

    var string: String { String(decoding: bytes, as: UTF8.self) }

    /// Whether `text` has a run `joiningSpacedLetters` would join (the marker search's
    /// prefilter looks for whole words, which a spaced-out marking is not).
    static func mayHoldSpacedLetters(_ text: String) -> Bool {
        var text = text
        return text.withUTF8 { bytes in
            // A line has tabs, other ASCII white space and `_` as spaces (`append`): so here.
            guard bytes.contains(where: { (0x09...0x0C).contains($0) || $0 == 0x5F }) else { return joinableRun(in: bytes, from: 0) != nil }
            return joinableRun(in: bytes.map { (0x09...0x0C).contains($0) || $0 == 0x5F ? 0x20 : $0 }, from: 0) != nil
        }
    }

    /// The separators a spaced-out run may use between its letters.
    private static let letterSeparators: Set<UInt8> = Set(" -.*/|~+:,;".utf8)

    /// The first run of five or more single letters, each one apart from the next by the same
    /// gap (one to four spaces and separators, the same each time: `C O N`, `C    O    N`,
    /// `C * O * N`, `C, O, N`), at or after `start`: its first and last letters' offsets and the distance
    /// between letters.
    private static func joinableRun<C: RandomAccessCollection<UInt8>>(in bytes: C, from start: Int) -> (first: Int, last: Int, gap: Int)?
    where C.Index == Int {
        func isLetter(_ i: Int) -> Bool {
            i >= bytes.startIndex && i < bytes.endIndex && ((0x41...0x5A).contains(bytes[i]) || (0x61...0x7A).contains(bytes[i]))
        }
        /// The width of the gap after the letter at `i`, if it is one to three separators
        /// followed by a single letter.
        func gap(after i: Int) -> Int? {
            var width = 0
            while width < 4, i + 1 + width < bytes.endIndex, letterSeparators.contains(bytes[i + 1 + width]) { width += 1 }
            guard width > 0, isLetter(i + 1 + width), !isLetter(i + 2 + width) else { return nil }
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
                if (end - i) / (width + 1) + 1 >= 5 { return (i, end, width + 1) }
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
        return text.utf8.split(whereSeparator: { $0 == 0x0A || $0 == 0x0D })
            .compactMap { Substring($0) }.map { MarkerText($0, markingWords: markingWords) }.filter { !$0.bytes.isEmpty }
    }

    static func isWordByte(_ byte: UInt8) -> Bool {
        (0x30...0x39).contains(byte) || (0x41...0x5A).contains(byte) || (0x61...0x7A).contains(byte) || byte >= 0x80
    }

    private static let wordJoiners: Set<UInt8> = Set("-./".utf8)

    /// Where `phrase` ends when it is written at `first`. In a phrase of three words or more
    /// (`joinable`) a space may be written as a hyphen, dot, slash or an en or em dash
    /// (NOT-FOR-CIRCULATION, DO.NOT.FORWARD, NOT–FOR–CIRCULATION); two joined words are often
    /// just one adjective ("members-only discounts").
    private func matchEnd(of phrase: [UInt8], at first: Int, joinable: Bool) -> Int? {
        var i = first
        for wanted in phrase {
            guard i < upper.count else { return nil }
            if upper[i] == wanted {
                i += 1
            } else if wanted == 0x20, joinable, bytes[i] == 0xE2, i + 2 < upper.count, upper[i] == 0x2D, upper[i + 2] == 0x2D {
                i += 3  // an en or em dash: three bytes, `---` in the matching form
            } else if wanted == 0x20, joinable, Self.wordJoiners.contains(upper[i]) {
                i += 1
            } else {
                return nil
            }
        }
        return i
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
