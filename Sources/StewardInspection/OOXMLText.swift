import StewardCore

/// The text of Office Open XML documents (Word .docx, Excel .xlsx, PowerPoint .pptx and their
/// macro-enabled twins): body text, headers and footers, document properties and sensitivity
/// labels, each piece with its place. The zip is read by libarchive, the XML by libxml2.
enum OOXMLText {
    /// Members read at most, in bytes: a bound on what a hostile "zip bomb" document can cost.
    static let byteBudget = 256 * 1024 * 1024

    static func extract(_ bytes: [UInt8]) -> DocumentText? {
        let members = ZipEntries.read(bytes, budget: byteBudget) { name in
            name == "[Content_Types].xml" || name.hasPrefix("docProps/")
                || (name.hasPrefix("word/") && name.hasSuffix(".xml") && !name.contains("/_rels/") && !name.contains("/theme/"))
                || name.hasPrefix("xl/worksheets/sheet") || name == "xl/sharedStrings.xml" || name == "xl/workbook.xml"
                || name == "xl/_rels/workbook.xml.rels"
                || name.hasPrefix("ppt/slides/slide")
        }
        guard members["[Content_Types].xml"] != nil else { return nil }
        var segments: [DocumentText.Segment] = []
        if members["word/document.xml"] != nil {
            segments += word(members)
        } else if members["xl/workbook.xml"] != nil {
            segments += excel(members)
        } else {
            segments += powerPoint(members)
        }
        segments += properties(members)
        return DocumentText(segments: segments)
    }

    // MARK: Word

    private static func word(_ members: [String: [UInt8]]) -> [DocumentText.Segment] {
        var segments: [DocumentText.Segment] = []
        if let body = members["word/document.xml"].flatMap(XMLTree.init(xml:))?.root {
            segments.append(DocumentText.Segment(kind: .body, text: paragraphs(body, paragraph: "p", run: "t")))
        }
        for name in members.keys.sorted() {
            let file = name.dropFirst("word/".count)
            let isHeader = file.hasPrefix("header"), isFooter = file.hasPrefix("footer")
            guard isHeader || isFooter, !file.contains("/"), let root = XMLTree(xml: members[name]!)?.root else { continue }
            segments.append(DocumentText.Segment(
                kind: .headerFooter, location: isHeader ? "page header" : "page footer",
                text: paragraphs(root, paragraph: "p", run: "t")
            ))
        }
        for name in ["word/footnotes.xml", "word/endnotes.xml", "word/comments.xml"] {
            if let root = members[name].flatMap(XMLTree.init(xml:))?.root {
                segments.append(DocumentText.Segment(kind: .body, location: String(name.dropFirst(5).dropLast(4)), text: paragraphs(root, paragraph: "p", run: "t")))
            }
        }
        return segments
    }

    /// Paragraph texts, one per line: the text runs of each paragraph element joined.
    static func paragraphs(_ root: XMLTree.Node, paragraph: String, run: String) -> String {
        root.descendants(named: paragraph).map { para in
            para.descendants(named: run).map(\.allText).joined()
        }.joined(separator: "\n")
    }

    // MARK: Excel

    private static func excel(_ members: [String: [UInt8]]) -> [DocumentText.Segment] {
        let shared: [String] = members["xl/sharedStrings.xml"].flatMap(XMLTree.init(xml:))?.root.map { root in
            root.children.filter { $0.isElement && $0.name == "si" }.map { $0.descendants(named: "t").map(\.allText).joined() }
        } ?? []
        // Sheet names in workbook order, matched to their files through the workbook's relations.
        var targets: [String: String] = [:]
        if let rels = members["xl/_rels/workbook.xml.rels"].flatMap(XMLTree.init(xml:))?.root {
            for rel in rels.descendants(named: "Relationship") {
                if let id = rel.attribute("Id"), let target = rel.attribute("Target") {
                    targets[id] = target.hasPrefix("/") ? String(target.dropFirst()) : "xl/" + target
                }
            }
        }
        var sheets: [(name: String, file: String)] = []
        if let workbook = members["xl/workbook.xml"].flatMap(XMLTree.init(xml:))?.root {
            for (index, sheet) in workbook.descendants(named: "sheet").enumerated() {
                let name = sheet.attribute("name") ?? "Sheet\(index + 1)"
                let file = sheet.attribute("id").flatMap { targets[$0] } ?? "xl/worksheets/sheet\(index + 1).xml"
                sheets.append((name, file))
            }
        }
        var segments: [DocumentText.Segment] = []
        for sheet in sheets {
            guard let root = members[sheet.file].flatMap(XMLTree.init(xml:))?.root else { continue }
            for cell in (root.children.first { $0.isElement && $0.name == "sheetData" } ?? root).descendants(named: "c") {
                let reference = cell.attribute("r") ?? "?"
                let text: String
                switch cell.attribute("t") {
                case "s":
                    guard let index = cell.descendants(named: "v").first.flatMap({ Int($0.allText) }), shared.indices.contains(index) else { continue }
                    text = shared[index]
                case "inlineStr":
                    text = cell.descendants(named: "t").map(\.allText).joined()
                default:
                    guard let value = cell.descendants(named: "v").first?.allText else { continue }
                    text = value
                }
                guard !text.isEmpty else { continue }
                segments.append(DocumentText.Segment(kind: .cell, location: "sheet \"\(sheet.name)\", cell \(reference)", text: text))
            }
            // Print headers and footers sit in the worksheet's one headerFooter element.
            for container in root.children where container.isElement && container.name == "headerFooter" {
                for node in container.children where node.isElement && (node.name.hasSuffix("Header") || node.name.hasSuffix("Footer")) {
                    let tag = node.name
                    segments.append(DocumentText.Segment(
                        kind: .headerFooter, location: "sheet \"\(sheet.name)\", page \(tag.hasSuffix("Header") ? "header" : "footer")",
                        text: stripHeaderCodes(node.allText)
                    ))
                }
            }
        }
        return segments
    }

    /// Excel header and footer text carries formatting codes (`&L`, `&C`, `&"Arial,Bold"`, `&12`);
    /// each becomes a line break or nothing, so the words read as they print.
    static func stripHeaderCodes(_ text: String) -> String {
        var result = ""
        let characters = Array(text)
        var index = 0
        while index < characters.count {
            let character = characters[index]
            index += 1
            guard character == "&" else { result.append(character); continue }
            guard index < characters.count else { break }
            let code = characters[index]
            index += 1
            switch code {
            case "&": result.append("&")
            case "L", "C", "R": result.append("\n")
            case "\"": while index < characters.count, characters[index] != "\"" { index += 1 }; index += 1
            case _ where code.isASCII && code.isNumber:
                while index < characters.count, characters[index].isASCII, characters[index].isNumber { index += 1 }  // &12: font size
            default: continue  // &P page number, &D date, &B bold...
            }
        }
        return result
    }

    // MARK: PowerPoint

    private static func powerPoint(_ members: [String: [UInt8]]) -> [DocumentText.Segment] {
        let slides = members.keys.filter { $0.hasPrefix("ppt/slides/slide") && $0.hasSuffix(".xml") }
            .sorted { slideNumber($0) < slideNumber($1) }
        var segments: [DocumentText.Segment] = []
        for name in slides {
            guard let root = XMLTree(xml: members[name]!)?.root else { continue }
            let location = "slide \(slideNumber(name))"
            for shape in root.descendants(named: "sp") {
                let placeholder = shape.descendants(named: "ph").first?.attribute("type") ?? ""
                let isHeaderFooter = ["hdr", "ftr"].contains(placeholder)
                segments.append(DocumentText.Segment(
                    kind: isHeaderFooter ? .headerFooter : .body,
                    location: isHeaderFooter ? "\(location), \(placeholder == "hdr" ? "header" : "footer")" : location,
                    text: paragraphs(shape, paragraph: "p", run: "t")
                ))
            }
        }
        return segments
    }

    private static func slideNumber(_ name: String) -> Int {
        Int(name.dropFirst("ppt/slides/slide".count).dropLast(".xml".count)) ?? 0
    }

    // MARK: Properties

    /// Core properties (title, subject, keywords, description, category, status) and custom
    /// properties; custom ones that classify the document (Classification, Sensitivity,
    /// Microsoft sensitivity label names, Titus and Boldon James markings) become labels.
    private static func properties(_ members: [String: [UInt8]]) -> [DocumentText.Segment] {
        var segments: [DocumentText.Segment] = []
        if let core = members["docProps/core.xml"].flatMap(XMLTree.init(xml:))?.root {
            for node in core.children where node.isElement {
                guard ["title", "subject", "keywords", "description", "category", "contentStatus"].contains(node.name) else { continue }
                let text = node.allText
                if !text.isEmpty { segments.append(DocumentText.Segment(kind: .property, location: "property \"\(node.name)\"", text: text)) }
            }
        }
        if let custom = members["docProps/custom.xml"].flatMap(XMLTree.init(xml:))?.root {
            for node in custom.descendants(named: "property") {
                guard let name = node.attribute("name") else { continue }
                let text = node.allText
                guard !text.isEmpty else { continue }
                segments.append(DocumentText.Segment(kind: propertyKind(name), location: "property \"\(name)\"", text: text))
            }
        }
        return segments
    }

    /// Whether a custom property's name says it classifies the document.
    static func propertyKind(_ name: String) -> DocumentText.Kind {
        let lower = name.lowercased()
        if lower.hasPrefix("msip_label_") { return lower.hasSuffix("_name") ? .label : .property }
        let classifying = ["classification", "sensitivity", "protective", "marking", "titus", "bjsc", "security"]
        return classifying.contains { lower.contains($0) } ? .label : .property
    }
}
