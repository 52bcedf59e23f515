/// What a spreadsheet program shows for a CSV field that is a formula building text from
/// quoted pieces: `="CONFI"&"DENTIAL"`, `=CONCATENATE("CONFI";"DENTIAL")`, `=CHAR(67)&"ONFIDENTIAL"`,
/// `=UPPER("confidential")`, `=TEXTJOIN("";TRUE;"CONFI";"DENTIAL")`, `=MID("xCONFIDENTIALx";2;12)`,
/// `=SUBSTITUTE("CONFIxDENTIAL";"x";"")` show CONFIDENTIAL. A CSV file keeps no computed values
/// (a workbook does), so these are worked out here; a formula with anything else in it (a cell
/// reference, another function, arithmetic) is left as written. Written here because no library on the machine evaluates spreadsheet
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
            if scalars[position].properties.numericType == .decimal { return number() }
            var name = ""
            while position < end, scalars[position].properties.isAlphabetic || scalars[position] == "_" || scalars[position] == "."
                || (!name.isEmpty && scalars[position].properties.numericType == .decimal), name.count < 24 {
                name.unicodeScalars.append(scalars[position])
                position += 1
            }
            name = name.uppercased()
            // Functions newer than a file format carry `_xlfn.` (`_xlfn.TEXTJOIN`).
            if name.hasPrefix("_XLFN.") { name.removeFirst(6) }
            skipSpaces()
            guard position < end, scalars[position] == "(" else {
                return name == "TRUE" || name == "FALSE" ? name : nil
            }
            position += 1
            guard let arguments = argumentList() else { return nil }
            let value = Self.apply(name, arguments)
            if let value, value.utf8.count > Self.maxLength * 4 { return nil }
            return value
        }

        /// The arguments up to the closing `)`, separated by `,` or `;`.
        mutating func argumentList() -> [String]? {
            var arguments: [String] = []
            skipSpaces()
            if position < end, scalars[position] == ")" {
                position += 1
                return arguments
            }
            while arguments.count < 255 {
                guard let argument = expression() else { return nil }
                arguments.append(argument)
                skipSpaces()
                guard position < end else { return nil }
                if scalars[position] == "," || scalars[position] == ";" {
                    position += 1
                    continue
                }
                return close() ? arguments : nil
            }
            return nil
        }

        /// A whole number, as text (`3`, and `3` in `MID("x", 3, 1)`).
        mutating func number() -> String? {
            var digits = String.UnicodeScalarView()
            while position < end, scalars[position].properties.numericType == .decimal, digits.count < 7 {
                digits.append(scalars[position])
                position += 1
            }
            guard let value = Int(String(digits).compactMap(\.wholeNumberValue).map(String.init).joined()) else { return nil }
            return String(value)
        }

        /// What a text function gives: concatenation, case, trimming, taking and replacing parts
        /// of text (as LibreOffice and Excel compute them); nil for any other function.
        static func apply(_ name: String, _ arguments: [String]) -> String? {
            func count(_ index: Int, default fallback: Int? = nil) -> Int? {
                guard index < arguments.count else { return fallback }
                guard let value = Int(arguments[index]), value >= 0, value <= maxLength else { return nil }
                return value
            }
            let text = arguments.first.map { Array($0) } ?? []
            switch (name, arguments.count) {
            case ("CONCATENATE", 1...), ("CONCAT", 1...): return arguments.joined()
            case ("TEXTJOIN", 3...):
                let skipEmpty = arguments[1] == "TRUE" || arguments[1] == "1"
                return arguments[2...].filter { !skipEmpty || !$0.isEmpty }.joined(separator: arguments[0])
            case ("CHAR", 1), ("UNICHAR", 1):
                guard let code = Int(arguments[0]), let scalar = Unicode.Scalar(UInt32(clamping: code)), code > 0 else { return nil }
                return String(scalar)
            case ("UPPER", 1): return arguments[0].uppercased()
            case ("LOWER", 1): return arguments[0].lowercased()
            case ("PROPER", 1):
                var result = ""
                var afterLetter = false
                for character in arguments[0] {
                    result += afterLetter ? character.lowercased() : character.uppercased()
                    afterLetter = character.isLetter
                }
                return result
            case ("TRIM", 1): return arguments[0].split(separator: " ").joined(separator: " ")
            case ("CLEAN", 1): return String(arguments[0].unicodeScalars.filter { $0.value >= 0x20 }.map(Character.init))
            case ("T", 1): return arguments[0]
            case ("LEFT", 1...2):
                guard let n = count(1, default: 1) else { return nil }
                return String(text.prefix(n))
            case ("RIGHT", 1...2):
                guard let n = count(1, default: 1) else { return nil }
                return String(text.suffix(n))
            case ("MID", 3):
                guard let start = count(1), start >= 1, let n = count(2) else { return nil }
                return String(text.dropFirst(start - 1).prefix(n))
            case ("REPLACE", 4):
                guard let start = count(1), start >= 1, let n = count(2) else { return nil }
                let head = text.prefix(start - 1), tail = text.dropFirst(start - 1 + n)
                return String(head) + arguments[3] + String(tail)
            case ("SUBSTITUTE", 3...4):
                guard !arguments[1].isEmpty else { return arguments[0] }
                var instance: Int?
                if arguments.count == 4 {
                    guard let wanted = count(3), wanted >= 1 else { return nil }
                    instance = wanted
                }
                // Built piece by piece and given up past the bound, before the text is made:
                // replacing each of 16,000 letters with 16,000 would make 256 MB.
                var found = 0
                var rest = Substring(arguments[0])
                var result = ""
                while let range = rest.firstRange(of: arguments[1]) {
                    found += 1
                    result += rest[..<range.lowerBound]
                    result += instance == nil || found == instance ? arguments[2] : arguments[1]
                    rest = rest[range.upperBound...]
                    if result.utf8.count > maxLength * 4 { return nil }
                }
                return result + rest
            case ("REPT", 2):
                guard let n = count(1), n * arguments[0].utf8.count <= maxLength else { return nil }
                return String(repeating: arguments[0], count: n)
            default: return nil
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
