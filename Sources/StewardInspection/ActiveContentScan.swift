import StewardCore

/// Marks parts that carry code run on opening (macros, PDF JavaScript, scripts in HTML/SVG
/// attachments) or that are encrypted, once per message during inspection.
///
/// Cheap for ordinary mail: every part is searched once for the EICAR signature (one memmem
/// per window); beyond that a part is looked at only when its first bytes or true type say
/// PDF or OLE2, or when it is an HTML/SVG file sent as a file (a name, an attachment
/// disposition, or a member of an archive). The HTML body of a newsletter gets no script scan.
///
/// All searches of a part run in one pass over it (`WindowedScan`): a spooled part is read
/// from its file once, piece by piece, never whole.
enum ActiveContentScan {
    static func mark(_ part: inout MessagePart) {
        guard !part.content.isEmpty else { return }
        let eicar = SignatureSearch(ContentMarker.eicarSignature)
        var scanners: [any WindowScanner] = [eicar]
        // Parts `TextSniff` kept as text (description "text") cannot be PDF or OLE2 files:
        // ordinary text parts cost one comparison here.
        let sniffedAsText = part.trueTypeDescription == "text"
        var pdf: PDFScan.Search?, ole: OLEScan.Searches?, markup: MarkupScan.Search?
        if !sniffedAsText, part.trueType == "application/pdf" || PDFScan.looksLikePDF(part.content.head) {
            pdf = PDFScan.Search()
            scanners.append(pdf!)
        } else if !sniffedAsText, OLEScan.isCompoundFile(part.content.head) {
            ole = OLEScan.Searches()
            scanners += ole!.scanners
        } else if MarkupScan.isMarkupFile(part) {
            markup = MarkupScan.Search()
            scanners.append(markup!)
        }
        WindowedScan.run(part.content, scanners)

        if eicar.found {
            part.markers.append(ContentMarker(kind: .eicar, detail: "the EICAR anti-virus test signature"))
        }
        if let pdf { part.markers.append(contentsOf: pdf.markers) }
        if let ole { part.markers.append(contentsOf: OLEScan.markers(part.content, searches: ole, description: part.trueTypeDescription)) }
        if let markup { part.markers.append(contentsOf: markup.markers) }
    }

    /// Extensions of programs and scripts, for names found inside files (PDF embedded files).
    static let programExtensions: Set<String> = [
        "exe", "scr", "com", "pif", "bat", "cmd", "js", "jse", "vbs", "vbe", "wsf", "wsh", "ps1",
        "hta", "msi", "jar", "lnk", "dll", "cpl", "reg", "sh",
    ]

    static func hasProgramExtension(_ name: String) -> Bool {
        let trimmed = name.trimmingTrailing(while: { $0 == "." || $0 == " " })
        guard let dot = trimmed.lastIndex(of: ".") else { return false }
        return programExtensions.contains(trimmed[trimmed.index(after: dot)...].lowercased())
    }
}
