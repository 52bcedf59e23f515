import Foundation
import Synchronization

/// How a character past ASCII reads in a marker search: what a reader takes it for. A sender
/// who writes a marking in full-width letters (`ＣＯＮＦＩＤＥＮＴＩＡＬ`), styled letters (𝐂𝐎𝐍𝐅…),
/// with a Cyrillic `О` or Greek `Ε` among Latin letters, or with an unusual dash (U+2212, U+2015)
/// hides it from a byte search but not from the member who reads it.
///
/// - Invisible characters (Unicode's default-ignorable code points: zero-width space and
///   joiners, soft hyphen, combining grapheme joiner, variation selectors) read as nothing.
/// - NFKC's compatibility mapping gives the plain form of full-width, styled, circled and
///   ligature characters (`ﬁ` reads `fi`).
/// - A letter of a script whose letters can pass for Latin ones (Latin's own extensions,
///   Greek, Cyrillic, Armenian, Cherokee, Canadian syllabics, Tifinagh, Lisu, Coptic, Lycian,
///   Carian, Old Italic…) that ICU's confusables table (UTS #39)
///   takes for one Latin letter reads as that letter; ICU writes `I` as `l`, so an upper-case
///   letter read as `l` reads `I`. Other scripts (Hebrew, Arabic, CJK…) and digits of other
///   scripts are kept as they are.
/// - Accents and other combining marks (underlines, strike-through overlays, enclosing circles
///   and keycaps drawn over letters) read as nothing: `ĆÖŃFÏDÉŃTÏÁL` and `C̲O̲N̲F̲…` read as the
///   letters under them.
/// - Small capitals (`ᴄᴏɴꜰ…`) and letters in squares, circles or brackets that NFKC leaves
///   alone (🅲, 🅒, ⒞, regional indicator letters) read as their capital letters.
/// - Every dash (Unicode's dash punctuation, and the minus sign) reads as `-`, except the en and
///   em dashes, which the marking rule names and keeps as written.
/// - Other punctuation past ASCII reads as the ASCII mark it plays the part of: opening and
///   closing quotes as `"`, opening and closing brackets (`「`, `【`) as `(` and `)`, the rest
///   (bullets, middle dots) as `.`: a stop between spaced-out letters, never a tag's separator. So `“CONFIDENTIAL”` and `【Confidential】` read as they
///   look. Symbols (emoji, arrows, ™) stay as written: `MarkerText` keeps them out of words.
enum MarkerReading {
    static func bytes(of scalar: Unicode.Scalar) -> [UInt8] {
        if let letter = enclosedLetter(scalar) { return [letter] }
        if let sign = asciiSign(scalar) { return [sign] }
        let category = scalar.properties.generalCategory
        if category == .nonspacingMark || category == .enclosingMark { return [] }
        // Most characters past ASCII need neither NFKC nor ICU: answered from their properties.
        let needsNFKC = scalar.properties.changesWhenNFKCCaseFolded
        guard needsNFKC || mayLookLatin(scalar) else { return plain(scalar) }
        if let known = cache.withLock({ $0[scalar.value] }) { return known }
        let reading = compute(scalar)
        // Bounded: the characters that reach here are a few thousand at most.
        cache.withLock { cache in
            if cache.count < 16_384 { cache[scalar.value] = reading }
        }
        return reading
    }

    private static let cache = Mutex<[UInt32: [UInt8]]>([:])

    /// Blocks whose letters ICU may take for Latin ones.
    private static func mayLookLatin(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0x00C0...0x058F, 0x13A0...0x13FF, 0x1400...0x167F, 0x1D00...0x1DBF, 0x1E00...0x1FFF, 0x2C60...0x2CFF, 0x2D30...0x2D7F,
             0xA640...0xA69F, 0xA4D0...0xA4FF, 0xA720...0xA7FF, 0xAB30...0xAB6F, 0x10280...0x1034F, 0x10400...0x1044F:
            return scalar.properties.isAlphabetic
        default:
            return false
        }
    }

    /// A character that needs no mapping: nothing when invisible, `-` for a dash, the ASCII
    /// mark for other punctuation and symbols, else itself.
    private static func plain(_ scalar: Unicode.Scalar) -> [UInt8] {
        if scalar.properties.isDefaultIgnorableCodePoint { return [] }
        if scalar.value == 0x2013 || scalar.value == 0x2014 { return Array(String(scalar).utf8) }
        switch scalar.properties.generalCategory {
        case .dashPunctuation: return [UInt8(ascii: "-")]
        case .initialPunctuation, .finalPunctuation: return [UInt8(ascii: "\"")]
        case .openPunctuation: return [UInt8(ascii: "(")]
        case .closePunctuation: return [UInt8(ascii: ")")]
        case .nonspacingMark, .enclosingMark: return []
        case .otherPunctuation, .connectorPunctuation: return [UInt8(ascii: ".")]
        case .mathSymbol where scalar.value == 0x2212: return [UInt8(ascii: "-")]
        default: return Array(String(scalar).utf8)
        }
    }

    /// The ASCII sign a punctuation mark past ASCII is drawn like, where that sign may stand
    /// for a letter (`SpelledWords`): `¡` and the click `ǃ` as `!`, the dagger as `+`, the
    /// Hebrew paseq as `|`. So `CONF¡DENT¡AL` reads as `CONF!DENT!AL` does. (Punctuation is
    /// otherwise read as `.`, and would no longer be a sign.) ICU's confusables table maps
    /// letters, not these marks (its skeleton of `¡` is `¡`), so they are listed here. Bars
    /// drawn as symbols (`│`, `¦`) stay symbols, as a table's rules do not become separators:
    /// `SpelledWords` reads them inside a word.
    private static func asciiSign(_ scalar: Unicode.Scalar) -> UInt8? {
        switch scalar.value {
        case 0x00A1, 0x01C3: return UInt8(ascii: "!")
        case 0x05C0: return UInt8(ascii: "|")
        case 0x2020: return UInt8(ascii: "+")
        // Shapes written as list bullets (`■`, `▪`, `●`, `◦`) read as the bullet `•` does:
        // "● Confidential" on its own line is a marking, as "• Confidential" is. Ticks, empty
        // boxes, radio buttons, diamonds of a map's key and arrows mark an option, a legend or
        // a link ("✓ Free ✓ Confidential", "◉ restricted ○ available"), and stay symbols.
        case 0x25A0, 0x25AA, 0x25AB, 0x25CF, 0x25E6:
            return UInt8(ascii: ".")
        default: return nil
        }
    }

    /// The capital a letter in a square, a circle or brackets stands for, where NFKC leaves it
    /// as it is (negative and parenthesised forms, regional indicators), and small capitals.
    private static func enclosedLetter(_ scalar: Unicode.Scalar) -> UInt8? {
        let value = scalar.value
        for base: UInt32 in [0x1F110, 0x1F130, 0x1F150, 0x1F170] where (base..<(base + 26)).contains(value) {
            return UInt8(0x41 + value - base)
        }
        if (0x1F1E6...0x1F1FF).contains(value) { return UInt8(0x41 + value - 0x1F1E6) }  // regional indicators
        if (0x249C...0x24B5).contains(value) { return UInt8(0x41 + value - 0x249C) }  // ⒜
        // LATIN LETTER SMALL CAPITAL X (ᴄ, ɪ, ꜰ…): Unicode names them so.
        if (0x0250...0x02AF).contains(value) || (0x1D00...0x1D2B).contains(value) || (0xA720...0xA7FF).contains(value),
           let name = scalar.properties.name, name.hasPrefix("LATIN LETTER SMALL CAPITAL "),
           let letter = name.dropFirst("LATIN LETTER SMALL CAPITAL ".count).utf8.first,
           name.count == "LATIN LETTER SMALL CAPITAL ".count + 1, (0x41...0x5A).contains(letter) {
            return letter
        }
        return nil
    }

    private static func compute(_ scalar: Unicode.Scalar) -> [UInt8] {
        if scalar.properties.isDefaultIgnorableCodePoint { return [] }
        var result: [UInt8] = []
        // Accents taken off first (canonical decomposition, marks dropped): `É` reads `E`.
        let bare = String(String.UnicodeScalarView(String(scalar).decomposedStringWithCanonicalMapping.unicodeScalars.filter {
            $0.properties.generalCategory != .nonspacingMark && $0.properties.generalCategory != .enclosingMark
        }))
        let compatible = bare.precomposedStringWithCompatibilityMapping
        // A symbol NFKC spells out in letters (™ as TM, ℡ as TEL) is still a symbol to a reader;
        // one that stands for one letter (Ⓒ) is that letter.
        if [.otherSymbol, .mathSymbol, .modifierSymbol, .currencySymbol].contains(scalar.properties.generalCategory),
           compatible.unicodeScalars.count > 1 {
            return plain(scalar)
        }
        for plain in compatible.unicodeScalars {
            if plain.isASCII {
                result.append(UInt8(plain.value))
            } else if mayLookLatin(plain), let latin = latinLookalike(plain) {
                result.append(latin)
            } else {
                result += Self.plain(plain)
            }
        }
        return result
    }

    /// The one Latin letter `scalar` is confusable with, if any.
    private static func latinLookalike(_ scalar: Unicode.Scalar) -> UInt8? {
        let skeleton = Confusables.skeleton(String(scalar)).unicodeScalars
        guard skeleton.count == 1, let only = skeleton.first, only.isASCII, only.properties.isAlphabetic else { return nil }
        if only == "l", scalar.properties.isUppercase { return UInt8(ascii: "I") }
        return UInt8(only.value)
    }
}

extension MarkerReading {
    /// Calls `body` with each scalar of `scalars` in the order a reader sees them: text after a
    /// right-to-left override (up to the next pop of directional formatting) is shown reversed.
    static func inShownOrder<C: BidirectionalCollection<Unicode.Scalar>>(_ scalars: C, _ body: (Unicode.Scalar) -> Void) {
        var index = scalars.startIndex
        while index < scalars.endIndex {
            let scalar = scalars[index]
            index = scalars.index(after: index)
            if scalar.value == 0x202E {  // RIGHT-TO-LEFT OVERRIDE
                let end = scalars[index...].firstIndex { $0.value == 0x202C } ?? scalars.endIndex
                for reversed in scalars[index..<end].reversed() { body(reversed) }
                index = end
                continue
            }
            body(scalar)
        }
    }
}
