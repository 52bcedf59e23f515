import StewardCore

/// Objects embedded in an RTF document (`{\object … {\*\objdata 0105…}}`): Word shows each as
/// an icon or picture and opens it with a double click, so a program packed into a letter runs
/// like an attachment. The hex of `\objdata` is an OLE 1.0 object: a header naming its class,
/// then its native data — for an "OLE Package" the file itself with its name, for others
/// (Word.Document, Excel.Sheet, Equation.3…) a compound file judged by its true type.
///
/// Written here because no library on Debian reads it: the format is small
/// ([MS-OLEDS] 2.2.4 ObjectHeader, the Package native stream), and every length is checked.
enum RTFObjects {
    static let maxObjects = 16

    static func objects(in rtf: [UInt8]) -> [CarriedFiles.Carried] {
        var result: [CarriedFiles.Carried] = []
        let keyword = Array("\\objdata".utf8)
        for found in ByteSearch.offsets(of: keyword, in: rtf, limit: maxObjects * 4) where result.count < maxObjects {
            let after = found + keyword.count
            // `\objdata` must end there (not `\objdatax`).
            if after < rtf.count, isLetter(rtf[after]) { continue }
            let data = hexData(rtf, from: after)
            guard !data.isEmpty else { continue }
            result.append(object(from: data, number: result.count + 1))
        }
        return result
    }

    /// The hex digits of the group, decoding pairs; control words inside (an obfuscation trick)
    /// and white space are skipped, and so is all of a nested ignorable group (`{\*\name …}`,
    /// whose text Word does not read as data); the group's closing brace ends it.
    static func hexData(_ rtf: [UInt8], from start: Int) -> [UInt8] {
        var bytes: [UInt8] = []
        var high: UInt8?
        var depth = 0
        // The depth of the ignorable group being skipped, if any.
        var ignoring: Int?
        var i = start
        while i < rtf.count {
            let byte = rtf[i]
            switch byte {
            case UInt8(ascii: "{"):
                depth += 1
                if ignoring == nil, rtf[(i + 1)...].drop(while: { $0 == 0x20 || $0 == 0x0D || $0 == 0x0A }).starts(with: [0x5C, 0x2A]) {
                    ignoring = depth
                }
            case UInt8(ascii: "}"):
                if depth == 0 { return bytes }
                if ignoring == depth { ignoring = nil }
                depth -= 1
            case UInt8(ascii: "\\"):
                i += 1
                while i < rtf.count, isLetter(rtf[i]) { i += 1 }
                while i < rtf.count, rtf[i] == UInt8(ascii: "-") || (0x30...0x39).contains(rtf[i]) { i += 1 }
                if i < rtf.count, rtf[i] != UInt8(ascii: " ") { continue }
            default:
                if ignoring == nil, let value = hexValue(byte) {
                    if let h = high {
                        bytes.append(h << 4 | value)
                        high = nil
                    } else {
                        high = value
                    }
                }
            }
            i += 1
        }
        return bytes
    }

    static func object(from data: [UInt8], number: Int) -> CarriedFiles.Carried {
        var reader = LittleEndianReader(data)
        guard reader.u32() != nil, reader.u32() != nil,  // OLEVersion, FormatID
              let className = reader.lengthPrefixedString(),
              reader.lengthPrefixedString() != nil, reader.lengthPrefixedString() != nil,  // topic, item
              let size = reader.u32(), let native = reader.bytes(Int(size))
        else { return CarriedFiles.Carried(name: "(embedded object \(number))", bytes: data) }
        if className.lowercased().hasPrefix("package"), let file = package(native) { return file }
        let label = className.isEmpty ? "\(number)" : className
        return CarriedFiles.Carried(name: "(embedded object \(label))", bytes: native)
    }

    /// The OLE Package native stream: signature 2, label, original path, a reserved word,
    /// type 3 (an embedded file), the temporary path, then the file's bytes (an optional
    /// leading size first).
    static func package(_ native: [UInt8]) -> CarriedFiles.Carried? {
        for skip in [0, 4] where native.count > skip + 2 {
            var reader = LittleEndianReader(Array(native[skip...]))
            guard reader.u16() == 2, let label = reader.cString(), let path = reader.cString(),
                  reader.u16() != nil, reader.u16() == 3,  // reserved, then 3: an embedded file
                  let pathLength = reader.u32(), reader.bytes(Int(pathLength)) != nil,
                  let length = reader.u32(), let bytes = reader.bytes(Int(length))
            else { continue }
            let name = path.split(whereSeparator: { $0 == "\\" || $0 == "/" }).last.map(String.init) ?? label
            return CarriedFiles.Carried(name: name.isEmpty ? label : name, bytes: bytes)
        }
        return nil
    }

    private static func isLetter(_ byte: UInt8) -> Bool { (0x41...0x5A).contains(byte) || (0x61...0x7A).contains(byte) }

    private static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case 0x30...0x39: byte - 0x30
        case 0x41...0x46: byte - 0x41 + 10
        case 0x61...0x66: byte - 0x61 + 10
        default: nil
        }
    }
}

/// Reads little-endian fields from bytes; nil once a field would run past the end.
struct LittleEndianReader {
    let bytes: [UInt8]
    var offset = 0

    init(_ bytes: [UInt8]) { self.bytes = bytes }

    mutating func bytes(_ count: Int) -> [UInt8]? {
        guard count >= 0, offset + count <= bytes.count else { return nil }
        defer { offset += count }
        return Array(bytes[offset..<(offset + count)])
    }

    mutating func u16() -> UInt16? { bytes(2).map { UInt16($0[0]) | UInt16($0[1]) << 8 } }

    mutating func u32() -> UInt32? {
        bytes(4).map { UInt32($0[0]) | UInt32($0[1]) << 8 | UInt32($0[2]) << 16 | UInt32($0[3]) << 24 }
    }

    /// A 32-bit length, then that many bytes of ANSI text ending in NUL.
    mutating func lengthPrefixedString() -> String? {
        guard let length = u32(), length < 1 << 16, let text = bytes(Int(length)) else { return nil }
        return String(decoding: text.prefix { $0 != 0 }, as: UTF8.self)
    }

    mutating func cString() -> String? {
        guard let end = bytes[offset...].firstIndex(of: 0) else { return nil }
        defer { offset = end + 1 }
        return String(decoding: bytes[offset..<end], as: UTF8.self)
    }
}
