import CStewardMSPack
import Foundation

/// Files packed by MS-DOS COMPRESS.EXE (SZDD: `setup.ex_`, and KWAJ), which `expand.exe` and
/// Windows installers unpack: the file inside is judged like any attachment. libmspack does
/// the decoding (the library ClamAV uses); it reads and writes files, so the bytes pass
/// through two private temporary files that are removed at once.
enum MSCompress {
    static let szdd: [UInt8] = [0x53, 0x5A, 0x44, 0x44, 0x88, 0xF0, 0x27, 0x33]
    static let kwaj: [UInt8] = [0x4B, 0x57, 0x41, 0x4A, 0x88, 0xF0, 0x27, 0xD1]

    static func isPacked(_ head: ArraySlice<UInt8>) -> Bool { head.starts(with: szdd) || head.starts(with: kwaj) }

    /// The unpacked file, named after the packed one (`setup.ex_` → `setup.exe`) or by the name a
    /// KWAJ header stores, or nil when it cannot be unpacked within `maxBytes`.
    static func unpack(_ bytes: [UInt8], name: String?, maxBytes: Int) -> CarriedFiles.Carried? {
        let directory = FileManager.default.temporaryDirectory
        let tag = UUID().uuidString
        let input = directory.appendingPathComponent("steward-mspack-\(tag).in").path
        let output = directory.appendingPathComponent("steward-mspack-\(tag).out").path
        defer {
            unlink(input)
            unlink(output)
        }
        guard FileManager.default.createFile(atPath: input, contents: Data(bytes), attributes: [.posixPermissions: 0o600]) else { return nil }
        var missing: CChar = 0
        var original = [CChar](repeating: 0, count: 64)
        let isSZDD = bytes.starts(with: szdd)
        let rc = isSZDD
            ? steward_szdd_extract(input, output, maxBytes, &missing)
            : steward_kwaj_extract(input, output, maxBytes, &original, original.count)
        guard rc == 0, let handle = FileHandle(forReadingAtPath: output) else { return nil }
        defer { try? handle.close() }
        guard let data = try? handle.read(upToCount: maxBytes + 1), data.count <= maxBytes else { return nil }
        var unpackedName = name ?? "(unpacked file)"
        if isSZDD, let name, name.hasSuffix("_"), missing != 0 {
            unpackedName = String(name.dropLast()) + String(UnicodeScalar(UInt8(bitPattern: missing)))
        }
        // A KWAJ file names what EXPAND.EXE writes out: that is the name the member will see.
        let stored = String(decoding: original.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        if !isSZDD, !stored.isEmpty { unpackedName = stored }
        return CarriedFiles.Carried(name: unpackedName, bytes: Array(data))
    }
}
