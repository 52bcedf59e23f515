import StewardCore

/// Files embedded in a OneNote section (`.one`), which OneNote shows as icons that open with a
/// double click: in 2023 a common way to send a script or program. Each is stored whole as a
/// FileDataStoreObject ([MS-ONESTORE] 2.6.13): a header GUID, the data's length (64 bits), 12
/// reserved bytes, the data, then a footer GUID.
///
/// Written here: no library on Debian reads OneNote files, and only this one structure is
/// needed. Its name is kept elsewhere (in a property set); the file is judged by its content.
enum OneNoteFiles {
    /// {7B5C52E4-D88C-4DA7-AEB1-5378D02996D3}, a OneNote section's file format GUID, as stored.
    static let signature: [UInt8] = [0xE4, 0x52, 0x5C, 0x7B, 0x8C, 0xD8, 0xA7, 0x4D, 0xAE, 0xB1, 0x53, 0x78, 0xD0, 0x29, 0x96, 0xD3]
    /// {BDE316E7-2665-4511-A4C4-8D4D0B7A9EAC}, a FileDataStoreObject's header.
    private static let header: [UInt8] = [0xE7, 0x16, 0xE3, 0xBD, 0x65, 0x26, 0x11, 0x45, 0xA4, 0xC4, 0x8D, 0x4D, 0x0B, 0x7A, 0x9E, 0xAC]

    static func isOneNote(_ head: ArraySlice<UInt8>) -> Bool { head.starts(with: signature) }

    /// At most `maxFiles` files of at most `maxBytes` bytes in all. A file ends where the next
    /// header starts, if that is before its stated end: files never overlap, so no byte is
    /// copied twice and a header cannot swallow the ones after it.
    static func files(in bytes: [UInt8], maxFiles: Int, maxBytes: Int) -> [CarriedFiles.Carried] {
        var files: [CarriedFiles.Carried] = []
        var budget = maxBytes
        let headers = ByteSearch.offsets(of: header, in: bytes)
        for (index, at) in headers.enumerated() {
            guard files.count < maxFiles, budget > 0 else { break }
            let lengthAt = at + 16
            guard lengthAt + 8 <= bytes.count else { continue }
            var length = 0
            for index in 0..<7 { length |= Int(bytes[lengthAt + index]) << (8 * index) }  // 56 bits: no overflow
            let start = lengthAt + 8 + 12
            guard length > 0, bytes[lengthAt + 7] == 0, start <= bytes.count, length <= bytes.count - start else { continue }
            let end = min(start + length, index + 1 < headers.count ? max(start, headers[index + 1]) : bytes.count, start + budget)
            guard end > start else { continue }
            files.append(CarriedFiles.Carried(name: "(file embedded in the OneNote page \(files.count + 1))", bytes: Array(bytes[start..<end])))
            budget -= end - start
        }
        return files
    }
}
