/// The words of the policy's markings, qualifiers and leading markers, for two readings that
/// must never make a word the policy does not name:
/// - A spaced-out run of letters split back into words. "S T R I C T L Y C O N F I D E N T I A
///   L" written with one space throughout loses its word break when its letters are joined
///   ("STRICTLYCONFIDENTIAL"); it is split again only when the whole run is made of these
///   words, so "c o n f i d e n t i a l i t y" or "u n r e s t r i c t e d" stay single words
///   and never read as a marking.
/// - A word written with digits or signs for letters (`C0nfidential`, `CONF|DENT|AL`) read as
///   the word it spells only when that is one of these words (`MarkerText`).
struct MarkingWords: Sendable {
    /// Upper-case ASCII words, longest first (then in alphabetical order, so a split is always the same).
    private let words: [[UInt8]]
    private let known: Set<[UInt8]>
    private let lengths: Set<Int>

    /// Whether `word` (upper-case ASCII letters) is one of the words.
    func contains(_ word: [UInt8]) -> Bool { known.contains(word) }
    func hasWord(ofLength length: Int) -> Bool { lengths.contains(length) }

    /// The letters-only words of `phrases` (upper-case ASCII, single spaces, as `MarkerSearch.key`).
    init(phrases: [[UInt8]]) {
        var seen: Set<[UInt8]> = []
        words = phrases.flatMap { $0.split(separator: 0x20).map(Array.init) }
            .filter { !$0.isEmpty && $0.allSatisfy { (0x41...0x5A).contains($0) } && seen.insert($0).inserted }
            .sorted { $0.count != $1.count ? $0.count > $1.count : $0.lexicographicallyPrecedes($1) }
        known = seen
        lengths = Set(seen.map(\.count))
    }

    /// `letters` (ASCII letters) with a space between its words (as they are when they are one
    /// word), or nil when it is not made wholly of the words. Dynamic programming over the run's
    /// offsets: at most `letters.count × words.count` comparisons, and a run is one line's.
    func split(_ letters: ArraySlice<UInt8>) -> [UInt8]? {
        let upper = letters.map { (0x61...0x7A).contains($0) ? $0 - 0x20 : $0 }
        guard !words.isEmpty, !upper.isEmpty else { return nil }
        // wordAt[i]: the length of a word that starts at i and from whose end the rest splits.
        var wordAt = [Int?](repeating: nil, count: upper.count + 1)
        wordAt[upper.count] = 0
        for start in stride(from: upper.count - 1, through: 0, by: -1) {
            wordAt[start] = words.first { word in
                start + word.count <= upper.count && wordAt[start + word.count] != nil
                    && upper[start..<(start + word.count)].elementsEqual(word)
            }?.count
        }
        guard wordAt[0] != nil else { return nil }
        var result: [UInt8] = []
        var offset = letters.startIndex
        var i = 0
        while i < upper.count, let length = wordAt[i] {
            if i > 0 { result.append(0x20) }
            result += letters[offset..<(offset + length)]
            offset += length
            i += length
        }
        return result
    }
}
