/// Words spelled with digits or signs for letters, read as the word a reader takes them for:
/// `C0nfidential`, `CONF|DENT|AL`, `R3STRICTED`, `R€STRICTED`, `$ECRET`, `D0 NOT FORWARD`, and
/// `l` for `i` in `Confldential`. A word is read so only when it spells one of the policy's
/// words (`MarkingWords`), so codes such as "A1", "B4" or "Internal|Confidential" (a sign
/// between two words) stay as written.
enum SpelledWords {
    /// Each sign, and the capitals it may stand for (the likelier first). Punctuation past
    /// ASCII that is drawn like an ASCII sign (`¡`) was read as that sign already
    /// (`MarkerReading`); those below are symbols a reader takes for a letter (`©`, `∅`, `∪`,
    /// `│`), letters with a stroke that ICU does not fold (`Ø`, `Ł`, `Ð`), and letters of
    /// Cyrillic and Greek written for the Latin letter they look like in "faux Cyrillic"
    /// (`ЯESTRICTED`, `ИOT FOR CIRCULATION`, `CΘNFIDENTIAL`), which ICU's confusables table
    /// does not take for Latin (their skeletons are themselves). They are read so only inside
    /// a word that then spells one of the policy's words, so Russian, Greek, Polish or Danish
    /// text is left as it is.
    private static let signs: [(sign: String, letters: String)] = [
        ("0", "O"), ("1", "IL"), ("3", "E"), ("4", "A"), ("5", "S"), ("7", "T"), ("|", "IL"), ("!", "I"), ("$", "S"), ("@", "AO"),
        ("+", "T"),
        // Symbols.
        ("€", "E"), ("£", "EL"), ("∑", "E"), ("⋿", "E"), ("℮", "E"), ("∈", "E"), ("∃", "E"), ("¢", "C"), ("©", "C"), ("⊂", "C"),
        ("₵", "C"), ("∅", "O"), ("○", "O"), ("◯", "O"), ("⭘", "O"), ("⭕", "O"), ("◎", "O"), ("⊕", "O"), ("⊙", "O"), ("⊘", "O"),
        ("¤", "O"), ("®", "R"), ("¥", "Y"), ("∪", "U"), ("⋃", "U"), ("⊔", "U"), ("∩", "N"), ("⋂", "N"), ("∏", "N"), ("⊤", "T"),
        ("⟙", "T"), ("×", "X"), ("⨯", "X"), ("╳", "X"), ("∨", "V"), ("√", "V"), ("∆", "A"), ("∧", "A"), ("₦", "N"), ("₩", "W"),
        ("₣", "F"), ("₱", "P"), ("฿", "B"), ("₫", "D"), ("₮", "T"), ("₳", "A"),
        // Upright bars and rules.
        ("│", "IL"), ("┃", "IL"), ("║", "IL"), ("┆", "IL"), ("┇", "IL"), ("╎", "IL"), ("╏", "IL"), ("¦", "IL"), ("∣", "IL"),
        ("⎪", "IL"), ("⎮", "IL"), ("⏐", "IL"), ("⏽", "IL"), ("❘", "IL"), ("❙", "IL"), ("❚", "IL"), ("￨", "IL"),
        // Letters with a stroke or turned.
        ("Ø", "O"), ("ø", "O"), ("Ð", "D"), ("ð", "D"), ("Ł", "L"), ("ł", "LI"), ("Ǝ", "E"), ("Ɍ", "R"), ("ᴙ", "R"), ("Ɇ", "E"),
        ("ɇ", "E"), ("Ⱡ", "L"), ("Ƭ", "T"), ("Ƨ", "S"), ("Ɽ", "R"), ("ɨ", "I"), ("Ϲ", "C"),
        // Letters of other scripts that "fancy text" generators use (Canadian syllabics, Hangul).
        ("ᑕ", "C"), ("ᗝ", "O"), ("ᑎ", "N"), ("ᖴ", "F"), ("ᗪ", "D"), ("ᗴ", "E"), ("ᗩ", "A"), ("ᒪ", "L"), ("ᖇ", "R"), ("ᔕ", "S"),
        ("ᗷ", "B"), ("ᗰ", "M"), ("ᑌ", "U"), ("ᐯ", "V"), ("ᗯ", "W"), ("ᕼ", "H"), ("ᑭ", "P"), ("ᄃ", "C"), ("ᄂ", "L"),
        // Faux Cyrillic and Greek.
        ("Я", "R"), ("я", "R"), ("И", "N"), ("и", "N"), ("Л", "N"), ("П", "N"), ("п", "N"), ("Ц", "U"), ("Ш", "W"), ("ш", "W"),
        ("Щ", "W"), ("Э", "E"), ("Є", "E"), ("Ф", "O"), ("Б", "B"), ("Ч", "Y"), ("Д", "A"), ("Ж", "X"), ("Ө", "O"), ("ө", "O"),
        ("Δ", "A"), ("Λ", "A"), ("Σ", "E"), ("Ξ", "E"), ("Π", "N"), ("Φ", "O"), ("Θ", "O"), ("Ω", "O"), ("Ψ", "Y"), ("Γ", "F"),
        ("λ", "A"), ("π", "N"), ("θ", "O"), ("ε", "E"), ("σ", "O"),
    ]

    /// The capitals each ASCII sign may stand for, by byte.
    private static let asciiSigns: [[UInt8]] = {
        var table = [[UInt8]](repeating: [], count: 128)
        for (sign, letters) in signs where sign.utf8.count == 1 { table[Int(sign.utf8.first!)] = Array(letters.utf8) }
        return table
    }()

    /// Signs past ASCII, by scalar value, with their capitals.
    private static let wideSigns: [UInt32: [UInt8]] = Dictionary(
        uniqueKeysWithValues: signs.filter { $0.sign.utf8.count > 1 }.map { ($0.sign.unicodeScalars.first!.value, Array($0.letters.utf8)) })

    /// The byte a sign past ASCII standing alone takes while spaced-out letters are joined
    /// (`MarkerText`): one byte, as each letter of a run is.
    static let standIn: UInt8 = 0x02

    /// `bytes` with each sign past ASCII that stands alone (no letter or digit right before or
    /// after it: `© O N F…`), bars aside, as `standIn`, and those signs in order; `bytes`
    /// unchanged when it holds the stand-in byte itself.
    static func standingIn(_ bytes: [UInt8]) -> (bytes: [UInt8], signs: [[UInt8]]) {
        guard !bytes.contains(standIn) else { return (bytes, []) }
        // The signs standing alone, where they are. Not bars: between spaced letters they are
        // the gap (`C │ O │ N`), not a letter.
        var alone: [(range: Range<Int>, value: UInt32)] = []
        var i = 0
        while i < bytes.count {
            guard bytes[i] >= 0xC2, let (value, length) = scalar(in: bytes, at: i) else {
                i += 1
                continue
            }
            if let letters = wideSigns[value], letters != bars, i == 0 || !MarkerText.isWordByte(bytes[i - 1]),
               i + length == bytes.count || !MarkerText.isWordByte(bytes[i + length]) {
                alone.append((i..<(i + length), value))
            }
            i += length
        }
        // A sign standing alone three times or more is the gap between spaced letters
        // (`C × O × N`, `R Ø E Ø S`), not one of them.
        var counts: [UInt32: Int] = [:]
        for sign in alone { counts[sign.value, default: 0] += 1 }
        alone.removeAll { counts[$0.value, default: 0] >= 3 }
        // Most lines have none: nothing is copied for them.
        guard !alone.isEmpty else { return (bytes, []) }
        var result: [UInt8] = [], copied = 0
        result.reserveCapacity(bytes.count)
        for sign in alone {
            result += bytes[copied..<sign.range.lowerBound]
            result.append(standIn)
            copied = sign.range.upperBound
        }
        result += bytes[copied...]
        return (result, alone.map { Array(bytes[$0.range]) })
    }

    private static let bars = Array("IL".utf8)

    /// `bytes` with each `standIn` byte the next of `signs` again.
    static func puttingBack(_ signs: [[UInt8]], into bytes: [UInt8]) -> [UInt8] {
        var result: [UInt8] = [], next = 0
        result.reserveCapacity(bytes.count + signs.count * 3)
        for byte in bytes {
            if byte == standIn, next < signs.count {
                result += signs[next]
                next += 1
            } else {
                result.append(byte)
            }
        }
        return result
    }

    /// The scalar value that starts at `i` and its length in bytes; nil when no well-formed
    /// UTF-8 character starts there (a continuation byte, a cut sequence).
    private static func scalar(in bytes: [UInt8], at i: Int) -> (UInt32, Int)? {
        var parser = Unicode.UTF8.ForwardParser()
        var iterator = bytes[i...].makeIterator()
        guard case .valid(let encoded) = parser.parseScalar(from: &iterator) else { return nil }
        return (Unicode.UTF8.decode(encoded).value, encoded.count)
    }

    /// Whether `byte` may be read as `capital` in a spelled word (the marker prefilter's test).
    static func mayRead(_ byte: UInt8, as capital: UInt8) -> Bool {
        if byte == UInt8(ascii: "l") { return capital == UInt8(ascii: "I") }
        return byte < 0x80 && asciiSigns[Int(byte)].contains(capital)
    }

    /// One character of a word: where it is, and the capitals it may be read as.
    private struct Unit {
        var range: Range<Int>
        /// The byte as written, upper-cased (0 for a sign past ASCII).
        var written: UInt8
        /// What it may be read as: a letter itself (`l` also as `I`), a sign its letters.
        var readings: [UInt8]
        var kind: Kind
        enum Kind { case capital, small, digit, sign }
    }

    /// `bytes` with each spelled word read as the word it spells.
    static func folding(_ bytes: [UInt8], words: MarkingWords) -> [UInt8] {
        var result: [UInt8] = []
        var copied = 0
        var i = 0
        while i < bytes.count {
            guard let first = unit(in: bytes, at: i) else {
                i += 1
                continue
            }
            // A word: a run of letters, digits and signs. A letter past ASCII in it or beside
            // it makes it a word of another script, which is left alone.
            var units = [first]
            var end = first.range.upperBound
            while end < bytes.count, let next = unit(in: bytes, at: end) {
                units.append(next)
                end = next.range.upperBound
            }
            let foreign = isLetter(startingAt: end, in: bytes) || isLetter(endingBefore: i, in: bytes)
            i = end
            guard !foreign, let (low, high, spelled) = reading(of: units, words: words) else { continue }
            result += bytes[copied..<units[low].range.lowerBound]
            for index in low..<high {
                let unit = units[index]
                guard spelled[index - low] != unit.written else {
                    result += bytes[unit.range]
                    continue
                }
                // A sign takes the case of the letters beside it ("C0nfidential" reads "Confidential").
                let lower = (index > 0 && units[index - 1].kind == .small) || (index + 1 < units.count && units[index + 1].kind == .small)
                result.append(lower ? spelled[index - low] | 0x20 : spelled[index - low])
            }
            copied = units[high - 1].range.upperBound
        }
        guard copied > 0 else { return bytes }
        result += bytes[copied...]
        return result
    }

    /// The units `low..<high` of a word and what they spell, when that is one of `words` and
    /// not the word as written: the whole word first, then without signs at its ends that may
    /// be punctuation ("|RESTRICTED|", "$ECRET" is tried whole first).
    private static func reading(of units: [Unit], words: MarkingWords) -> (Int, Int, [UInt8])? {
        guard units.contains(where: { $0.readings != [$0.written] }) else { return nil }
        var low = 0, high = units.count
        for _ in 0..<2 {
            let word = units[low..<high]
            // A letter among the units, or five units or more with a sign past ASCII among them
            // ("fancy text" made wholly of signs: ₵Ø₦₣ł₫Ɇ₦₮ł₳Ⱡ); not a number.
            let lettered = word.contains(where: { $0.kind == .capital || $0.kind == .small })
                || word.count >= 5 && word.contains(where: { $0.kind == .sign && $0.written == 0 })
            if word.count >= 2, lettered, words.hasWord(ofLength: word.count),
               let spelled = spelling(word, words: words) {
                return (low, high, spelled)
            }
            while low < high, units[low].kind == .sign { low += 1 }
            while high > low, units[high - 1].kind == .sign { high -= 1 }
            guard low > 0 || high < units.count, low < high else { break }
        }
        return nil
    }

    /// The first reading of the units that spells one of `words` and is not the word as
    /// written. At most four characters are read more than one way (sixteen tries or fewer
    /// with signs of two letters).
    private static func spelling(_ units: ArraySlice<Unit>, words: MarkingWords) -> [UInt8]? {
        let written = units.map(\.written)
        var spelled = units.map { $0.readings[0] }
        let choices = Array(units.indices.filter { units[$0].readings.count > 1 }.prefix(4))
        var counters = [Int](repeating: 0, count: choices.count)
        while true {  // each pass advances the counters; ends after the last combination
            for (slot, index) in choices.enumerated() { spelled[index - units.startIndex] = units[index].readings[counters[slot]] }
            if spelled != written, words.contains(spelled) { return spelled }
            var slot = 0
            while slot < choices.count {
                counters[slot] += 1
                if counters[slot] < units[choices[slot]].readings.count { break }
                counters[slot] = 0
                slot += 1
            }
            if slot == choices.count { return nil }
        }
    }

    /// Whether a letter past ASCII starts at `i` (a dash or quote past ASCII is no letter).
    private static func isLetter(startingAt i: Int, in bytes: [UInt8]) -> Bool {
        guard i < bytes.count, bytes[i] >= 0xC0, let (value, _) = scalar(in: bytes, at: i) else { return false }
        return Unicode.Scalar(value)?.properties.isAlphabetic ?? false
    }

    /// Whether a letter past ASCII ends just before `i`.
    private static func isLetter(endingBefore i: Int, in bytes: [UInt8]) -> Bool {
        guard i > 0, bytes[i - 1] >= 0x80 else { return false }
        var start = i - 1
        while start > 0, i - start < 4, bytes[start] & 0xC0 == 0x80 { start -= 1 }
        return isLetter(startingAt: start, in: bytes)
    }

    /// The unit at `i`: an ASCII letter or digit, or a sign; nil for anything else.
    private static func unit(in bytes: [UInt8], at i: Int) -> Unit? {
        let byte = bytes[i]
        switch byte {
        case 0x41...0x5A:
            return Unit(range: i..<(i + 1), written: byte, readings: [byte], kind: .capital)
        case UInt8(ascii: "l"):
            return Unit(range: i..<(i + 1), written: 0x4C, readings: [0x4C, 0x49], kind: .small)  // L, or I
        case 0x61...0x7A:
            return Unit(range: i..<(i + 1), written: byte - 0x20, readings: [byte - 0x20], kind: .small)
        case 0..<0x80:
            let letters = asciiSigns[Int(byte)]
            let digit = (0x30...0x39).contains(byte)
            if !letters.isEmpty { return Unit(range: i..<(i + 1), written: byte, readings: letters, kind: digit ? .digit : .sign) }
            if digit { return Unit(range: i..<(i + 1), written: byte, readings: [byte], kind: .digit) }
            return nil
        default:
            // Only a lead byte starts a character; the table is asked once per character.
            guard let (value, length) = scalar(in: bytes, at: i), let letters = wideSigns[value] else { return nil }
            return Unit(range: i..<(i + length), written: 0, readings: letters, kind: .sign)
        }
    }
}
