import Foundation
import StewardCore

/// The large XML parts of an Office Open XML file (a workbook's sheets and shared strings, a
/// Word body), parsed each on a thread of its own while the archive expander is still
/// inflating them: the zip is read once, and reading the text no longer waits for the whole
/// zip to be unpacked (issue 16: a 5 MB workbook's 32 MB of XML). Everything else is read
/// afterwards from the members, as before; so is a part this did not follow.
///
/// Every thread is waited for in `finish`, which the expander calls before it hands the
/// members on, so no thread outlives the members it reads.
final class EarlyDocumentParts {
    enum Parsed {
        case sharedStrings([String])
        case sheet(OOXMLText.SheetReader)
        case paragraphs(String)
    }

    /// At most this many parts at once: a workbook's shared strings and first sheets.
    static let maxParts = 3

    private let deadline: ContinuousClock.Instant
    private var seen: Set<String> = []
    private var followed: [(name: String, content: GrowingContent, done: DispatchSemaphore, result: ResultBox)] = []

    /// Written by the part's thread before it signals, read after the wait: the semaphore
    /// orders the two.
    private final class ResultBox: @unchecked Sendable {
        var value: Result<Parsed?, InspectionError> = .success(nil)
    }

    /// Only Office Open XML documents, whose text is read (mail leaving the union).
    init?(document: ZipDocument?, deadline: ContinuousClock.Instant) {
        guard document == .officeOpenXML else { return nil }
        self.deadline = deadline
    }

    private enum Kind { case sharedStrings, sheet, body }

    private static func kind(of name: String) -> Kind? {
        if name == "xl/sharedStrings.xml" { return .sharedStrings }
        if name == "word/document.xml" { return .body }
        if name.hasPrefix("xl/worksheets/"), name.hasSuffix(".xml"), !name.dropFirst("xl/worksheets/".count).contains("/") { return .sheet }
        return nil
    }

    /// A follower for member `name` (`size`: its unpacked size when the zip says) when it is a
    /// part to parse now: its thread is started. Only a name's first member counts, as the
    /// text reader takes the first.
    /// `before`: the members already taken out, where the workbook's sheet list usually is.
    /// `room`: what is left of `max_expanded_bytes`; a part the zip says is larger is not
    /// followed (the document will be held for the limit, its text never read).
    func follow(_ name: String, size: Int, room: Int, before: [MessagePart]) -> GrowingContent? {
        // Only a part whose size the zip gives: its reader reserves room for its cells once (a
        // sheet read after unzipping reserves by its real size).
        guard seen.insert(name).inserted, followed.count < Self.maxParts, size > 0, size <= room, let kind = Self.kind(of: name) else { return nil }
        let sheetName = kind == .sheet ? sheetName(of: name, in: before) : nil
        let content = GrowingContent()
        let result = ResultBox()
        let done = DispatchSemaphore(value: 0)
        let deadline = deadline
        Thread {
            result.value = Result { () throws(InspectionError) -> Parsed? in
                switch kind {
                case .sharedStrings: try OOXMLText.sharedStrings(growing: content, size: size, deadline: deadline).map(Parsed.sharedStrings)
                case .sheet: try OOXMLText.SheetReader.read(growing: content, size: size, name: sheetName, deadline: deadline).map(Parsed.sheet)
                case .body: try OOXMLText.paragraphs(growing: content, deadline: deadline).map(Parsed.paragraphs)
                }
            }
            done.signal()
        }.start()
        followed.append((name, content, done, result))
        return content
    }

    /// The sheet's name from the workbook's list among `members` (nil when it is not there yet).
    private func sheetName(of file: String, in members: [MessagePart]) -> String? {
        var byName: OOXMLText.Members = [:]
        for member in members where byName[member.filename ?? ""] == nil { byName[member.filename ?? ""] = member.content }
        guard byName["xl/workbook.xml"] != nil, byName["xl/_rels/workbook.xml.rels"] != nil,
            let sheets = try? OOXMLText.sheetList(byName, deadline: deadline)
        else { return nil }
        return sheets.first { $0.file == file }?.name
    }

    /// A member that is not read (encrypted) still takes its name: a later member of the same
    /// name is not the one the text reader takes.
    func skip(_ name: String) {
        seen.insert(name)
    }

    /// Waits for every part's thread (a part that was never completed is given up first) and
    /// returns what was read, by name. `discard`: the document's text will not be read (the
    /// zip was cut short at a limit or could not be read): every part is given up at once,
    /// complete or not, and nothing is returned. Call once.
    func finish(discard: Bool = false) -> [String: Result<Parsed, InspectionError>] {
        var parsed: [String: Result<Parsed, InspectionError>] = [:]
        for part in followed { part.content.abandon(evenIfComplete: discard) }
        for part in followed {
            part.done.wait()
            // Taken out of the box, which would otherwise hold a second reference to a sheet's
            // cells (and make filling in its shared strings copy them all).
            let value = part.result.value
            part.result.value = .success(nil)
            if discard { continue }
            switch value {
            case .success(let value?): parsed[part.name] = .success(value)
            case .success(nil): break
            case .failure(let error): parsed[part.name] = .failure(error)
            }
        }
        followed = []
        return parsed
    }
}
