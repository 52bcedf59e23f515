import Foundation
import StewardCore

/// The text of Office Open XML documents (Word .docx, Excel .xlsx, PowerPoint .pptx and their
/// macro-enabled twins): body text, headers and footers, document properties and sensitivity
/// labels, each piece with its place.
///
/// Read from the members the archive expander already took out of the zip (charged to
/// `max_expanded_bytes`, in memory or spooled), each with libxml2's streaming reader: a sheet of
/// a million cells costs the memory of its text, never a tree of it.
enum OOXMLText {
    typealias Members = [String: PartContent]

    /// Parts already read while the zip was inflated (`EarlyDocumentParts`), by name.
    typealias Early = [String: Result<EarlyDocumentParts.Parsed, InspectionError>]

    static func extract(_ members: Members, early: consuming Early = [:], deadline: ContinuousClock.Instant) throws(InspectionError) -> DocumentText? {
        guard members["[Content_Types].xml"] != nil else { return nil }
        // The body's array is kept and the few properties appended to it: `+=` onto an empty
        // array would copy a workbook's half a million cells once more.
        var segments: [DocumentText.Segment]
        if members["word/document.xml"] != nil {
            segments = try word(members, early: &early, deadline: deadline)
        } else if members["xl/workbook.xml"] != nil {
            segments = try excel(members, early: &early, deadline: deadline)
        } else {
            segments = try powerPoint(members, deadline: deadline)
        }
        segments += try properties(members, deadline: deadline)
        return DocumentText(segments: segments)
    }

    // MARK: Word

    private static func word(_ members: Members, early: inout Early, deadline: ContinuousClock.Instant) throws(InspectionError) -> [DocumentText.Segment] {
        var segments: [DocumentText.Segment] = []
        if case .paragraphs(let text) = try early.removeValue(forKey: "word/document.xml")?.get() {
            segments.append(DocumentText.Segment(kind: .body, text: text))
        } else if let body = members["word/document.xml"] {
            segments.append(DocumentText.Segment(kind: .body, text: try paragraphs(body, deadline: deadline)))
        }
        for name in members.keys.sorted() {
            guard name.hasPrefix("word/"), name.hasSuffix(".xml") else { continue }
            let file = name.dropFirst("word/".count)
            let isHeader = file.hasPrefix("header"), isFooter = file.hasPrefix("footer")
            guard isHeader || isFooter, !file.contains("/"), let part = members[name] else { continue }
            segments.append(DocumentText.Segment(
                kind: .headerFooter, location: isHeader ? "page header" : "page footer",
                text: try paragraphs(part, deadline: deadline)
            ))
            // Word's watermark ("CONFIDENTIAL" across every page) is a WordArt shape in a
            // header, its words in the `string` attribute of `v:textpath`, not in a text run.
            var watermarks: [String] = []
            try XMLStream.walk(part, deadline: deadline) { stream in
                if stream.event == .start, stream.isNamed("textpath"), let words = stream.attribute("string") { watermarks.append(words) }
            }
            for words in watermarks {
                segments.append(DocumentText.Segment(kind: .headerFooter, location: "watermark", text: words))
            }
        }
        for name in ["word/footnotes.xml", "word/endnotes.xml", "word/comments.xml"] {
            if let part = members[name] {
                segments.append(DocumentText.Segment(
                    kind: .body, location: String(name.dropFirst(5).dropLast(4)), text: try paragraphs(part, deadline: deadline)))
            }
        }
        return segments
    }

    /// Paragraph texts, one per line: the text runs of each paragraph joined.
    static func paragraphs(_ part: PartContent, deadline: ContinuousClock.Instant) throws(InspectionError) -> String {
        var text = ParagraphText.runs()
        try XMLStream.walk(part, deadline: deadline) { text.take($0) }
        return text.joined
    }

    /// `paragraphs` of a part still being inflated; nil when it was abandoned.
    static func paragraphs(growing part: GrowingContent, deadline: ContinuousClock.Instant) throws(InspectionError) -> String? {
        var text = ParagraphText.runs()
        guard try XMLStream.walk(growing: part, deadline: deadline, { text.take($0) }) else { return nil }
        return text.joined
    }

    // MARK: Excel

    private static func excel(_ members: Members, early: inout Early, deadline: ContinuousClock.Instant) throws(InspectionError) -> [DocumentText.Segment] {
        // The shared string table is read on another thread while the sheets are read here
        // (its strings are filled into the cells afterwards): the two are most of a workbook's
        // XML, and reading them side by side cuts the time a large one keeps its sender
        // waiting (issue 16: a 5 MB workbook's 32 MB of XML). A thread of its own, not a
        // pool's: this one waits for it, and a pool whose threads all waited would stall.
        // When the table was read while the zip was inflated, that reading is used.
        let sharedPart = members["xl/sharedStrings.xml"]
        let sharedResult = SharedStringsResult()
        let sharedDone = DispatchSemaphore(value: 0)
        if let read = early.removeValue(forKey: "xl/sharedStrings.xml") {
            sharedResult.value = read.flatMap { parsed in
                guard case .sharedStrings(let strings) = parsed else { return .success([]) }
                return .success(strings)
            }
            sharedDone.signal()
        } else {
            Thread {
                sharedResult.value = Result { () throws(InspectionError) in try sharedStrings(sharedPart, deadline: deadline) }
                sharedDone.signal()
            }.start()
        }
        var reader = SheetReader()
        var failure: InspectionError?
        var names: [DocumentText.Segment] = []
        do {
            let sheets = try sheetList(members, deadline: deadline)
            // A sheet's name shows on its tab (and in a page header's `&A`): a line of its own.
            names = sheets.map { DocumentText.Segment(kind: .body, location: "sheet name", text: $0.name) }
            for name in members.keys.sorted() where name.hasPrefix("xl/comments") && name.hasSuffix(".xml") {
                guard let part = members[name] else { continue }
                var notes = ParagraphText.excelComments()
                try XMLStream.walk(part, deadline: deadline) { notes.take($0) }
                names.append(DocumentText.Segment(kind: .body, location: "notes", text: notes.joined))
            }
            reader.reserve(sheetBytes: sheets.reduce(0) { total, sheet in total + (early[sheet.file] == nil ? members[sheet.file]?.count ?? 0 : 0) })
            for (file, name) in sheets {
                // Taken out of `early`, so the reader holds the only copy of its cells (filling in
                // the shared strings would otherwise copy them all).
                // A sheet read on its own started from a fresh reader: it stands for the sheet
                // only when the sheets before it left nothing open (a sheet cut off inside a
                // cell or a page header carries on into the next, as it always has here).
                if let read = early.removeValue(forKey: file), case .sheet(let sheet) = try read.get(), !reader.carriesState {
                    reader.absorb(sheet, sheet: name)
                    continue
                }
                guard let part = members[file] else { continue }
                reader.startSheet(name)
                try XMLStream.walk(part, deadline: deadline) { reader.take($0) }
            }
        } catch {
            failure = error
        }
        sharedDone.wait()  // always, so the other thread never outlives the members it reads
        if let failure { throw failure }
        let shared = try sharedResult.value?.get() ?? []
        return reader.finish(shared: shared) + names
    }

    /// The workbook's sheets in its order: each one's part and name, matched through the
    /// workbook's relations.
    static func sheetList(_ members: Members, deadline: ContinuousClock.Instant) throws(InspectionError) -> [(file: String, name: String)] {
        var targets: [String: String] = [:]
        for rel in try XMLElements.read(members["xl/_rels/workbook.xml.rels"], deadline: deadline, attributes: ["Id", "Target"], where: { $0.isNamed("Relationship") }) {
            if let id = rel.attributes["Id"], let target = rel.attributes["Target"] {
                targets[id] = target.hasPrefix("/") ? String(target.dropFirst()) : "xl/" + target
            }
        }
        let sheets = try XMLElements.read(members["xl/workbook.xml"], deadline: deadline, attributes: ["name", "id"]) { $0.isNamed("sheet") }
        return sheets.enumerated().map { index, sheet in
            (sheet.attributes["id"].flatMap { targets[$0] } ?? "xl/worksheets/sheet\(index + 1).xml", sheet.attributes["name"] ?? "Sheet\(index + 1)")
        }
    }

    /// Written by the reading thread before it signals, read after the wait: the semaphore
    /// orders the two, so no lock is needed.
    private final class SharedStringsResult: @unchecked Sendable {
        var value: Result<[String], InspectionError>?
    }

    /// The shared string table: the text of each top-level `si` (its `t` runs, phonetic ones too).
    private static func sharedStrings(_ part: PartContent?, deadline: ContinuousClock.Instant) throws(InspectionError) -> [String] {
        guard let part else { return [] }
        var table = SharedStringsReader(size: part.count)
        try XMLStream.walk(part, deadline: deadline) { table.take($0) }
        return table.strings
    }

    /// `sharedStrings` of a part still being inflated; nil when it was abandoned.
    static func sharedStrings(growing part: GrowingContent, size: Int, deadline: ContinuousClock.Instant) throws(InspectionError) -> [String]? {
        var table = SharedStringsReader(size: size)
        guard try XMLStream.walk(growing: part, deadline: deadline, { table.take($0) }) else { return nil }
        return table.strings
    }

    private struct SharedStringsReader {
        private(set) var strings: [String] = []
        private var current: String?

        /// Room for as many strings as `size` bytes could hold (`<si><t>x</t></si>` is 17
        /// bytes), up to a million: pages never written cost nothing, and the table is not
        /// copied as it grows.
        init(size: Int) {
            strings.reserveCapacity(min(max(0, size) / 17, 1_000_000))
        }

        mutating func take(_ stream: XMLStream) {
            switch stream.event {
            case .start: if stream.depth == 1, stream.isNamed("si") { current = "" }
            case .end: if stream.depth == 1, stream.isNamed("si"), let done = current { strings.append(done); current = nil }
            case .text: current? += stream.text
            }
        }
    }

    /// Worksheets' cells (`c`: a shared string, an inline string or a value) and their print
    /// headers and footers (the children of a sheet's one `headerFooter` element). A cell with
    /// a shared string is kept with the string's number until the table is read (`finish`).
    struct SheetReader {
        private(set) var segments: [DocumentText.Segment] = []
        /// Cells waiting for their shared string: segment index and string number.
        private var waiting: [(segment: Int, string: Int)] = []
        private var sheet = ""
        /// The start of every cell's location in the current sheet, one string shared by all.
        private var cellPlace = ""
        private enum CellType { case shared, inline, value }
        /// The cell being read, in plain fields changed in place (an optional tuple of strings
        /// was copied at every step: a tenth of a large workbook's time).
        private var inCell = false, hasValue = false
        private var reference = "", type = CellType.value, value = "", inline = ""
        private var number = SharedStringNumber()
        private var inValue = false, inText = false
        private var inHeaderFooter = false
        private var headerFooter: (tag: String, text: String)?

        /// Makes room for as many cells as sheets of `sheetBytes` could hold (a cell with a value
        /// takes at least 15 bytes, `<c><v>1</v></c>`). Reserved pages that are never written
        /// cost no memory, while growing by doubling would hold the old and the new array at
        /// once: 67 MB instead of 25 for a workbook of 450,000 cells.
        /// At most a million: the sizes come from the sender, and past that the arrays grow as usual.
        mutating func reserve(sheetBytes: Int) {
            let cells = min(sheetBytes / 15, 1_000_000)
            segments.reserveCapacity(cells)
            waiting.reserveCapacity(cells)
        }

        mutating func startSheet(_ name: String) {
            sheet = name
            cellPlace = "sheet \"\(name)\", cell "
        }

        /// One sheet read from a part still being inflated (nil when the part was abandoned).
        /// Its name is known when the workbook's list came out of the zip first (as Excel and
        /// LibreOffice write it); otherwise its cells' place and its headers' sheet are filled
        /// in by `absorb`.
        static func read(
            growing part: GrowingContent, size: Int, name: String?, deadline: ContinuousClock.Instant
        ) throws(InspectionError) -> SheetReader? {
            var reader = SheetReader()
            if let name { reader.startSheet(name) }
            reader.reserve(sheetBytes: size)
            guard try XMLStream.walk(growing: part, deadline: deadline, { reader.take($0) }) else { return nil }
            return reader
        }

        /// Appends a sheet read by `read(growing:)`, named `name`, with its cells still
        /// waiting for their shared strings.
        /// Whether a sheet ended with something open (a cell, a value, a page header) that the
        /// next sheet's events would go on with.
        var carriesState: Bool { inCell || inValue || inText || inHeaderFooter || headerFooter != nil }

        mutating func absorb(_ other: consuming SheetReader, sheet name: String) {
            startSheet(name)
            var other = other
            // What the sheet left open carries on into the next, as if one reader had read both.
            inCell = other.inCell
            hasValue = other.hasValue
            type = other.type
            reference = other.reference
            value = other.value
            number = other.number
            inline = other.inline
            inValue = other.inValue
            inText = other.inText
            inHeaderFooter = other.inHeaderFooter
            headerFooter = other.headerFooter
            for index in other.segments.indices where other.cellPlace != cellPlace {
                if other.segments[index].kind == .cell {
                    other.segments[index].replacePlace(with: cellPlace)
                } else {
                    other.segments[index].location = "sheet \"\(name)\", " + other.segments[index].location
                }
            }
            if segments.isEmpty, waiting.isEmpty {
                // The first sheet (most workbooks' only one): its arrays are taken as they are,
                // with the room reserved for the sheets still to read made once, not by doubling.
                let room = segments.capacity
                segments = other.segments
                waiting = other.waiting
                if room > 0 {
                    segments.reserveCapacity(segments.count + room)
                    waiting.reserveCapacity(waiting.count + room)
                }
                return
            }
            let offset = segments.count
            segments += other.segments
            waiting += other.waiting.map { ($0.segment + offset, $0.string) }
        }

        mutating func take(_ stream: XMLStream) {
            switch stream.event {
            case .start:
                if stream.isNamed("c") {
                    inCell = true
                    hasValue = false
                    type = stream.attribute("t", is: "s") ? .shared : stream.attribute("t", is: "inlineStr") ? .inline : .value
                    reference = stream.attribute("r") ?? "?"
                    value = ""
                    number = SharedStringNumber()
                    inline = ""
                } else if inCell, stream.isNamed("v") {
                    // The first value only, as before.
                    if !hasValue { hasValue = true; inValue = true }
                } else if inCell, stream.isNamed("t") {
                    inText = true
                } else if stream.depth == 1, stream.isNamed("headerFooter") {
                    inHeaderFooter = true
                } else if inHeaderFooter, stream.depth == 2 {
                    let tag = stream.name
                    if tag.hasSuffix("Header") || tag.hasSuffix("Footer") { headerFooter = (tag, "") }
                }
            case .end:
                if stream.isNamed("c") {
                    finishCell()
                } else if stream.isNamed("v") {
                    inValue = false
                } else if stream.isNamed("t") {
                    inText = false
                } else if stream.depth == 1, stream.isNamed("headerFooter") {
                    inHeaderFooter = false
                } else if inHeaderFooter, stream.depth == 2, let done = headerFooter {
                    let page = "page \(done.tag.hasSuffix("Header") ? "header" : "footer")"
                    segments.append(DocumentText.Segment(
                        kind: .headerFooter, location: sheet.isEmpty && cellPlace.isEmpty ? page : "sheet \"\(sheet)\", \(page)",
                        text: OOXMLText.stripHeaderCodes(done.text)))
                    headerFooter = nil
                }
            case .text:
                if inValue {
                    // Most cells of a large sheet hold a shared string's number: read from the
                    // bytes as they come, with no string made.
                    if type == .shared { number.take(stream.textBytes) } else { value += stream.text }
                } else if inText {
                    inline += stream.text
                } else if headerFooter != nil {
                    headerFooter?.text += stream.text
                }
            }
        }

        private mutating func finishCell() {
            defer { inCell = false; inValue = false; inText = false }
            guard inCell else { return }
            switch type {
            case .shared:
                guard hasValue, let number = number.value else { return }
                waiting.append((segments.count, number))
                segments.append(DocumentText.Segment(kind: .cell, place: cellPlace, reference: reference, text: ""))
            case .inline, .value:
                let text = type == .inline ? inline : hasValue ? value : ""
                guard !text.isEmpty else { return }
                segments.append(DocumentText.Segment(kind: .cell, place: cellPlace, reference: reference, text: text))
            }
        }

        /// The segments with every shared string filled in; a cell whose string is missing or
        /// empty is left out, as a cell with no text is.
        mutating func finish(shared: [String]) -> [DocumentText.Segment] {
            guard !waiting.isEmpty else { return segments }
            for (segment, string) in waiting where shared.indices.contains(string) {
                segments[segment].text = shared[string]
            }
            waiting = []
            segments.removeAll { $0.kind == .cell && $0.text.isEmpty }
            return segments
        }
    }

    /// A shared string's number as LibreOffice reads it, so the filter reads the string the
    /// recipient sees: white space and a sign before the digits are skipped, reading stops
    /// at the first byte that is not a digit (`5.0` is 5), and no digits at all is string 0.
    /// Nil for a negative number or one past any table's size.
    static func sharedStringIndex(_ text: String) -> Int? {
        var bytes = text.utf8[...]
        while let byte = bytes.first, byte == 0x20 || byte == 0x09 || byte == 0x0A || byte == 0x0D { bytes = bytes.dropFirst() }
        var negative = false
        if let byte = bytes.first, byte == UInt8(ascii: "+") || byte == UInt8(ascii: "-") {
            negative = byte == UInt8(ascii: "-")
            bytes = bytes.dropFirst()
        }
        var number = 0
        for byte in bytes {
            guard (0x30...0x39).contains(byte) else { break }
            number = number * 10 + Int(byte - 0x30)
            if number > 100_000_000 { return nil }
        }
        return negative && number != 0 ? nil : number
    }

    /// `sharedStringIndex` read from a value's text piece by piece as the parser hands it over
    /// (the same answer for every text, however it is cut: `XMLStreamTests` compares them).
    struct SharedStringNumber {
        private enum State { case leading, digits, done }
        private var state = State.leading
        private var negative = false
        private var number = 0
        private var tooLarge = false

        mutating func take(_ bytes: UnsafeBufferPointer<UInt8>) {
            for byte in bytes {
                switch state {
                case .leading:
                    if byte == 0x20 || byte == 0x09 || byte == 0x0A || byte == 0x0D { continue }
                    state = .digits
                    if byte == UInt8(ascii: "+") || byte == UInt8(ascii: "-") {
                        negative = byte == UInt8(ascii: "-")
                        continue
                    }
                    digit(byte)
                case .digits:
                    digit(byte)
                case .done:
                    return
                }
            }
        }

        private mutating func digit(_ byte: UInt8) {
            guard (0x30...0x39).contains(byte) else { state = .done; return }
            number = number * 10 + Int(byte - 0x30)
            if number > 100_000_000 {
                tooLarge = true
                state = .done
            }
        }

        var value: Int? { tooLarge || (negative && number != 0) ? nil : number }
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

    private static func powerPoint(_ members: Members, deadline: ContinuousClock.Instant) throws(InspectionError) -> [DocumentText.Segment] {
        // Slides, then what shows on them or beside them: speaker notes, and the masters and
        // layouts whose text (a "CONFIDENTIAL" footer) is on every slide built from them.
        let kinds: [(prefix: String, place: String)] = [
            ("ppt/slides/slide", "slide"), ("ppt/notesSlides/notesSlide", "speaker notes"),
            ("ppt/slideMasters/slideMaster", "slide master"), ("ppt/slideLayouts/slideLayout", "slide layout"),
        ]
        var slides: [(name: String, location: String)] = []
        for (prefix, place) in kinds {
            var numbered: [(number: Int, name: String)] = []
            for name in members.keys where name.hasPrefix(prefix) && name.hasSuffix(".xml") && !name.dropFirst(prefix.count).contains("/") {
                // A part named otherwise (slideA.xml) is still read, first.
                numbered.append((Int(name.dropFirst(prefix.count).dropLast(".xml".count)) ?? 0, name))
            }
            slides += numbered.sorted { $0.number < $1.number }.map { ($0.name, "\(place) \($0.number)") }
        }
        var segments: [DocumentText.Segment] = []
        for (name, location) in slides {
            guard let part = members[name] else { continue }
            // Each shape (`sp`) is a piece; a header or footer placeholder (`ph type="hdr"`) says so.
            var shape: (placeholder: String?, text: ParagraphText)?
            try XMLStream.walk(part, deadline: deadline) { stream in
                if stream.event == .start, stream.isNamed("sp"), shape == nil {
                    shape = (nil, ParagraphText.runs())
                    return
                }
                if stream.event == .start, stream.isNamed("ph"), shape != nil, shape?.placeholder == nil {
                    shape?.placeholder = stream.attribute("type") ?? ""
                }
                if stream.event == .end, stream.isNamed("sp"), let done = shape {
                    let placeholder = done.placeholder ?? ""
                    let isHeaderFooter = ["hdr", "ftr"].contains(placeholder)
                    segments.append(DocumentText.Segment(
                        kind: isHeaderFooter ? .headerFooter : .body,
                        location: isHeaderFooter ? "\(location), \(placeholder == "hdr" ? "header" : "footer")" : location,
                        text: done.text.joined
                    ))
                    shape = nil
                    return
                }
                shape?.text.take(stream)
            }
        }
        return segments
    }


    // MARK: Properties

    /// Core properties (title, subject, keywords, description, category, status) and custom
    /// properties; custom ones that classify the document (Classification, Sensitivity,
    /// Microsoft sensitivity label names, Titus and Boldon James markings) become labels.
    private static func properties(_ members: Members, deadline: ContinuousClock.Instant) throws(InspectionError) -> [DocumentText.Segment] {
        var segments: [DocumentText.Segment] = []
        let coreNames: Set<String> = ["title", "subject", "keywords", "description", "category", "contentStatus"]
        for node in try XMLElements.read(members["docProps/core.xml"], deadline: deadline, where: { $0.depth == 1 && coreNames.contains($0.name) })
        where !node.text.isEmpty {
            segments.append(DocumentText.Segment(kind: .property, location: "property \"\(node.name)\"", text: node.text))
        }
        for node in try XMLElements.read(members["docProps/custom.xml"], deadline: deadline, attributes: ["name"], where: { $0.isNamed("property") }) {
            guard let name = node.attributes["name"], !node.text.isEmpty else { continue }
            segments.append(DocumentText.Segment(kind: propertyKind(name), location: "property \"\(name)\"", text: node.text))
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
