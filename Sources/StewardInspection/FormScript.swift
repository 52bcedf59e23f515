/// A PDF form field's script that only calls Acrobat's own form functions with plain values:
/// `AFNumber_Format(2, 0, 0, 0, "€", true);`, `AFDate_FormatEx("dd/mm/yyyy");`,
/// `AFSimple_Calculate("SUM", new Array ("Hours", "Overtime"));`. Acrobat and LibreOffice
/// write these into every fillable form with a number, date or total field (an expenses claim,
/// a membership form); they format what is typed and run nothing else. A script with anything
/// more (a variable, another call, an operator, a comment) is a program, as before.
enum FormScript {
    /// Acrobat's format, keystroke, validate and calculate functions (AForm.js).
    static let functions: Set<String> = [
        "AFNumber_Format", "AFNumber_Keystroke", "AFPercent_Format", "AFPercent_Keystroke",
        "AFDate_Format", "AFDate_FormatEx", "AFDate_Keystroke", "AFDate_KeystrokeEx",
        "AFTime_Format", "AFTime_FormatEx", "AFTime_Keystroke", "AFTime_KeystrokeEx",
        "AFSpecial_Format", "AFSpecial_Keystroke", "AFSpecial_KeystrokeEx",
        "AFSimple_Calculate", "AFRange_Validate",
    ]

    /// Whether `script` is one or more such calls, each `Name(values);`, where a value is a
    /// number, a quoted string, `true`, `false`, or `new Array(values)`. Bounded as no real
    /// form's script is exceeded (4 KB, 16 calls, strings of 256 bytes), so no long argument
    /// reaches one of the functions.
    static func isOnlyFormFunctions(_ script: [UInt8]) -> Bool {
        guard script.count <= 4096 else { return false }
        var reader = Reader(bytes: script)
        var calls = 0
        while calls <= 16 {
            reader.skipSpace()
            if reader.atEnd { return calls > 0 }
            guard let name = reader.identifier(), functions.contains(name), reader.take("("), reader.values(closing: ")") else { return false }
            calls += 1
            reader.skipSpace()
            _ = reader.take(";")
        }
        return false
    }

    private struct Reader {
        let bytes: [UInt8]
        var index = 0

        var atEnd: Bool { index >= bytes.count }

        mutating func skipSpace() {
            while index < bytes.count, [0x20, 0x09, 0x0A, 0x0D, 0x0C].contains(bytes[index]) { index += 1 }
        }

        mutating func take(_ character: Character) -> Bool {
            skipSpace()
            guard index < bytes.count, bytes[index] == character.asciiValue else { return false }
            index += 1
            return true
        }

        mutating func identifier() -> String? {
            let start = index
            while index < bytes.count, bytes[index] == UInt8(ascii: "_") || (bytes[index] | 0x20 >= 0x61 && bytes[index] | 0x20 <= 0x7A)
                || (index > start && bytes[index] >= 0x30 && bytes[index] <= 0x39) {
                index += 1
            }
            return index > start ? String(decoding: bytes[start..<index], as: UTF8.self) : nil
        }

        /// Values separated by commas up to `closing`, which is consumed.
        mutating func values(closing: Character, depth: Int = 0) -> Bool {
            if take(closing) { return true }
            while true {
                guard value(depth: depth) else { return false }
                if take(closing) { return true }
                guard take(",") else { return false }
            }
        }

        mutating func value(depth: Int) -> Bool {
            skipSpace()
            guard index < bytes.count else { return false }
            let byte = bytes[index]
            if byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "'") { return string(quote: byte) }
            if byte == UInt8(ascii: "-") || byte == UInt8(ascii: "+") || byte == UInt8(ascii: ".") || (byte >= 0x30 && byte <= 0x39) {
                let start = index
                index += 1
                while index < bytes.count, bytes[index] == UInt8(ascii: ".") || (bytes[index] >= 0x30 && bytes[index] <= 0x39) { index += 1 }
                return bytes[start..<index].contains { $0 >= 0x30 && $0 <= 0x39 }
            }
            guard let word = identifier() else { return false }
            switch word {
            case "true", "false": return true
            case "new":
                // `new Array("A", "B")`: the fields a sum adds up, never deeper than one level.
                skipSpace()
                guard depth == 0, identifier() == "Array", take("(") else { return false }
                return values(closing: ")", depth: depth + 1)
            default: return false
            }
        }

        mutating func string(quote: UInt8) -> Bool {
            index += 1
            let start = index
            while index < bytes.count, index - start <= 256 {
                if bytes[index] == UInt8(ascii: "\\") {
                    index += 2
                    continue
                }
                if bytes[index] == quote {
                    index += 1
                    return true
                }
                if bytes[index] == 0x0A || bytes[index] == 0x0D { return false }
                index += 1
            }
            return false
        }
    }
}
