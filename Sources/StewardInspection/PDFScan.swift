import StewardCore

/// PDF name tokens that run code (`/JavaScript`, `/JS`, `/Launch`), encryption (`/Encrypt`),
/// and embedded files named as programs.
///
/// A small token scan instead of a PDF library: the question is only which names occur, and
/// PDF names may hide behind `#xx` escapes (`/J#61vaScript`), which the scan decodes. Stream
/// data is skipped (from `stream` to `endstream`), so random bytes in compressed images
/// cannot look like `/JS` — except for object streams (PDF 1.5 `/Type /ObjStm`), which hold
/// ordinary objects, compressed: they are inflated (zlib, `FlateDecode`) and scanned too, so
/// JavaScript, Launch actions and embedded files hidden in them are seen.
enum PDFScan {
    /// `%PDF-` within the first 1024 bytes (readers accept junk before it; libmagic does not).
    static func looksLikePDF(_ head: ArraySlice<UInt8>) -> Bool {
        ByteSearch.contains(signature, in: Array(head.prefix(1024)))
    }

    private static let signature = Array("%PDF-".utf8)

    private static let streamKeyword = Array("stream".utf8)
    private static let endstreamKeyword = Array("endstream".utf8)

    /// The token scan as one of a part's `WindowedScan` searches.
    final class Search: WindowScanner {
        private var scanner = Scanner()
        var lookahead: Int { Scanner.lookahead }
        var markers: [ContentMarker] { scanner.markers }

        func consume(_ window: UnsafeBufferPointer<UInt8>, safeEnd: Int, isLast: Bool) -> Int? {
            scanner.consume(window, safeEnd: safeEnd, isLast: isLast)
        }
    }

    /// The token scan, fed a window at a time (a spooled PDF is read from its file in pieces).
    /// A token starting in a window is read only when `lookahead` bytes follow it there (or the
    /// window ends the file), so the longest token (a 512-byte name literal with escapes) is
    /// always seen whole; what is left starts the next window.
    struct Scanner {
        static let lookahead = 2048
        /// Bounds on one object stream: its packed bytes kept, and what it may inflate to.
        static let maxObjectStreamBytes = 8 * 1024 * 1024
        static let maxInflatedBytes = 32 * 1024 * 1024

        /// 0 for the file, 1 inside an object stream (which may not hold streams itself).
        private let depth: Int
        private var javaScript = false, launch = false, encrypted = false, embedded = false
        /// After `/JS`: the next token is the script (a string), or names one elsewhere.
        private var scriptNext = false
        private var fileNames: [String] = []
        private var lastName: [UInt8] = []
        /// Between `stream` and `endstream` when the last window ended.
        private var inStream = false
        /// The byte before the current window (nil at the start of the file).
        private var previous: UInt8?
        /// `/ObjStm` seen since the last stream: the next stream's data is an object stream.
        private var objectStreamNext = false
        /// The data of the object stream being read (nil when the stream is not one).
        private var objectStream: [UInt8]?

        init(depth: Int = 0) {
            self.depth = depth
        }

        /// Reads tokens starting before `safeEnd` in `bytes`; returns how many bytes it is done with.
        mutating func consume(_ bytes: UnsafeBufferPointer<UInt8>, safeEnd: Int, isLast: Bool) -> Int {
            let count = bytes.count
            var index = 0
            if inStream {
                guard let end = PDFScan.find(endstreamKeyword, in: bytes, from: 0) else {
                    let stop = isLast ? count : max(0, count - endstreamKeyword.count + 1)
                    keep(bytes, 0, stop)
                    if isLast { scanObjectStream() }
                    return finish(bytes, at: stop)
                }
                keep(bytes, 0, end)
                scanObjectStream()
                inStream = false
                index = end + endstreamKeyword.count
            }
            while index < count {
                if index >= safeEnd { return finish(bytes, at: index) }
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
                    if scriptNext {  // `/JS /Name`: not a script string
                        javaScript = true
                        scriptNext = false
                    }
                    switch String(decoding: name, as: UTF8.self) {
                    // `/S /JavaScript` names an action's type; its `/JS` is judged. Elsewhere
                    // (the document's `/Names` tree of scripts) it is a script.
                    case "JavaScript": if lastName != Array("S".utf8) { javaScript = true }
                    case "JS": scriptNext = true
                    case "Launch": launch = true
                    case "Encrypt": encrypted = true
                    case "EmbeddedFile", "EmbeddedFiles": embedded = true
                    case "ObjStm": objectStreamNext = depth == 0
                    default: break
                    }
                    lastName = name
                    index = cursor
                    continue
                }
                if scriptNext, !isWhitespace(byte) {
                    scriptNext = false
                    // A script given as a string is read; one that is only Acrobat's own form
                    // functions (a field's number or date format, a sum) is no program. Any
                    // other script, or one kept elsewhere (`/JS 12 0 R`), is.
                    if let (script, next) = PDFScan.scriptString(bytes, at: index), FormScript.isOnlyFormFunctions(script) {
                        index = next
                        continue
                    }
                    javaScript = true
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
                   !isRegular(index > 0 ? bytes[index - 1] : previous ?? 0x20) {
                    lastName = []
                    // The data starts after the line end (CR LF or LF) that follows `stream`.
                    let dataStart = index + 7 + (bytes[index + 6] == 0x0D && index + 7 < count && bytes[index + 7] == 0x0A ? 1 : 0)
                    objectStream = objectStreamNext ? [] : nil
                    objectStreamNext = false
                    guard let end = PDFScan.find(endstreamKeyword, in: bytes, from: index + 7) else {
                        inStream = !isLast
                        let stop = isLast ? count : max(index + 7, count - endstreamKeyword.count + 1)
                        keep(bytes, dataStart, stop)
                        if isLast { scanObjectStream() }
                        return finish(bytes, at: stop)
                    }
                    keep(bytes, dataStart, end)
                    scanObjectStream()
                    index = end + endstreamKeyword.count
                    continue
                }
                if !isWhitespace(byte) { lastName = [] }
                index += 1
            }
            return finish(bytes, at: count)
        }

        /// Keeps `bytes[from..<to]` when reading an object stream's data (within its bound).
        private mutating func keep(_ bytes: UnsafeBufferPointer<UInt8>, _ from: Int, _ to: Int) {
            guard objectStream != nil, from < to else { return }
            if objectStream!.count + (to - from) > Self.maxObjectStreamBytes {
                objectStream = nil  // larger than any real one; its packed bytes are passed over
                return
            }
            objectStream!.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[from..<to]))
        }

        /// Inflates the object stream just read (as it is, when it is not zlib data) and scans
        /// its objects as part of the file.
        private mutating func scanObjectStream() {
            guard let data = objectStream else { return }
            objectStream = nil
            let objects = Inflate.inflate(data, maxOutput: Self.maxInflatedBytes) ?? data
            var inner = Scanner(depth: depth + 1)
            _ = objects.withUnsafeBufferPointer { inner.consume($0, safeEnd: $0.count, isLast: true) }
            javaScript = javaScript || inner.javaScript
            launch = launch || inner.launch
            encrypted = encrypted || inner.encrypted
            embedded = embedded || inner.embedded
            fileNames += inner.fileNames
        }

        /// Remembers the last byte consumed (for the next window's first token) and returns `index`.
        private mutating func finish(_ bytes: UnsafeBufferPointer<UInt8>, at index: Int) -> Int {
            let index = min(index, bytes.count)
            if index > 0 { previous = bytes[index - 1] }
            return index
        }

        var markers: [ContentMarker] {
            let embeddedNames = embedded ? fileNames.filter(ActiveContentScan.hasProgramExtension) : []
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
    }

    /// A string object starting at `index`, `(literal)` or `<hex>`, decoded (escapes, octal
    /// codes; UTF-16 with its byte order mark), and the index after it; nil when it is not
    /// one or does not end within `bytes` (then it is judged unread) or within 64 KB.
    static func scriptString(_ bytes: UnsafeBufferPointer<UInt8>, at index: Int) -> ([UInt8], Int)? {
        let limit = min(bytes.count, index + 65_536)
        var value: [UInt8] = []
        var cursor = index + 1
        if bytes[index] == UInt8(ascii: "<") {
            guard cursor < limit, bytes[cursor] != UInt8(ascii: "<") else { return nil }
            var high: UInt8?
            while cursor < limit, bytes[cursor] != UInt8(ascii: ">") {
                if let digit = hexValue(bytes[cursor]) {
                    if let first = high { value.append(first << 4 | digit); high = nil } else { high = digit }
                } else if !isWhitespace(bytes[cursor]) {
                    return nil
                }
                cursor += 1
            }
            guard cursor < limit else { return nil }
            if let first = high { value.append(first << 4) }
            return (utf16Decoded(value), cursor + 1)
        }
        guard bytes[index] == UInt8(ascii: "(") else { return nil }
        var depth = 1
        while cursor < limit {
            let byte = bytes[cursor]
            if byte == UInt8(ascii: "\\") {
                guard cursor + 1 < limit else { return nil }
                let next = bytes[cursor + 1]
                cursor += 2
                switch next {
                case UInt8(ascii: "n"): value.append(0x0A)
                case UInt8(ascii: "r"): value.append(0x0D)
                case UInt8(ascii: "t"): value.append(0x09)
                case UInt8(ascii: "b"): value.append(0x08)
                case UInt8(ascii: "f"): value.append(0x0C)
                case 0x0D: if cursor < limit, bytes[cursor] == 0x0A { cursor += 1 }  // a line continued
                case 0x0A: break
                case UInt8(ascii: "0")...UInt8(ascii: "7"):
                    var code = Int(next - UInt8(ascii: "0"))
                    for _ in 0..<2 where cursor < limit && (UInt8(ascii: "0")...UInt8(ascii: "7")).contains(bytes[cursor]) {
                        code = code * 8 + Int(bytes[cursor] - UInt8(ascii: "0"))
                        cursor += 1
                    }
                    value.append(UInt8(truncatingIfNeeded: code))
                default: value.append(next)
                }
                continue
            }
            if byte == UInt8(ascii: "(") { depth += 1 }
            if byte == UInt8(ascii: ")") {
                depth -= 1
                if depth == 0 { return (utf16Decoded(value), cursor + 1) }
            }
            value.append(byte)
            cursor += 1
        }
        return nil
    }

    /// Text in UTF-16 (big-endian, after its byte order mark `FE FF`) as UTF-8; other text as it is.
    private static func utf16Decoded(_ bytes: [UInt8]) -> [UInt8] {
        guard bytes.count >= 2, bytes[0] == 0xFE, bytes[1] == 0xFF else { return bytes }
        let units = stride(from: 2, to: bytes.count - 1, by: 2).map { UInt16(bytes[$0]) << 8 | UInt16(bytes[$0 + 1]) }
        return Array(String(decoding: units, as: UTF16.self).utf8)
    }

    /// Offset of the first `word` in `bytes` at or after `start`.
    private static func find(_ word: [UInt8], in bytes: UnsafeBufferPointer<UInt8>, from start: Int) -> Int? {
        guard start < bytes.count else { return nil }
        return ByteSearch.offsets(of: word, in: UnsafeBufferPointer(rebasing: bytes[start...]), limit: 1).first.map { $0 + start }
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
