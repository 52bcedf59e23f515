import StewardCore

/// What a file name says and how it may lie.
struct FileName {
    let original: String
    /// Hidden format characters (bidi overrides and isolates, zero-width characters) found.
    let hiddenCharacters: [Unicode.Scalar]
    /// The name as Windows would treat it: hidden characters removed, trailing dots and spaces
    /// dropped.
    let effective: String
    /// The name ended in dots or spaces.
    let hadTrailingDotsOrSpaces: Bool

    init(_ name: String) {
        original = name
        var scalars = String.UnicodeScalarView()
        var hidden: [Unicode.Scalar] = []
        for scalar in name.unicodeScalars {
            if scalar.properties.generalCategory == .format || scalar.properties.generalCategory == .control {
                hidden.append(scalar)
            } else {
                scalars.append(scalar)
            }
        }
        hiddenCharacters = hidden
        let cleaned = String(scalars)
        let trimmed = cleaned.trimmingTrailing(while: { $0 == "." || $0 == " " || $0 == "\u{3000}" })
        hadTrailingDotsOrSpaces = trimmed != cleaned && !trimmed.isEmpty
        // Only the last path element counts (archive members carry folders).
        effective = trimmed.split(separator: "/", omittingEmptySubsequences: false).last.map(String.init) ?? trimmed
    }

    /// Extensions from last to first, lower-cased and trimmed: `a.pdf .EXE` → [exe, pdf].
    var extensions: [String] {
        let pieces = effective.split(separator: ".", omittingEmptySubsequences: false).dropFirst()
        return pieces.reversed().map { String($0).trimmingEdges(" ").lowercased() }
    }

    var lastExtension: String? { extensions.first.flatMap { $0.isEmpty ? nil : $0 } }
    var decoyExtension: String? { extensions.count >= 2 ? extensions[1] : nil }
}

extension String {
    func trimmingEdges(_ characters: String) -> String {
        var result = Substring(self)
        while let first = result.first, characters.contains(first) { result.removeFirst() }
        while let last = result.last, characters.contains(last) { result.removeLast() }
        return String(result)
    }
}

/// Extension lists the rules share.
enum Extensions {
    /// Files that run code or hide other files when opened on Windows, blocked by name.
    static let risky: [String] = [
        // programs
        "exe", "com", "scr", "pif", "cpl", "msi", "msp", "dll", "jar", "lnk", "application", "gadget", "msc",
        "xll", "jnlp", "shs",
        // scripts
        "js", "jse", "vbs", "vbe", "wsf", "wsh", "ws", "wsc", "ps1", "psm1", "bat", "cmd", "hta", "sct", "inf",
        // shortcuts that open a program or a share (as Outlook blocks them)
        "url", "website", "appref-ms", "settingcontent-ms", "scf", "library-ms", "search-ms", "searchconnector-ms",
        // settings and help that run code
        "reg", "chm",
        // disk images Windows opens like folders, hiding what is inside
        "iso", "img", "vhd", "vhdx",
    ]

    /// Endings people trust: what a lying name pretends to be.
    static let harmlessLooking: Set<String> = [
        "pdf", "doc", "docx", "xls", "xlsx", "ppt", "pptx", "odt", "ods", "odp", "rtf", "txt", "csv",
        "jpg", "jpeg", "png", "gif", "bmp", "tif", "tiff", "heic", "ics", "vcf", "mp3", "mp4", "wav", "htm", "html",
    ]

    /// Harmless-looking endings a zip-based file may honestly have.
    static let zipBased: Set<String> = ["docx", "xlsx", "pptx", "odt", "ods", "odp"]

    static func reason(for ext: String) -> String {
        switch ext {
        case "js", "jse", "vbs", "vbe", "wsf", "wsh", "ws", "wsc", "ps1", "psm1", "bat", "cmd", "hta", "sct", "inf":
            "a script Windows runs when it is opened"
        case "url", "website", "appref-ms", "settingcontent-ms", "scf", "library-ms", "search-ms", "searchconnector-ms":
            "a Windows shortcut, which can open a program or a file share when it is opened"
        case "reg": "a file that changes Windows settings when opened"
        case "chm": "a Windows help file, which can run code"
        case "iso", "img", "vhd", "vhdx": "a disk image, which Windows opens like a folder and which can hide programs"
        default: "a program Windows runs when it is opened"
        }
    }
}
