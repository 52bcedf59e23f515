/// What a spreadsheet program shows for a CSV field that is a formula building text from
/// quoted pieces: `="CONFI"&"DENTIAL"`, `=CONCATENATE("CONFI";"DENTIAL")`, `=CHAR(67)&"ONFIDENTIAL"`
/// show CONFIDENTIAL. A CSV file keeps no computed values (a workbook does), so these are
/// worked out here; a formula with anything else in it (a cell reference, another function)
/// is left as written. Written here because no library on the machine evaluates spreadsheet
/// formulas short of LibreOffice itself.
enum CSVFormulas {
    /// The field separator of a CSV file: of `,`, `;` and a tab, the one its first line holds
    /// most of outside quotes (`;` in many European exports).
    static func separator(of firstLine: Substring) -> Unicode.Scalar {
        var counts: [Unicode.Scalar: Int] = [:]
        var quoted = false
        for scalar in firstLine.unicodeScalars {
            if scalar == "\"" { quoted.toggle() } else if !quoted, scalar == "," || scalar == ";" || scalar == "\t" { counts[scalar, default: 0] += 1 }
        }
        return counts.max { $0.value < $1.value || ($0.value == $1.value && $0.key.value > $1.key.value) }?.key ?? ","
    }

    /// The values of the row's formula fields that could be worked out. Each field is read
    /// once: a quoted field to its closing quote, an unquoted one to the next `separator` (as
    /// a spreadsheet program splits it), so a row costs its length whatever it holds.
    static func values(in row: Substring, separator: Unicode.Scalar) -> [String] {
        guard row.contains("=") else { return [] }
        let scalars = Array(row.unicodeScalars)
        var values: [String] = []
        var i = 0
        while i < scalars.count {
            // At a field's start.
            var j = i
            while j < scalars.count, scalars[j] == " " { j += 1 }
            var field: [Unicode.Scalar] = []
            if j < scalars.count, scalars[j] == "\"" {
                // A quoted field: its text with "" read as ".
                var k = j + 1
                while k < scalars.count {
                    if scalars[k] == "\"" {
                        if k + 1 < scalars.count, scalars[k + 1] == "\"" { field.append("\""); k += 2; continue }
                        break
                    }
                    field.append(scalars[k])
                    k += 1
                }
                j = k + 1
            }
            // The rest of the field, to the separator.
            while j < scalars.count, scalars[j] != separator {
                field.append(scalars[j])
                j += 1
            }
            if let value = evaluate(field) { values.append(value) }
            i = j + 1
        }
        return values
    }

    private static func evaluate(_ field: [Unicode.Scalar]) -> String? {
        guard field.count <= Parser.maxScan, let first = field.firstIndex(where: { $0 != " " }), field[first] == "=" else { return nil }
        var parser = Parser(scalars: field, position: first + 1)
        guard let value = parser.formula() else { return nil }
        parser.skipSpaces()
        return parser.position == field.count ? value : nil
    }

    /// A recursive-descent reading of text formulas, nested at most `maxDepth` deep.
    private struct Parser {
        let scalars: [Unicode.Scalar]
        var position: Int
        var depth = 0
        static let maxDepth = 16
        /// Text longer than this is not worked out (a marking is short; this bounds the work).
        static let maxLength = 4096

        /// How far one formula is read: past this it is left as written.
        static let maxScan = 4096
        let end: Int

        init(scalars: [Unicode.Scalar], position: Int) {
            self.scalars = scalars
            self.position = position
            end = min(scalars.count, position + Self.maxScan)
        }

        mutating func formula() -> String? {
            guard let value = expression(), value.unicodeScalars.count <= Self.maxLength else { return nil }
            return value
        }

        mutating func skipSpaces() { while position < end, scalars[position] == " " { position += 1 } }

        mutating func expression() -> String? {
            guard depth < Self.maxDepth else { return nil }
            depth += 1
            defer { depth -= 1 }
            guard var value = term() else { return nil }
            while true {
                skipSpaces()
                guard position < end, scalars[position] == "&" else { return value }
                position += 1
                guard let next = term() else { return nil }
                value += next
                if value.utf8.count > Self.maxLength * 4 { return nil }
            }
        }

        mutating func term() -> String? {
            skipSpaces()
            guard position < end else { return nil }
            if scalars[position] == "\"" { return literal() }
            if scalars[position] == "(" {
                position += 1
                guard let inner = expression() else { return nil }
                return close() ? inner : nil
            }
            var name = ""
            while position < end, scalars[position].properties.isAlphabetic, name.count < 16 {
                name.unicodeScalars.append(scalars[position])
                position += 1
            }
            skipSpaces()
            guard position < end, scalars[position] == "(" else { return nil }
            position += 1
            switch name.uppercased() {
            case "CONCATENATE", "CONCAT":
                var value = ""
                while true {
                    guard let argument = expression() else { return nil }
                    value += argument
                    if value.utf8.count > Self.maxLength * 4 { return nil }
                    skipSpaces()
                    guard position < end else { return nil }
                    if scalars[position] == "," || scalars[position] == ";" {
                        position += 1
                        continue
                    }
                    return close() ? value : nil
                }
            case "CHAR", "UNICHAR":
                skipSpaces()
                var digits = 0
                var code: UInt32 = 0
                while position < end, let digit = scalars[position].properties.numericType == .decimal ? scalars[position].properties.numericValue : nil,
                      digits < 7 {
                    code = code * 10 + UInt32(digit)
                    digits += 1
                    position += 1
                }
                guard digits > 0, close(), let scalar = Unicode.Scalar(code) else { return nil }
                return String(scalar)
            default:
                return nil
            }
        }

        /// A quoted literal, `""` inside it read as `"`.
        mutating func literal() -> String? {
            position += 1
            var value = String.UnicodeScalarView()
            while position < end {
                if scalars[position] == "\"" {
                    if position + 1 < end, scalars[position + 1] == "\"" {
                        value.append("\"")
                        position += 2
                        continue
                    }
                    position += 1
                    return String(value)
                }
                value.append(scalars[position])
                position += 1
            }
            return nil
        }

        mutating func close() -> Bool {
            skipSpaces()
            guard position < end, scalars[position] == ")" else { return false }
            position += 1
            return true
        }
    }
}
