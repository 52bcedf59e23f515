import StewardCore

/// Chooses how to read a part's text for marker searches, from its bytes and types alone, so
/// it serves MIME leaves, uuencoded files and archive members alike.
///
/// Only parts that need it pay: a plain-text body returns nil at once (policy reads its `text`);
/// the expensive readers (poppler, libxml2, libarchive) run only for parts whose signature and
/// type say they are PDF, office, OpenDocument or RTF files, or HTML.
///
/// The PDF, RTF and text readers need the whole document in memory, so such a document is read
/// only up to `maxBytes`; a larger one throws (the caller reports it), never passes unread.
/// Office Open XML and OpenDocument files are read from their zip members instead
/// (`ZipDocument`), piece by piece.
enum DocumentTextExtractor {
    static func text(
        content: PartContent, text: String? = nil, declaredType: String, trueType: String?, filename: String?, disposition: String?,
        maxBytes: Int
    ) throws(WholePartTooLarge) -> DocumentText? {
        guard !content.isEmpty else { return nil }
        let type = trueType ?? declaredType
        let name = filename?.lowercased() ?? ""
        let ext = name.split(separator: ".").last.map(String.init) ?? ""
        let head = content.head
        func whole(_ what: String) throws(WholePartTooLarge) -> [UInt8] {
            guard let bytes = content.bytes(upTo: maxBytes) else { throw WholePartTooLarge(what: "its text as \(what)") }
            return bytes
        }

        // The same test as the active-content scan: readers accept junk before `%PDF-`.
        if type == "application/pdf" || PDFScan.looksLikePDF(head) { return PDFText.extract(try whole("a PDF")) }
        if head.starts(with: Self.rtf) { return RTFText.extract(try whole("an RTF document")) }
        // Office Open XML and OpenDocument files are zips: the archive expander opens them
        // anyway, and their text is read from its members (`ZipDocument`).
        if head.starts(with: Self.zip) { return nil }
        if declaredType == "text/html" || type == "text/html" {
            if let text { return HTMLText.extract(Array(text.utf8)) }
            return HTMLText.extract(try whole("HTML"))
        }
        if CalendarText.isCalendar(declaredType: declaredType, trueType: type, filename: filename) {
            if let text { return CalendarText.text(text) }
            return CalendarText.text(CharsetText.bestEffort(try whole("a calendar")))
        }
        // A plain-text body is read from `text` as it is; only text files attached (CSV, a
        // .txt attachment, text/* of other kinds) become documents, one line per piece.
        let isBody = declaredType == "text/plain" && disposition != "attachment" && filename == nil
        if !isBody, type.hasPrefix("text/") || declaredType.hasPrefix("text/") || textExtensions.contains(ext) {
            // The walker's text (decoded with the declared charset) when it has one.
            let decoded: String
            if let text { decoded = text } else { decoded = CharsetText.bestEffort(try whole("a text file")) }
            return lines(decoded, csv: ext == "csv" || type == "text/csv" || declaredType == "text/csv")
        }
        return nil
    }

    private static let rtf = Array("{\\rtf".utf8)
    static let zip: [UInt8] = [0x50, 0x4B, 0x03, 0x04]
    private static let textExtensions: Set<String> = ["txt", "csv", "tsv", "md", "log"]

    /// A text file in pieces of one line each (`line 3`), so a banner or a CSV row is located.
    static func lines(_ text: String, csv: Bool) -> DocumentText {
        var segments: [DocumentText.Segment] = []
        var number = 0
        var separator: Unicode.Scalar?  // a CSV file's, from its first line
        // CRLF is one Character in Swift: split on it as well as on a bare LF.
        for line in text.split(omittingEmptySubsequences: false, whereSeparator: { $0 == "\n" || $0 == "\r\n" }) {
            number += 1
            let trimmed = line.hasSuffix("\r") ? line.dropLast() : line[...]
            guard !trimmed.isEmpty else { continue }
            segments.append(DocumentText.Segment(kind: csv ? .cell : .body, location: "line \(number)", text: String(trimmed)))
            // A formula field as a spreadsheet program shows it (="CONFI"&"DENTIAL").
            if csv {
                let fieldSeparator = separator ?? CSVFormulas.separator(of: trimmed)
                separator = fieldSeparator
                for value in CSVFormulas.values(in: trimmed, separator: fieldSeparator) where !value.isEmpty {
                    segments.append(DocumentText.Segment(kind: .cell, location: "line \(number)", text: value))
                }
            }
        }
        return DocumentText(segments: segments)
    }
}
