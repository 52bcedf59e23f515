/// Text cut into lower-case words for the chain-letter search, each word knowing its sentence.
///
/// Apostrophes are dropped inside words (`don't`, `don’t` and `dont` read alike), `e-mail` reads
/// as `email`, and sentences end at `.`, `!`, `?` and blank lines (a wrapped line does not end
/// one). Works on UTF-8 bytes: it runs on the text of every message.
struct ChainWords {
    let words: [String]
    /// The sentence each word is in (an increasing number).
    let sentences: [Int]

    init(_ text: Substring) {
        var words: [String] = []
        var sentences: [Int] = []
        var word: [UInt8] = []
        var sentence = 0
        var newlines = 0
        let bytes = Array(text.utf8)
        var index = 0
        func endWord() {
            guard !word.isEmpty else { return }
            words.append(String(decoding: word, as: UTF8.self))
            sentences.append(sentence)
            word.removeAll(keepingCapacity: true)
        }
        while index < bytes.count {
            let byte = bytes[index]
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "0")...UInt8(ascii: "9"):
                word.append(byte)
                newlines = 0
            case UInt8(ascii: "A")...UInt8(ascii: "Z"):
                word.append(byte + 0x20)
                newlines = 0
            case UInt8(ascii: "'"):
                break
            case UInt8(ascii: "-") where word == [UInt8(ascii: "e")]:
                break  // e-mail
            case UInt8(ascii: "."), UInt8(ascii: "!"), UInt8(ascii: "?"):
                endWord()
                sentence += 1
            case 0x0A:
                endWord()
                newlines += 1
                if newlines == 2 { sentence += 1 }
            case 0xE2 where index + 2 < bytes.count && bytes[index + 1] == 0x80 && (bytes[index + 2] == 0x98 || bytes[index + 2] == 0x99):
                index += 2  // ‘ ’ as apostrophes
            case 0x80...:
                word.append(byte)  // letters of other scripts stay in the word
                newlines = 0
            case 0x0D, 0x20, 0x09:
                endWord()
            default:
                endWord()
                newlines = 0
            }
            index += 1
        }
        endWord()
        self.words = words
        self.sentences = sentences
    }

    var count: Int { words.count }

    /// The index after the last word of the sentence word `index` is in (bounded by `limit` words).
    func sentenceEnd(from index: Int, limit: Int) -> Int {
        var end = index
        let last = min(words.count, index + limit)
        while end < last, sentences[end] == sentences[index] { end += 1 }
        return end
    }

    /// Where `phrase` (already split) occurs as consecutive words.
    func firstOccurrence(of phrase: [String]) -> Int? {
        guard let first = phrase.first, phrase.count <= words.count else { return nil }
        var index = 0
        while index + phrase.count <= words.count {
            if words[index] == first, words[index..<(index + phrase.count)].elementsEqual(phrase) { return index }
            index += 1
        }
        return nil
    }

    /// Every place `phrase` (already split) occurs as consecutive words.
    func occurrences(of phrase: [String]) -> [Int] {
        guard !phrase.isEmpty, phrase.count <= words.count else { return [] }
        return (0...(words.count - phrase.count)).filter { words[$0..<($0 + phrase.count)].elementsEqual(phrase) }
    }

    func text(_ range: Range<Int>) -> String { words[range].joined(separator: " ") }
}
