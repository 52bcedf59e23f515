import StewardCore

/// Marks parts that carry code run on opening (macros, PDF JavaScript, scripts in HTML/SVG
/// attachments) or that are encrypted, once per message during inspection.
///
/// Cheap for ordinary mail: every part is searched once for the EICAR signature (one memmem
/// per window); beyond that a part is looked at only when its first bytes or true type say
/// PDF or OLE2, or when it is an HTML/SVG file sent as a file (a name, an attachment
/// disposition, or a member of an archive). The HTML body of a newsletter gets no script scan.
///
/// Every scan reads the content in windows (`PartContent.scan`), so a spooled part is read from
/// its file piece by piece, never whole.
enum ActiveContentScan {
    static func mark(_ part: inout MessagePart) {
        guard !part.content.isEmpty else { return }
        if part.content.contains(ContentMarker.eicarSignature) {
            part.markers.append(ContentMarker(kind: .eicar, detail: "the EICAR anti-virus test signature"))
        }
        // Parts `TextSniff` kept as text (description "text") cannot be PDF or OLE2 files:
        // ordinary text parts cost one comparison here.
        let sniffedAsText = part.trueTypeDescription == "text"
        if !sniffedAsText, part.trueType == "application/pdf" || PDFScan.looksLikePDF(part.content.head) {
            part.markers.append(contentsOf: PDFScan.markers(part.content))
        } else if !sniffedAsText, OLEScan.isCompoundFile(part.content.head) {
            part.markers.append(contentsOf: OLEScan.markers(part.content, description: part.trueTypeDescription))
        } else if MarkupScan.isMarkupFile(part) {
            part.markers.append(contentsOf: MarkupScan.markers(part.content))
        }
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
