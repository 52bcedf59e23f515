import StewardCore

/// Every part with the path a person can follow to it: MIME parts as `part 2 "minutes.zip"`,
/// files inside archives after their archive: `part 2 "minutes.zip" > "agenda.pdf.exe"`.
/// Names are shown with hidden characters spelled out (`<U+202E>`), so the trick is visible.
enum PartLabels {
    static func labelled(_ root: MessagePart) -> [(part: MessagePart, label: String)] {
        var result: [(part: MessagePart, label: String)] = []
        var stack: [(part: MessagePart, parentLabel: String)] = [(root, "")]
        while let (part, parentLabel) = stack.popLast() {
            let label: String
            if part.origin == .archiveMember {
                label = parentLabel + " > " + quoted(part.filename ?? "(no name)")
            } else {
                let position = part.path.isEmpty ? "message body" : "part " + part.path.map(String.init).joined(separator: ".")
                label = part.filename.map { position + " " + quoted($0) } ?? position
            }
            result.append((part, label))
            for child in part.children.reversed() { stack.append((child, label)) }
        }
        return result
    }

    static func quoted(_ name: String) -> String { "\"" + visible(name) + "\"" }

    /// Control and format characters (bidi overrides, zero-width spaces) as `<U+XXXX>`.
    static func visible(_ name: String) -> String {
        var text = ""
        for scalar in name.unicodeScalars {
            if scalar.properties.generalCategory == .format || scalar.properties.generalCategory == .control {
                text += "<U+" + String(scalar.value, radix: 16, uppercase: true).leftPadded(to: 4) + ">"
            } else {
                text.unicodeScalars.append(scalar)
            }
        }
        return text
    }
}

extension String {
    func leftPadded(to width: Int) -> String { count >= width ? self : String(repeating: "0", count: width - count) + self }
}
