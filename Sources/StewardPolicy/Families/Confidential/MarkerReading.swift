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
/// - Every dash (Unicode's dash punctuation, and the minus sign) reads as `-`, except the en and
///   em dashes, which the marking rule names and keeps as written.
enum MarkerReading {
    static func bytes(of scalar: Unicode.Scalar) -> [UInt8] {
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

    /// A character that needs no mapping: nothing when invisible, `-` for a dash, else itself.
    private static func plain(_ scalar: Unicode.Scalar) -> [UInt8] {
        if scalar.properties.isDefaultIgnorableCodePoint { return [] }
        if scalar.value == 0x2013 || scalar.value == 0x2014 { return Array(String(scalar).utf8) }
        if scalar.properties.generalCategory == .dashPunctuation || scalar.value == 0x2212 { return [UInt8(ascii: "-")] }
        return Array(String(scalar).utf8)
    }

    private static func compute(_ scalar: Unicode.Scalar) -> [UInt8] {
        if scalar.properties.isDefaultIgnorableCodePoint { return [] }
        var result: [UInt8] = []
        for plain in String(scalar).precomposedStringWithCompatibilityMapping.unicodeScalars {
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
