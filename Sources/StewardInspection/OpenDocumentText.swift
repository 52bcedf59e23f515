import StewardCore

/// The text of OpenDocument files (.odt, .ods, .odp): paragraphs and headings of the content,
/// table cells with their places, page headers and footers from the styles, and the metadata
/// (title, subject, keywords, description, user-defined properties such as a classification).
///
/// Read from the members the archive expander took out of the zip, with libxml2's streaming
/// reader (see `XMLStream`).
enum OpenDocumentText {
    static func extract(_ members: OOXMLText.Members, deadline: ContinuousClock.Instant) throws(InspectionError) -> DocumentText? {
        guard let mimetype = members["mimetype"]?.prefix(64),
              String(decoding: mimetype, as: UTF8.self).hasPrefix("application/vnd.oasis.opendocument") else { return nil }
        var segments: [DocumentText.Segment] = []
        if let content = members["content.xml"] {
            var reader = ContentReader()
            try XMLStream.walk(content, deadline: deadline) { reader.take($0) }
            segments += reader.cells
            // Paragraphs outside tables are the running text.
            segments.append(DocumentText.Segment(kind: .body, text: reader.body.joined))
        }
        if let styles = members["styles.xml"] {
            let tags: Set<String> = ["header", "footer", "header-left", "footer-left", "header-first", "footer-first"]
            var current: (tag: String, depth: Int, text: ParagraphText)?
            try XMLStream.walk(styles, deadline: deadline) { stream in
                if current == nil {
                    if stream.event == .start, tags.contains(stream.name) { current = (stream.name, stream.depth, ParagraphText.openDocument()) }
                    return
                }
                if stream.event == .end, stream.depth == current!.depth, let done = current {
                    segments.append(DocumentText.Segment(
                        kind: .headerFooter, location: done.tag.hasPrefix("header") ? "page header" : "page footer", text: done.text.joined))
                    current = nil
                    return
                }
                current?.text.take(stream)
            }
        }
        let meta = members["meta.xml"]
        let names: Set<String> = ["title", "subject", "keyword", "description"]
        for node in try XMLElements.read(meta, deadline: deadline, where: { names.contains($0.name) }) where !node.text.isEmpty {
            segments.append(DocumentText.Segment(kind: .property, location: "property \"\(node.name)\"", text: node.text))
        }
        for node in try XMLElements.read(meta, deadline: deadline, attributes: ["name"], where: { $0.isNamed("user-defined") }) where !node.text.isEmpty {
            let name = node.attributes["name"] ?? "user-defined"
            segments.append(DocumentText.Segment(kind: OOXMLText.propertyKind(name), location: "property \"\(name)\"", text: node.text))
        }
        return DocumentText(segments: segments)
    }

    /// content.xml: each table cell with text is a piece (`sheet "Pay", cell B2`); paragraphs
    /// outside tables are the body.
    private struct ContentReader {
        var cells: [DocumentText.Segment] = []
        var body = ParagraphText.openDocument()
        /// Open tables: the start of their cells' locations, current row (from 0), current column.
        private var tables: [(place: String, row: Int, column: Int)] = []
        private var cell: (depth: Int, repeated: Int, text: ParagraphText)?
        private var inBody = false

        mutating func take(_ stream: XMLStream) {
            if var open = cell {
                if stream.event == .end, stream.depth == open.depth {
                    let text = open.text.joined
                    if !text.isEmpty, let table = tables.last {
                        cells.append(DocumentText.Segment(
                            kind: .cell, place: table.place, reference: "\(columnName(table.column))\(table.row + 1)", text: text))
                    }
                    if !tables.isEmpty { tables[tables.count - 1].column += min(open.repeated, 16384) }
                    cell = nil
                } else {
                    open.text.take(stream)
                    cell = open
                }
                return
            }
            switch stream.event {
            case .start:
                if stream.isNamed("body") { inBody = true }
                if stream.isNamed("table") {
                    tables.append(("sheet \"\(stream.attribute("name") ?? "table")\", cell ", -1, 0))
                } else if !tables.isEmpty, stream.isNamed("table-row") {
                    tables[tables.count - 1].row += 1
                    tables[tables.count - 1].column = 0
                } else if !tables.isEmpty, stream.isNamed("table-cell") || stream.isNamed("covered-table-cell") {
                    let repeated = stream.attribute("number-columns-repeated").flatMap(Int.init) ?? 1
                    cell = (stream.depth, max(1, repeated), ParagraphText.openDocument())
                    return
                }
            case .end:
                if stream.isNamed("table"), !tables.isEmpty { tables.removeLast() }
                if stream.isNamed("body") { inBody = false }
            case .text:
                break
            }
            if inBody, tables.isEmpty { body.take(stream) }
        }
    }

    /// Spreadsheet column letters: 0 → A, 25 → Z, 26 → AA.
    static func columnName(_ index: Int) -> String {
        var index = index
        var name = ""
        repeat {
            name = String(UnicodeScalar(UInt8(65 + index % 26))) + name
            index = index / 26 - 1
        } while index >= 0
        return name
    }
}
