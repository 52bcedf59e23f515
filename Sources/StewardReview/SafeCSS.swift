import Foundation

/// The `style` attributes of a mail's HTML, cut down to declarations that only change how text
/// and boxes look. A declaration survives only when its property is on the list and its value
/// is made of plain characters (no backslash escapes, no comments, no colons, no `url(`,
/// `image-set(`, `expression(` — only the colour functions), so nothing can load or run.
enum SafeCSS {
    static let properties: Set<String> = [
        "color", "background-color", "font", "font-family", "font-size", "font-style", "font-weight",
        "font-variant", "text-align", "text-decoration", "text-indent", "text-transform", "line-height",
        "letter-spacing", "word-spacing", "white-space", "vertical-align", "direction",
        "margin", "margin-top", "margin-right", "margin-bottom", "margin-left",
        "padding", "padding-top", "padding-right", "padding-bottom", "padding-left",
        "border", "border-top", "border-right", "border-bottom", "border-left", "border-color", "border-style",
        "border-width", "border-collapse", "border-spacing", "border-radius",
        "width", "height", "max-width", "min-width", "max-height", "min-height",
        "display", "list-style-type", "table-layout", "caption-side", "empty-cells",
    ]

    /// Functions a value may call: colours only.
    static let functions: Set<String> = ["rgb", "rgba", "hsl", "hsla"]

    /// The declarations kept, written back as `property: value; …`.
    static func declarations(_ style: String) -> String {
        var kept: [String] = []
        for declaration in style.split(separator: ";") {
            guard let colon = declaration.firstIndex(of: ":") else { continue }
            let property = declaration[..<colon].trimmingCharacters(in: .whitespacesAndNewlines).lowercased()
            var value = declaration[declaration.index(after: colon)...].trimmingCharacters(in: .whitespacesAndNewlines)
            // `!important` cannot change what loads; keep the declaration without it.
            if value.lowercased().hasSuffix("!important") {
                value = String(value.dropLast("!important".count)).trimmingCharacters(in: .whitespacesAndNewlines)
            }
            guard properties.contains(property), !value.isEmpty, isSafeValue(value) else { continue }
            kept.append("\(property): \(value)")
        }
        return kept.joined(separator: "; ")
    }

    static func isSafeValue(_ value: String) -> Bool {
        let allowed = value.unicodeScalars.allSatisfy { scalar in
            switch scalar {
            // `/` for `font: 12px/1.5 …`; a comment needs `*` too, which is not here.
            case "a"..."z", "A"..."Z", "0"..."9", " ", "#", "%", ".", ",", "-", "+", "/", "(", ")", "'", "\"": true
            default: false
            }
        }
        guard allowed else { return false }
        // Every `name(` must be a colour function.
        var name = ""
        for scalar in value.lowercased().unicodeScalars {
            if scalar == "(" {
                guard functions.contains(name) else { return false }
                name = ""
            } else if ("a"..."z").contains(scalar) || scalar == "-" {
                name.unicodeScalars.append(scalar)
            } else {
                name = ""
            }
        }
        return true
    }
}
