import StewardCore

/// BinHex 4.0 (`.hqx`): a Macintosh file as text — six bits a character, run-length coded, a
/// header naming the file, then its data fork. Mail clients on the Mac still open it, so the
/// file inside is judged like any attachment.
///
/// Written here because no library on Debian decodes it (macutils has only command-line tools)
/// and the format is small (RFC 1741): every length is checked against what was decoded.
enum BinHex {
    /// The start of the banner line (BinHex 4.0 writes "with BinHex 4.0)", macutils "; you knew
    /// that already.)").
    static let banner = Array("(This file must be converted".utf8)
    private static let alphabet = Array(##"!"#$%&'()*+,-012345689@ABCDEFGHIJKLMNPQRSTUVXYZ[`abcdefhijklmpqr"##.utf8)
    private static let values: [UInt8: UInt8] = {
        var table: [UInt8: UInt8] = [:]
        for (index, byte) in alphabet.enumerated() { table[byte] = UInt8(index) }
        return table
    }()

    /// The data fork and the file's name, or nil when the text holds no whole BinHex file.
    static func decode(_ text: [UInt8]) -> CarriedFiles.Carried? {
        guard let bannerAt = ByteSearch.offsets(of: banner, in: text, limit: 1).first,
              let start = text[(bannerAt + banner.count)...].firstIndex(of: UInt8(ascii: ":")) else { return nil }
        // Six-bit characters up to the closing colon; line ends and spaces are ignored.
        var sixBits: [UInt8] = []
        var i = start + 1
        while i < text.count, text[i] != UInt8(ascii: ":") {
            if let value = values[text[i]] { sixBits.append(value) } else if ![0x0A, 0x0D, 0x20, 0x09].contains(text[i]) { return nil }
            i += 1
        }
        var packed: [UInt8] = []
        packed.reserveCapacity(sixBits.count * 3 / 4)
        var index = 0
        while index + 1 < sixBits.count {
            let group = sixBits[index..<min(index + 4, sixBits.count)].map(UInt32.init) + [UInt32](repeating: 0, count: max(0, index + 4 - sixBits.count))
            let bits = group[0] << 18 | group[1] << 12 | group[2] << 6 | group[3]
            let available = min(3, (min(index + 4, sixBits.count) - index) * 6 / 8)
            for shift in [16, 8, 0].prefix(available) { packed.append(UInt8((bits >> UInt32(shift)) & 0xFF)) }
            index += 4
        }
        // Run-length coding: 0x90 n repeats the byte before it n-1 more times; 0x90 0 is 0x90.
        var bytes: [UInt8] = []
        bytes.reserveCapacity(packed.count)
        var j = 0
        while j < packed.count {
            let byte = packed[j]
            if byte == 0x90, j + 1 < packed.count {
                let count = Int(packed[j + 1])
                if count == 0 {
                    bytes.append(0x90)
                } else if let last = bytes.last, count > 1 {
                    bytes.append(contentsOf: repeatElement(last, count: count - 1))
                }
                j += 2
            } else {
                bytes.append(byte)
                j += 1
            }
            if bytes.count > 1 << 30 { return nil }
        }
        var reader = LittleEndianReader(bytes)
        guard let nameLength = reader.bytes(1)?.first, let name = reader.bytes(Int(nameLength)),
              reader.bytes(1 + 4 + 4 + 2) != nil,  // version, type, creator, flags
              let dataLength = reader.bytes(4).map({ $0.reduce(0) { $0 << 8 | Int($1) } }),
              reader.bytes(4 + 2) != nil,  // resource fork length, header CRC
              let data = reader.bytes(dataLength)
        else { return nil }
        return CarriedFiles.Carried(name: String(decoding: name, as: UTF8.self), bytes: data)
    }
}
