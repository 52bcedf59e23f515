import StewardCore

/// The text of OpenDocument files (.odt, .ods, .odp): paragraphs and headings of the content,
/// page headers and footers from the styles, and the metadata (title, subject, keywords,
/// description, user-defined properties such as a classification).
enum OpenDocumentText {
    static func extract(_ bytes: [UInt8]) -> DocumentText? {
        let members = ZipEntries.read(bytes, budget: OOXMLText.byteBudget) { ["mimetype", "content.xml", "styles.xml", "meta.xml"].contains($0) }
        guard let mimetype = members["mimetype"], String(decoding: mimetype, as: UTF8.self).hasPrefix("application/vnd.oasis.opendocument") else { return nil }
        var segments: [DocumentText.Segment] = []
        if let content = members["content.xml"].flatMap(XMLTree.init(xml:))?.root {
            for table in content.descendants(named: "table") {
                let sheet = table.attribute("name") ?? "table"
                for (rowIndex, row) in table.descendants(named: "table-row").enumerated() {
                    var column = 0
                    for cell in row.children where cell.isElement && (cell.name == "table-cell" || cell.name == "covered-table-cell") {
                        let repeated = cell.attribute("number-columns-repeated").flatMap(Int.init) ?? 1
                        let text = paragraphs(cell)
                        if !text.isEmpty {
                            segments.append(DocumentText.Segment(kind: .cell, location: "sheet \"\(sheet)\", cell \(columnName(column))\(rowIndex + 1)", text: text))
                        }
                        column += min(repeated, 16384)
                    }
                }
            }
            // Paragraphs outside tables are the running text.
            let body = content.descendants(named: "body").first ?? content
            segments.append(DocumentText.Segment(kind: .body, text: paragraphs(body, skippingTables: true)))
        }
        if let styles = members["styles.xml"].flatMap(XMLTree.init(xml:))?.root {
            for tag in ["header", "footer", "header-left", "footer-left", "header-first", "footer-first"] {
                for node in styles.descendants(named: tag) {
                    segments.append(DocumentText.Segment(kind: .headerFooter, location: tag.hasPrefix("header") ? "page header" : "page footer", text: paragraphs(node)))
                }
            }
        }
        if let meta = members["meta.xml"].flatMap(XMLTree.init(xml:))?.root {
            for name in ["title", "subject", "keyword", "description"] {
                for node in meta.descendants(named: name) where !node.allText.isEmpty {
                    segments.append(DocumentText.Segment(kind: .property, location: "property \"\(name)\"", text: node.allText))
                }
            }
            for node in meta.descendants(named: "user-defined") where !node.allText.isEmpty {
                let name = node.attribute("name") ?? "user-defined"
                segments.append(DocumentText.Segment(kind: OOXMLText.propertyKind(name), location: "property \"\(name)\"", text: node.allText))
            }
        }
        return DocumentText(segments: segments)
    }

    /// Text of `p` and `h` elements, one per line (`text:s`, `text:tab` read as spaces).
    private static func paragraphs(_ root: XMLTree.Node, skippingTables: Bool = false) -> String {
        var lines: [String] = []
        var stack: [XMLTree.Node] = [root]
        while let node = stack.popLast() {
            guard node.isElement else { continue }
            if skippingTables, node.name == "table" { continue }
            if node.name == "p" || node.name == "h" {
                lines.append(node.allText)
            } else {
                stack.append(contentsOf: node.children.reversed())
            }
        }
        return lines.joined(separator: "\n")
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
