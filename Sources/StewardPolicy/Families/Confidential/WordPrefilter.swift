/// A quick test of whether ASCII text may hold any of a few words, in any case, standing as
/// words: the marker search's way past text that cannot hold a marking. One pass over the
/// bytes, comparing only where a byte could start one of the words.
struct WordPrefilter {
    struct Word: Hashable {
        /// Upper-case bytes.
        var bytes: [UInt8]
        /// Whether a letter or digit right after the word rules it out (CONFIDENTIALLY, NOTE).
        var endsAtWordEnd: Bool
    }

    /// The words by the byte they start with (either case).
    private var starting = [[Word]](repeating: [], count: 128)
    /// Whether any word starts with the byte: tested first, as a flat table, since most bytes
    /// start none (looking into `starting` costs a reference count each time).
    private var starts = [Bool](repeating: false, count: 128)
    /// Set when a word cannot be tested here (it has a byte past ASCII).
    private var anyText = false

    /// Bytes that start a word only as a look-alike of its capital (`0FFICIAL`, `lNTERNAL`), and
    /// the bytes such a word may have second: a digit is that common in a spreadsheet that it
    /// is only looked at further when the next byte could carry on one of these words.
    private var lookalikeStarts = [Bool](repeating: false, count: 128)
    private var lookalikeSeconds = [Bool](repeating: false, count: 128)

    init(words: [Word]) {
        for word in Set(words) where !word.bytes.isEmpty {
            guard word.bytes.allSatisfy({ $0 < 0x80 }) else { anyText = true; continue }
            var firsts: Set<UInt8> = [word.bytes[0]]
            if (0x41...0x5A).contains(word.bytes[0]) { firsts.insert(word.bytes[0] | 0x20) }
            for first in firsts {
                starting[Int(first)].append(word)
                starts[Int(first)] = true
            }
            for lookalike in (0x21...0x7E).filter({ Self.isLookalike($0, of: word.bytes[0]) }) {
                if !firsts.contains(lookalike) { starting[Int(lookalike)].append(word) }
                lookalikeStarts[Int(lookalike)] = true
                // A one-letter word has no second byte: any byte may follow it.
                // The second letter in either case ("|nternal", "3mbargoed").
                let second = word.bytes.count > 1 ? word.bytes[1] : 0
                let seconds = word.bytes.count > 1
                    ? [second, (0x41...0x5A).contains(second) ? second | 0x20 : second] + (0x21...0x7E).filter { Self.isLookalike($0, of: second) }
                    : Array(0..<128)
                for second in seconds { lookalikeSeconds[Int(second)] = true }
            }
        }
    }

    /// False only when `text` is all ASCII and none of the words stands in it: a word counts
    /// unless a letter is right before it (when it starts with one) or, for `endsAtWordEnd`, a
    /// letter or digit right after it. Looser than the marker search's own word test, never
    /// stricter, so text it rules out holds no marking.
    func mayContain(_ text: String) -> Bool {
        if anyText { return true }
        var text = text
        return text.withUTF8 { mayContain($0, pastASCII: true) }
    }

    /// The same test of a line the marker search has already normalised (`MarkerText.upper`):
    /// look-alikes of other scripts, spaced-out letters and invisible characters are read by
    /// then, so a byte past ASCII left in it is a letter or sign no word here is made of, and
    /// the rest of the line is still tested. Lets the search pass over each line of text in
    /// other scripts, or of binary read as text, that holds no word of a marking.
    func mayContain(normalised bytes: [UInt8]) -> Bool {
        if anyText { return true }
        return bytes.withUnsafeBufferPointer { mayContain($0, pastASCII: false) }
    }

    /// `pastASCII`: whether a byte past ASCII may hold a word (the text is not yet normalised).
    private func mayContain(_ bytes: UnsafeBufferPointer<UInt8>, pastASCII: Bool) -> Bool {
        starts.withUnsafeBufferPointer { starts in
            for index in bytes.indices {
                let byte = bytes[index]
                if byte >= 0x80 {
                    if pastASCII { return true }
                    continue
                }
                if !starts[Int(byte)] {
                    guard lookalikeStarts[Int(byte)], index + 1 < bytes.count, bytes[index + 1] < 0x80,
                        lookalikeSeconds[Int(bytes[index + 1])]
                    else { continue }
                }
                if index > 0, Self.isLetter(bytes[index - 1]), Self.isLetter(byte) { continue }
                for word in starting[Int(byte)] where Self.matches(word, bytes, at: index) { return true }
            }
            return false
        }
    }

    private static func matches(_ word: Word, _ bytes: UnsafeBufferPointer<UInt8>, at start: Int) -> Bool {
        let end = start + word.bytes.count
        guard end <= bytes.count else { return false }
        for offset in 1..<word.bytes.count {
            let byte = bytes[start + offset]
            let upper = (0x61...0x7A).contains(byte) ? byte - 0x20 : byte
            if upper != word.bytes[offset], !Self.isLookalike(byte, of: word.bytes[offset]) { return false }
        }
        if word.endsAtWordEnd, end < bytes.count, MarkerText.isWordByte(bytes[end]) { return false }
        return true
    }

    /// What a marker search may read as a capital: `l` inside a word of capitals (`MarkerText`'s
    /// `foldingCapitalLookalikes`: CONFlDENTlAL), and the digits and signs a word may be spelled
    /// with (`SpelledWords`: C0nfidential, CONF|DENT|AL).
    private static func isLookalike(_ byte: UInt8, of capital: UInt8) -> Bool { SpelledWords.mayRead(byte, as: capital) }

    private static func isLetter(_ byte: UInt8) -> Bool { (0x41...0x5A).contains(byte) || (0x61...0x7A).contains(byte) }
}
