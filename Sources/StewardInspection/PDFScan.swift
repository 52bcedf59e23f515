import StewardCore

/// PDF name tokens that run code (`/JavaScript`, `/JS`, `/Launch`), encryption (`/Encrypt`),
/// and embedded files named as programs.
///
/// A small token scan instead of a PDF library: the question is only which names occur, and
/// PDF names may hide behind `#xx` escapes (`/J#61vaScript`), which the scan decodes. Stream
/// data is skipped (from `stream` to `endstream`), so random bytes in compressed images
/// cannot look like `/JS`. Not seen: names inside compressed object streams (PDF 1.5 `/ObjStm`).
enum PDFScan {
    /// `%PDF-` within the first 1024 bytes (readers accept junk before it; libmagic does not).
    static func looksLikePDF(_ content: [UInt8]) -> Bool {
        let end = min(content.count, 1024) - 5
        guard end >= 0 else { return false }
        for index in 0...end where content[index] == 0x25 {
            if content[index + 1] == 0x50, content[index + 2] == 0x44, content[index + 3] == 0x46, content[index + 4] == 0x2D {
                return true
            }
        }
        return false
    }

    private static let streamKeyword = Array("stream".utf8)
    private static let endstreamKeyword = Array("endstream".utf8)

    static func markers(_ content: [UInt8]) -> [ContentMarker] {
        var javaScript = false, launch = false, encrypted = false, embedded = false
        var embeddedNames: [String] = []
        var fileNames: [String] = []
        content.withUnsafeBufferPointer { bytes in
            let count = bytes.count
            var index = 0
            var lastName: [UInt8] = []
            while index < count {
                let byte = bytes[index]
                if byte == UInt8(ascii: "/") {
                    var name: [UInt8] = []
                    var cursor = index + 1
                    while cursor < count, !isDelimiter(bytes[cursor]), name.count < 64 {
                        if bytes[cursor] == UInt8(ascii: "#"), cursor + 2 < count,
                           let high = hexValue(bytes[cursor + 1]), let low = hexValue(bytes[cursor + 2]) {
                            name.append(high << 4 | low)
                            cursor += 3
                        } else {
                            name.append(bytes[cursor])
                            cursor += 1
                        }
                    }
                    switch String(decoding: name, as: UTF8.self) {
                    case "JavaScript", "JS": javaScript = true
                    case "Launch": launch = true
                    case "Encrypt": encrypted = true
                    case "EmbeddedFile", "EmbeddedFiles": embedded = true
                    default: break
                    }
                    lastName = name
                    index = cursor
                    continue
                }
                if byte == UInt8(ascii: "("), lastName == Array("F".utf8) || lastName == Array("UF".utf8) {
                    var literal: [UInt8] = []
                    var cursor = index + 1
                    var depth = 1
                    while cursor < count, literal.count < 512 {
                        let c = bytes[cursor]
                        if c == UInt8(ascii: "\\"), cursor + 1 < count {
                            literal.append(bytes[cursor + 1])
                            cursor += 2
                            continue
                        }
                        if c == UInt8(ascii: "(") { depth += 1 }
                        if c == UInt8(ascii: ")") { depth -= 1; if depth == 0 { break } }
                        literal.append(c)
                        cursor += 1
                    }
                    fileNames.append(String(decoding: literal, as: UTF8.self))
                    lastName = []
                    index = cursor + 1
                    continue
                }
                // Skip stream data: "stream" then a line end, up to "endstream".
                if byte == UInt8(ascii: "s"), index + 6 < count, matches(bytes, at: index, streamKeyword),
                   bytes[index + 6] == 0x0D || bytes[index + 6] == 0x0A,
                   index == 0 || !isRegular(bytes[index - 1]) {
                    var cursor = index + 7
                    while cursor + 9 <= count, !matches(bytes, at: cursor, endstreamKeyword) { cursor += 1 }
                    index = cursor + 9
                    lastName = []
                    continue
                }
                if !isWhitespace(byte) { lastName = [] }
                index += 1
            }
        }
        if embedded { embeddedNames = fileNames.filter(ActiveContentScan.hasProgramExtension) }
        var markers: [ContentMarker] = []
        if javaScript { markers.append(ContentMarker(kind: .pdfJavaScript, detail: "PDF with JavaScript")) }
        if launch {
            let target = fileNames.first.map { " (\($0))" } ?? ""
            markers.append(ContentMarker(kind: .pdfLaunch, detail: "PDF with a Launch action that starts a program\(target)"))
        }
        for name in embeddedNames {
            markers.append(ContentMarker(kind: .pdfEmbeddedProgram, detail: "PDF carrying the embedded program \"\(name)\""))
        }
        if encrypted { markers.append(ContentMarker(kind: .encrypted, detail: "encrypted PDF")) }
        return markers
    }

    private static func matches(_ bytes: UnsafeBufferPointer<UInt8>, at index: Int, _ word: [UInt8]) -> Bool {
        guard index + word.count <= bytes.count else { return false }
        for offset in 0..<word.count where bytes[index + offset] != word[offset] { return false }
        return true
    }

    private static func isWhitespace(_ byte: UInt8) -> Bool {
        byte == 0x20 || byte == 0x0A || byte == 0x0D || byte == 0x09 || byte == 0x0C || byte == 0x00
    }

    private static func isDelimiter(_ byte: UInt8) -> Bool {
        isWhitespace(byte) || "()<>[]{}/%".utf8.contains(byte)
    }

    private static func isRegular(_ byte: UInt8) -> Bool { !isDelimiter(byte) }

    private static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): byte - UInt8(ascii: "A") + 10
        default: nil
        }
    }
}
