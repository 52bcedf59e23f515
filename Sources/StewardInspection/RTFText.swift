import StewardCore

/// The text of an RTF document: body, page headers and footers, and the info group's title,
/// subject, keywords and comments.
///
/// Hand-written because no small, well-kept C library for RTF text ships in Debian (unrtf is a
/// program, not a library; LibreOffice is far too heavy for a mail filter). RTF's grammar is
/// small: groups, control words, control symbols and text; this reads only what a viewer
/// shows, and skips destinations that hold no visible text (fonts, colours, pictures, objects).
enum RTFText {
    static func extract(_ bytes: [UInt8]) -> DocumentText? {
        enum Destination: Equatable { case body, skip, headerFooter(String), property(String) }
        struct Group { var destination: Destination; var unicodeSkip: Int }

        var stack: [Group] = []
        var current = Group(destination: .body, unicodeSkip: 1)
        var body: [UInt8] = []
        var headerFooter: [(String, [UInt8])] = []
        var properties: [(String, [UInt8])] = []
        var pendingSkip = 0  // fallback characters still to drop after a \uN
        var groupStart = false

        func emit(_ value: [UInt8]) {
            if pendingSkip > 0 { pendingSkip -= 1; return }
            switch current.destination {
            case .body: body += value
            case .skip: break
            case .headerFooter: headerFooter[headerFooter.count - 1].1 += value
            case .property: properties[properties.count - 1].1 += value
            }
        }

        var i = 0
        let n = bytes.count
        while i < n {
            let byte = bytes[i]
            switch byte {
            case UInt8(ascii: "{"):
                stack.append(current)
                groupStart = true
                i += 1
                continue
            case UInt8(ascii: "}"):
                current = stack.popLast() ?? current
                pendingSkip = 0
            case UInt8(ascii: "\\"):
                i += 1
                guard i < n else { break }
                let next = bytes[i]
                if next.isLetter {
                    var word: [UInt8] = []
                    while i < n, bytes[i].isLetter { word.append(bytes[i]); i += 1 }
                    var digits: [UInt8] = []
                    if i < n, bytes[i] == UInt8(ascii: "-") { digits.append(bytes[i]); i += 1 }
                    while i < n, bytes[i] >= 0x30, bytes[i] <= 0x39 { digits.append(bytes[i]); i += 1 }
                    if i < n, bytes[i] == UInt8(ascii: " ") { i += 1 }
                    let name = String(decoding: word, as: UTF8.self)
                    let parameter = Int(String(decoding: digits, as: UTF8.self))
                    switch name {
                    case "par", "line", "row", "sect", "page": emit([0x0A])
                    case "tab", "cell": emit([0x20])
                    case "emdash": emit(Array("—".utf8))
                    case "endash": emit(Array("–".utf8))
                    case "lquote", "rquote": emit([0x27])
                    case "ldblquote", "rdblquote": emit([0x22])
                    case "uc": current.unicodeSkip = max(0, parameter ?? 1)
                    case "u":
                        // A signed 16-bit value by the RTF spec; anything else a sender wrote
                        // (\u2000000080000, found by fuzzing, trapped in UInt32(_:)) is a space.
                        var value = parameter ?? 0
                        if value < 0 { value += 65536 }
                        let scalar = UInt32(exactly: value).flatMap(UnicodeScalar.init)
                        emit(Array(String(scalar.map(Character.init) ?? " ").utf8))
                        pendingSkip = current.unicodeSkip
                    case "header", "headerl", "headerr", "headerf", "footer", "footerl", "footerr", "footerf":
                        current.destination = .headerFooter(name.hasPrefix("header") ? "page header" : "page footer")
                        headerFooter.append((name.hasPrefix("header") ? "page header" : "page footer", []))
                    case "title", "subject", "keywords", "doccomm", "category":
                        current.destination = .property(name)
                        properties.append((name, []))
                    case "info":
                        break  // its text-bearing members set their own destination; the rest is skipped below
                    case "fonttbl", "colortbl", "stylesheet", "pict", "object", "listtable", "listoverridetable",
                         "rsidtbl", "generator", "xmlnstbl", "themedata", "colorschememapping", "datastore",
                         "latentstyles", "author", "operator", "creatim", "revtim", "printim", "buptim", "company",
                         "fldinst", "bkmkstart", "bkmkend":
                        current.destination = .skip
                    default:
                        break
                    }
                    groupStart = false
                    continue
                }
                switch next {
                case UInt8(ascii: "'"):
                    // \'hh: a byte in the document's code page (Windows-1252 in practice).
                    if i + 2 < n, let value = UInt8(String(decoding: bytes[(i + 1)...(i + 2)], as: UTF8.self), radix: 16) {
                        emit(Array(String(Character(windows1252(value))).utf8))
                        i += 3
                        groupStart = false
                        continue
                    }
                case UInt8(ascii: "*"):
                    // An optional destination this reader does not know: skip it, as RTF readers must.
                    if groupStart { current.destination = .skip }
                case UInt8(ascii: "~"): emit([0x20])
                case UInt8(ascii: "\\"), UInt8(ascii: "{"), UInt8(ascii: "}"): emit([next])
                case 0x0A, 0x0D: emit([0x0A])
                default: break
                }
            case 0x0A, 0x0D:
                break  // line ends in RTF source are not text
            default:
                emit([byte])
            }
            groupStart = false
            i += 1
        }

        var segments = [DocumentText.Segment(kind: .body, text: String(decoding: body, as: UTF8.self))]
        for (location, text) in headerFooter {
            segments.append(DocumentText.Segment(kind: .headerFooter, location: location, text: String(decoding: text, as: UTF8.self)))
        }
        for (name, text) in properties {
            segments.append(DocumentText.Segment(kind: .property, location: "property \"\(name)\"", text: String(decoding: text, as: UTF8.self)))
        }
        return DocumentText(segments: segments)
    }
}

/// A Windows-1252 byte as a character: Latin-1 except 0x80–0x9F (curly quotes, dashes, euro).
private func windows1252(_ byte: UInt8) -> Unicode.Scalar {
    let high: [UInt32] = [
        0x20AC, 0x81, 0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021, 0x02C6, 0x2030, 0x0160, 0x2039, 0x0152, 0x8D, 0x017D, 0x8F,
        0x90, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022, 0x2013, 0x2014, 0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0x9D, 0x017E, 0x0178,
    ]
    if (0x80...0x9F).contains(byte) { return Unicode.Scalar(high[Int(byte - 0x80)]) ?? " " }
    return Unicode.Scalar(byte)
}

private extension UInt8 {
    var isLetter: Bool { (0x41...0x5A).contains(self) || (0x61...0x7A).contains(self) }
}
