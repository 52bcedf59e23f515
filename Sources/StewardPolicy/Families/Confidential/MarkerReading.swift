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
/// - A letter of another script that ICU's confusables table (UTS #39) takes for one Latin
///   letter or digit reads as that letter; ICU writes `I` as `l`, so an upper-case letter read
///   as `l` reads `I`. Letters that look like nothing Latin (most Cyrillic, Greek, Arabic
///   text) are kept as they are, so other languages are never read as English.
/// - Every dash (Unicode's dash punctuation, and the minus sign) reads as `-`, except the en and
///   em dashes, which the marking rule names and keeps as written.
enum MarkerReading {
    static func bytes(of scalar: Unicode.Scalar) -> [UInt8] {
        if let known = cache.withLock({ $0[scalar.value] }) { return known }
        let reading = compute(scalar)
        cache.withLock { cache in
            // Bounded: a text in any one script uses a few hundred characters at most.
            if cache.count >= 65_536 { cache.removeAll(keepingCapacity: true) }
            cache[scalar.value] = reading
        }
        return reading
    }

    private static let cache = Mutex<[UInt32: [UInt8]]>([:])

    private static func compute(_ scalar: Unicode.Scalar) -> [UInt8] {
        if scalar.properties.isDefaultIgnorableCodePoint { return [] }
        var result: [UInt8] = []
        for plain in String(scalar).precomposedStringWithCompatibilityMapping.unicodeScalars {
            if plain.isASCII {
                result.append(UInt8(plain.value))
            } else if plain.properties.isDefaultIgnorableCodePoint {
                continue
            } else if plain.value == 0x2013 || plain.value == 0x2014 {
                result.append(contentsOf: String(plain).utf8)
            } else if plain.properties.generalCategory == .dashPunctuation || plain.value == 0x2212 {
                result.append(UInt8(ascii: "-"))
            } else if let latin = latinLookalike(plain) {
                result.append(latin)
            } else {
                result.append(contentsOf: String(plain).utf8)
            }
        }
        return result
    }

    /// The one Latin letter or digit `scalar` is confusable with, if any.
    private static func latinLookalike(_ scalar: Unicode.Scalar) -> UInt8? {
        guard scalar.properties.isAlphabetic || scalar.properties.numericType != nil else { return nil }
        let skeleton = Confusables.skeleton(String(scalar)).unicodeScalars
        guard skeleton.count == 1, let only = skeleton.first, only.isASCII,
              only.properties.isAlphabetic || (0x30...0x39).contains(only.value) else { return nil }
        if only == "l", scalar.properties.isUppercase { return UInt8(ascii: "I") }
        return UInt8(only.value)
    }
}
