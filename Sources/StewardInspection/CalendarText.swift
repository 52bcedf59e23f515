import Foundation
import StewardCore

/// An iCalendar file (RFC 5545: a meeting request, an .ics invite) read as Outlook shows it:
/// folded lines joined (a line that starts with a space or tab continues the one before),
/// each property's value without its name and parameters, and `\n`, `\,`, `\;` and `\\`
/// unescaped, so "SUMMARY;LANGUAGE=en-GB:Confidential: pay talks" reads "Confidential: pay
/// talks" and a DESCRIPTION's `\n`-separated lines are lines. Files attached inline
/// (`ATTACH;ENCODING=BASE64;VALUE=BINARY;X-FILENAME=agenda.pdf:…`), which Outlook shows as the
/// event's attachments, are taken out.
///
/// Written here: the format is lines of `NAME;PARAM=…:value`, and no Debian library for it
/// (libical) keeps the parameters Outlook uses.
enum CalendarText {
    static func isCalendar(declaredType: String, trueType: String?, filename: String?) -> Bool {
        declaredType == "text/calendar" || trueType == "text/calendar"
            || (filename?.lowercased().hasSuffix(".ics") ?? false) || (filename?.lowercased().hasSuffix(".vcs") ?? false)
    }

    /// The unfolded lines, each split into its name with parameters and its value.
    static func properties(_ text: String) -> [(name: String, parameters: [String], value: String)] {
        var lines: [String] = []
        for raw in text.split(omittingEmptySubsequences: true, whereSeparator: { $0 == "\n" || $0 == "\r\n" || $0 == "\r" }) {
            if let first = raw.first, first == " " || first == "\t", !lines.isEmpty {
                lines[lines.count - 1] += raw.dropFirst()
            } else {
                lines.append(String(raw))
            }
        }
        return lines.compactMap { line in
            // The value starts after the first colon outside a quoted parameter value.
            var quoted = false
            guard let colon = line.firstIndex(where: { character in
                if character == "\"" { quoted.toggle() }
                return character == ":" && !quoted
            }) else { return nil }
            let head = line[..<colon].split(separator: ";").map(String.init)
            guard let name = head.first else { return nil }
            return (name.uppercased(), Array(head.dropFirst()), String(line[line.index(after: colon)...]))
        }
    }

    /// The properties a reader sees as text. Not CLASS (`CLASS:PRIVATE` marks a private
    /// appointment for the calendar program; it is not a marking the sender wrote), nor
    /// dates, addresses and identifiers.
    static let textProperties: Set<String> = ["SUMMARY", "DESCRIPTION", "LOCATION", "COMMENT", "CATEGORIES", "RESOURCES", "CONTACT"]

    /// The text a reader sees: one segment per text property, `\n` breaking its lines.
    static func text(_ text: String) -> DocumentText {
        var segments: [DocumentText.Segment] = []
        for property in properties(text) where textProperties.contains(property.name) {
            let value = unescaped(property.value)
            guard !value.isEmpty else { continue }
            segments.append(DocumentText.Segment(kind: .body, location: property.name, text: value))
        }
        return DocumentText(segments: segments)
    }

    /// Files attached inline as base64.
    static func attachments(_ text: String, maxFiles: Int) -> [CarriedFiles.Carried] {
        var files: [CarriedFiles.Carried] = []
        for property in properties(text) where property.name == "ATTACH" && files.count < maxFiles {
            let parameters = property.parameters.map { $0.uppercased() }
            guard parameters.contains("ENCODING=BASE64") || parameters.contains("ENCODING=B") else { continue }
            guard let data = Data(base64Encoded: property.value, options: .ignoreUnknownCharacters) else { continue }
            let name = property.parameters.first { $0.uppercased().hasPrefix("X-FILENAME=") || $0.uppercased().hasPrefix("FILENAME=") }
                .map { String($0[$0.index(after: $0.firstIndex(of: "=")!)...]).trimmingCharacters(in: CharacterSet(charactersIn: "\"")) }
            files.append(CarriedFiles.Carried(name: name ?? "(file attached to the event)", bytes: Array(data)))
        }
        return files
    }

    static func unescaped(_ value: String) -> String {
        guard value.contains("\\") else { return value }
        var result = ""
        var escaping = false
        for character in value {
            if escaping {
                result += character == "n" || character == "N" ? "\n" : String(character)
                escaping = false
            } else if character == "\\" {
                escaping = true
            } else {
                result.append(character)
            }
        }
        return result
    }
}
