import StewardCore

/// Recognises programs and scripts by true type (libmagic's MIME type and description).
enum ProgramTypes {
    /// Plain words for what the content is, when it is a program or a script; nil otherwise.
    static func program(_ part: MessagePart) -> String? {
        guard let type = part.trueType else { return nil }
        let description = part.trueTypeDescription ?? ""
        if type == "application/x-dosexec" || type == "application/vnd.microsoft.portable-executable"
            || description.hasPrefix("PE32") || description.hasPrefix("MS-DOS executable") {
            if description.hasPrefix("PE32+") { return "Windows executable (PE32+)" }
            if description.hasPrefix("PE32") { return "Windows executable (PE32)" }
            return "Windows executable (MS-DOS)"
        }
        if ["application/x-executable", "application/x-sharedlib", "application/x-pie-executable", "application/x-elf"].contains(type)
            || description.hasPrefix("ELF ") {
            return "Linux program (ELF)"
        }
        if type == "application/x-mach-binary" || description.hasPrefix("Mach-O") { return "macOS program (Mach-O)" }
        if type == "application/x-msi" || description.contains("MSI Installer") { return "Windows installer (MSI)" }
        if type == "application/java-archive" || type == "application/x-java-applet" || description.hasPrefix("compiled Java class") {
            return "Java program"
        }
        if type == "application/x-ms-shortcut" || description.hasPrefix("MS Windows shortcut") { return "Windows shortcut (.lnk)" }
        if type == "application/vnd.ms-htmlhelp" || description.hasPrefix("MS Windows HtmlHelp") { return "Windows compiled help (CHM)" }
        if type == "text/x-msdos-batch" || description.hasPrefix("DOS batch file") { return "Windows batch script" }
        // A `#!` line: libmagic says "POSIX shell script, ASCII text executable" and the like.
        if description.contains("script"), description.contains("text executable") {
            return "script (\(description.split(separator: ",").first.map(String.init) ?? description))"
        }
        return nil
    }
}
