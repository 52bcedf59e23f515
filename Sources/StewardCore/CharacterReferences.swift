/// HTML character references as a browser decodes them in a link: numeric (`&#117;`, `&#x75;`,
/// with or without the closing `;`) and the named ones that can spell a URL's punctuation
/// (`&colon;`, `&sol;`, `&period;`, `&commat;`...). Other text is kept as it is. Written here
/// because the link scan reads a part's text as bytes, before and apart from libxml2's parse.
public enum CharacterReferences {
    private static let named: [String: UInt8] = [
        "amp": 0x26, "colon": 0x3A, "sol": 0x2F, "bsol": 0x5C, "period": 0x2E, "commat": 0x40, "percnt": 0x25,
        "quest": 0x3F, "num": 0x23, "equals": 0x3D, "plus": 0x2B, "excl": 0x21, "dollar": 0x24, "lowbar": 0x5F,
        "lt": 0x3C, "gt": 0x3E, "quot": 0x22, "apos": 0x27, "dash": 0x2D, "minus": 0x2D, "hyphen": 0x2D,
        "tab": 0x09, "newline": 0x0A,
    ]

    /// The bytes with references decoded, or nil when there were none.
    public static func decoded(_ bytes: [UInt8]) -> [UInt8]? {
        var result: [UInt8] = []
        var changed = false
        var i = 0
        while i < bytes.count {
            guard bytes[i] == UInt8(ascii: "&"), i + 1 < bytes.count else {
                result.append(bytes[i])
                i += 1
                continue
            }
            if bytes[i + 1] == UInt8(ascii: "#") {
                var j = i + 2
                let hex = j < bytes.count && (bytes[j] | 0x20) == UInt8(ascii: "x")
                if hex { j += 1 }
                var value: UInt32 = 0
                let digitsStart = j
                while j < bytes.count, j - digitsStart < 8, let digit = digitValue(bytes[j], hex: hex) {
                    value = value * (hex ? 16 : 10) + digit
                    j += 1
                }
                if j > digitsStart, let scalar = Unicode.Scalar(value), value != 0 {
                    if j < bytes.count, bytes[j] == UInt8(ascii: ";") { j += 1 }
                    result += Array(String(scalar).utf8)
                    changed = true
                    i = j
                    continue
                }
            } else {
                var j = i + 1
                while j < bytes.count, j - i <= 8, (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(bytes[j] | 0x20) { j += 1 }
                if j < bytes.count, bytes[j] == UInt8(ascii: ";"),
                   let byte = named[String(decoding: bytes[(i + 1)..<j], as: UTF8.self).lowercased()] {
                    result.append(byte)
                    changed = true
                    i = j + 1
                    continue
                }
            }
            result.append(bytes[i])
            i += 1
        }
        return changed ? result : nil
    }

    private static func digitValue(_ byte: UInt8, hex: Bool) -> UInt32? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): UInt32(byte - UInt8(ascii: "0"))
        case UInt8(ascii: "a")...UInt8(ascii: "f") where hex: UInt32(byte - UInt8(ascii: "a") + 10)
        case UInt8(ascii: "A")...UInt8(ascii: "F") where hex: UInt32(byte - UInt8(ascii: "A") + 10)
        default: nil
        }
    }
}
