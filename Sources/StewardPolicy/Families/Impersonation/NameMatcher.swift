/// Display names folded so that what looks the same compares the same: case, accents, extra
/// spaces and punctuation, and Unicode confusables (Cyrillic `А`, `0` for `O`, `rn` for `m`).
enum NameFolding {
    /// Words of `text`, folded. The skeleton is taken twice, around lower-casing, so that both
    /// `AIex` (capital I) and `аlex` (Cyrillic) fold to the same words as `Alex`.
    static func words(_ text: String) -> [String] {
        let once = Confusables.skeleton(readable(text)).lowercased()
        let twice = Confusables.skeleton(once).lowercased()
        var words: [String] = []
        var current = String.UnicodeScalarView()
        for scalar in twice.unicodeScalars {
            let properties = scalar.properties
            // Skeletons are in NFD: accents arrive as separate marks and are dropped.
            if properties.generalCategory == .nonspacingMark || properties.generalCategory == .enclosingMark { continue }
            if properties.isAlphabetic || properties.numericType != nil {
                current.append(scalar)
            } else if !current.isEmpty {
                words.append(String(current))
                current = String.UnicodeScalarView()
            }
        }
        if !current.isEmpty { words.append(String(current)) }
        return words
    }

    /// The name as a reader sees it, before its skeleton is taken: each character past ASCII
    /// read as a marker search reads it (`MarkerReading`: full-width and small capital letters,
    /// invisible characters such as the Hangul filler dropped, marks taken off), and text
    /// after a right-to-left override reversed, as it is shown.
    static func readable(_ text: String) -> String {
        guard !text.utf8.allSatisfy({ $0 < 0x80 }) else { return text }
        var bytes: [UInt8] = []
        MarkerReading.inShownOrder(text.unicodeScalars) { scalar in
            if scalar.isASCII {
                bytes.append(UInt8(scalar.value))
            } else if scalar.properties.isWhitespace {
                bytes.append(0x20)
            } else {
                bytes += MarkerReading.bytes(of: scalar)
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}

/// A name or title only certain addresses may show: an official's name, a role title, the
/// union's own name, or a name a branch protects.
struct ProtectedName: Sendable, Hashable {
    enum Owner: Sendable, Hashable {
        /// These addresses, and role addresses that a login of theirs may send as.
        case addresses([String])
        /// Any union address.
        case union
    }

    /// As a person reads it (`Alex Morgan, General Secretary`).
    var label: String
    var words: [String]
    /// A person's name may also be written "Surname, Forename".
    var isPersonName: Bool
    var owner: Owner

    init(label: String, text: String? = nil, isPersonName: Bool, owner: Owner) {
        self.label = label
        self.words = NameFolding.words(text ?? label)
        self.isPersonName = isPersonName
        self.owner = owner
    }

    /// Where these words appear in a folded display name (as a word range), or nil.
    func match(in display: [String]) -> Range<Int>? {
        guard !words.isEmpty else { return nil }
        var forms = [words]
        if isPersonName, words.count >= 2 {
            forms.append(Array(words.reversed()))
            forms.append([words[words.count - 1]] + words.dropLast())  // "Surname, Forename Middle"
        }
        for form in forms {
            let joined = form.joined()
            // Any run of display words that spells the name (catches "AlexMorgan", "Al ex Morgan").
            for start in display.indices {
                var spelled = ""
                for end in start..<display.count {
                    spelled += display[end]
                    if spelled == joined { return start..<(end + 1) }
                    if spelled.count >= joined.count || !joined.hasPrefix(spelled) { break }
                }
            }
        }
        return nil
    }
}
