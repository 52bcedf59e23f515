import StewardCore

/// Office Open XML and OpenDocument files are zips of XML parts. The archive expander opens
/// them like any zip (macros and embedded files are judged as its members); their text is
/// then read from those same members, so the document is unzipped once, within the message's
/// `max_expanded_bytes` and the inspection deadline.
enum ZipDocument {
    case officeOpenXML, openDocument

    /// The kind of document a zip part is, by its types or its name's extension; nil for
    /// other zips (their members are the archive reader's business).
    static func of(_ part: MessagePart) -> ZipDocument? {
        guard part.content.head.starts(with: DocumentTextExtractor.zip) else { return nil }
        let type = part.trueType ?? part.contentType
        let name = part.filename?.lowercased() ?? ""
        let ext = name.split(separator: ".").last.map(String.init) ?? ""
        if ooxmlExtensions.contains(ext) || type.contains("openxmlformats") || type.contains("ms-excel")
            || type.contains("ms-word") || type.contains("ms-powerpoint") {
            return .officeOpenXML
        }
        if odfExtensions.contains(ext) || type.contains("opendocument") { return .openDocument }
        return nil
    }

    /// The document's text from its members (path in the zip → content).
    /// `early`: parts already read while the zip was inflated (`EarlyDocumentParts`).
    func text(members: [MessagePart], early: consuming OOXMLText.Early = [:], deadline: ContinuousClock.Instant) throws(InspectionError) -> DocumentText? {
        var byName: OOXMLText.Members = [:]
        for member in members where byName[member.filename ?? ""] == nil { byName[member.filename ?? ""] = member.content }
        switch self {
        case .officeOpenXML: return try OOXMLText.extract(byName, early: early, deadline: deadline)
        case .openDocument: return try OpenDocumentText.extract(byName, deadline: deadline)
        }
    }

    private static let ooxmlExtensions: Set<String> = ["docx", "docm", "dotx", "dotm", "xlsx", "xlsm", "xltx", "xltm", "pptx", "pptm", "potx", "ppsx"]
    private static let odfExtensions: Set<String> = ["odt", "ods", "odp", "odg", "ott", "ots", "otp"]
}
