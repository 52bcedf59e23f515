/// windows-1252 decoded in Swift, as WHATWG's Encoding standard reads it (the five bytes it
/// leaves undefined become the C1 control characters of the same number). A table, because it is
/// one: GMime's charset filter (iconv) retries byte by byte after each of those five bytes, which
/// made a large binary file read as text take minutes under AddressSanitizer, whose iconv
/// interceptor checks the whole rest of the input on every call.
enum Windows1252 {
    private static let high: [Unicode.Scalar] = [
        "\u{20AC}", "\u{81}", "\u{201A}", "\u{192}", "\u{201E}", "\u{2026}", "\u{2020}", "\u{2021}",
        "\u{2C6}", "\u{2030}", "\u{160}", "\u{2039}", "\u{152}", "\u{8D}", "\u{17D}", "\u{8F}",
        "\u{90}", "\u{2018}", "\u{2019}", "\u{201C}", "\u{201D}", "\u{2022}", "\u{2013}", "\u{2014}",
        "\u{2DC}", "\u{2122}", "\u{161}", "\u{203A}", "\u{153}", "\u{9D}", "\u{17E}", "\u{178}",
    ]

    static func decode(_ bytes: [UInt8]) -> String {
        var scalars = String.UnicodeScalarView()
        scalars.reserveCapacity(bytes.count)
        for byte in bytes {
            scalars.append((0x80...0x9F).contains(byte) ? high[Int(byte - 0x80)] : Unicode.Scalar(byte))
        }
        return String(scalars)
    }
}
