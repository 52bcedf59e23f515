/// Counts the distinct personal data items in a text: e-mail addresses, UK phone numbers,
/// National Insurance numbers and UK postcodes.
///
/// Hand-written byte scanners rather than regular expressions: they run over every outgoing
/// message's text, and a single pass over bytes costs a fraction of a regex engine's time. A
/// first pass counts `@` signs and digits, so scanners that cannot reach a threshold are skipped.
struct PersonalDataCount {
    var emailAddresses: Set<String> = []
    var phoneNumbers: Set<String> = []
    var niNumbers: Set<String> = []
    var postcodes: Set<String> = []

    struct Thresholds {
        var emailAddresses: Int
        var phoneNumbers: Int
        var niNumbers: Int
        var postcodes: Int
    }

    init() {}

    init(_ text: String, thresholds: Thresholds) {
        // The text's own bytes, not a copy: a large workbook's text is megabytes.
        var text = text
        text.withUTF8 { bytes in
            let (ats, digits) = Self.countAtsAndDigits(bytes)
            var scans: [Scan] = []
            if ats >= thresholds.emailAddresses { scans.append(.emails) }
            if digits >= thresholds.phoneNumbers * 10 { scans.append(.phones) }
            if digits >= thresholds.niNumbers * 6 { scans.append(.niNumbers) }
            if digits >= thresholds.postcodes * 2 { scans.append(.postcodes) }
            guard scans.count > 1, Parallel.worthIt(textBytes: bytes.count) else {
                for kind in scans { scan(kind, bytes) }
                return
            }
            // A spreadsheet of members wakes every scanner: each reads the text on its own core.
            var counts = [PersonalDataCount](repeating: PersonalDataCount(), count: scans.count)
            counts.withUnsafeMutableBufferPointer { slots in
                let slots = Parallel.Slots(slots)
                Parallel.run(scans.count) { index in
                    var count = PersonalDataCount()
                    count.scan(scans[index], bytes)
                    slots[index] = count
                }
            }
            for count in counts {
                emailAddresses.formUnion(count.emailAddresses)
                phoneNumbers.formUnion(count.phoneNumbers)
                niNumbers.formUnion(count.niNumbers)
                postcodes.formUnion(count.postcodes)
            }
        }
    }

    /// `@` signs and ASCII digits in `bytes`, sixteen bytes at a time (a workbook's text is
    /// megabytes, and this pass decides which scanners run at all).
    static func countAtsAndDigits(_ bytes: UnsafeBufferPointer<UInt8>) -> (ats: Int, digits: Int) {
        var ats = 0, digits = 0, index = 0
        let at = SIMD16<UInt8>(repeating: UInt8(ascii: "@")), zero = SIMD16<UInt8>(repeating: 0x30)
        let ten = SIMD16<UInt8>(repeating: 10), one = SIMD16<UInt8>(repeating: 1), none = SIMD16<UInt8>()
        if let base = bytes.baseAddress {
            while bytes.count - index >= 16 {
                // Lanes count to at most 255 before they are added up.
                var atLanes = none, digitLanes = none
                for _ in 0..<min(255, (bytes.count - index) / 16) {
                    let chunk = UnsafeRawPointer(base + index).loadUnaligned(as: SIMD16<UInt8>.self)
                    atLanes &+= none.replacing(with: one, where: chunk .== at)
                    digitLanes &+= none.replacing(with: one, where: (chunk &- zero) .< ten)
                    index += 16
                }
                for lane in 0..<16 {
                    ats += Int(atLanes[lane])
                    digits += Int(digitLanes[lane])
                }
            }
        }
        while index < bytes.count {
            let byte = bytes[index]
            if byte == UInt8(ascii: "@") { ats += 1 } else if byte &- 0x30 < 10 { digits += 1 }
            index += 1
        }
        return (ats, digits)
    }

    private enum Scan { case emails, phones, niNumbers, postcodes }

    private mutating func scan(_ kind: Scan, _ bytes: UnsafeBufferPointer<UInt8>) {
        switch kind {
        case .emails: scanEmails(bytes)
        case .phones: scanPhones(bytes)
        case .niNumbers: scanNINumbers(bytes)
        case .postcodes: scanPostcodes(bytes)
        }
    }

    // MARK: E-mail addresses

    private static func isLocal(_ b: UInt8) -> Bool {
        isAlnum(b) || b == UInt8(ascii: ".") || b == UInt8(ascii: "_") || b == UInt8(ascii: "%") || b == UInt8(ascii: "+") || b == UInt8(ascii: "-")
    }
    private static func isDomain(_ b: UInt8) -> Bool { isAlnum(b) || b == UInt8(ascii: ".") || b == UInt8(ascii: "-") }
    private static func isAlnum(_ b: UInt8) -> Bool { isDigit(b) || isLetter(b) }
    private static func isDigit(_ b: UInt8) -> Bool { (0x30...0x39).contains(b) }
    private static func isLetter(_ b: UInt8) -> Bool { (0x41...0x5A).contains(b) || (0x61...0x7A).contains(b) }
    private static func upper(_ b: UInt8) -> UInt8 { (0x61...0x7A).contains(b) ? b - 0x20 : b }

    private mutating func scanEmails(_ bytes: UnsafeBufferPointer<UInt8>) {
        for (index, byte) in bytes.enumerated() where byte == UInt8(ascii: "@") {
            var start = index
            while start > 0, Self.isLocal(bytes[start - 1]) { start -= 1 }
            var end = index + 1
            while end < bytes.count, Self.isDomain(bytes[end]) { end += 1 }
            while end > index + 1, bytes[end - 1] == UInt8(ascii: ".") { end -= 1 }
            guard start < index, end > index + 1 else { continue }
            let domain = bytes[(index + 1)..<end]
            guard let dot = domain.lastIndex(of: UInt8(ascii: ".")), dot > index + 1, end - dot > 2 else { continue }
            emailAddresses.insert(String(decoding: bytes[start..<end], as: UTF8.self).lowercased())
        }
    }

    // MARK: UK phone numbers

    /// `0` or `+44` then digits with spaces, hyphens or brackets between them; a number counts
    /// when it has the UK's length (10 or 11 digits with the leading 0) and a UK prefix
    /// (01, 02, 03, 07, 08).
    private mutating func scanPhones(_ bytes: UnsafeBufferPointer<UInt8>) {
        // One buffer for every candidate's digits, emptied each time: a sheet of figures has a
        // candidate at every 0.
        var digits: [UInt8] = []
        digits.reserveCapacity(16)
        var index = 0
        while index < bytes.count {
            let byte = bytes[index]
            let startsNumber = byte == UInt8(ascii: "+") || byte == UInt8(ascii: "0") || byte == UInt8(ascii: "(")
            if !startsNumber || (index > 0 && (Self.isAlnum(bytes[index - 1]) || bytes[index - 1] == UInt8(ascii: "+"))) {
                index += 1
                continue
            }
            digits.removeAll(keepingCapacity: true)
            var end = index
            var afterLastDigit = index
            if byte == UInt8(ascii: "+") { end += 1 }
            while end < bytes.count, digits.count <= 13 {
                let b = bytes[end]
                if Self.isDigit(b) { digits.append(b); afterLastDigit = end + 1 } else if !(b == 0x20 || b == UInt8(ascii: "-") || b == UInt8(ascii: "(") || b == UInt8(ascii: ")")) { break }
                if b == 0x20, end + 1 < bytes.count, bytes[end + 1] == 0x20 { break }
                end += 1
            }
            if byte == UInt8(ascii: "+") {
                guard digits.starts(with: [0x34, 0x34]) else { index = end; continue }
                digits.removeFirst(2)
                if digits.first == 0x30 { digits.removeFirst() }  // +44 (0)20 ...
                digits.insert(0x30, at: 0)
            }
            // A number that runs on into letters or more digits (a reference, a hex string) is not a phone.
            let runsOn = afterLastDigit < bytes.count && Self.isAlnum(bytes[afterLastDigit])
            if !runsOn, (10...11).contains(digits.count), digits[0] == 0x30, [0x31, 0x32, 0x33, 0x37, 0x38].contains(digits[1]) {
                phoneNumbers.insert(String(decoding: digits, as: UTF8.self))
            }
            index = max(end, index + 1)
        }
    }

    // MARK: National Insurance numbers

    /// Two prefix letters, six digits, a suffix A–D, spaces allowed between pairs. HMRC's
    /// format rules: the first letter is not D, F, I, Q, U or V; the second not D, F, I, O, Q,
    /// U or V; BG, GB, KN, NK, NT, TN and ZZ are never issued.
    private mutating func scanNINumbers(_ bytes: UnsafeBufferPointer<UInt8>) {
        // Pairs as one number each, compared without making an array for every two letters.
        let badPairs: Set<UInt16> = Set(["BG", "GB", "KN", "NK", "NT", "TN", "ZZ"].map { pair in pair.utf8.reduce(0) { $0 << 8 | UInt16($1) } })
        var index = 0
        while index + 9 <= bytes.count {
            defer { index += 1 }
            guard Self.isLetter(bytes[index]), index == 0 || !Self.isAlnum(bytes[index - 1]) else { continue }
            let first = Self.upper(bytes[index])
            guard index + 1 < bytes.count, Self.isLetter(bytes[index + 1]) else { continue }
            let second = Self.upper(bytes[index + 1])
            guard !"DFIQUV".utf8.contains(first), !"DFIOQUV".utf8.contains(second), !badPairs.contains(UInt16(first) << 8 | UInt16(second))
            else { continue }
            // Three pairs of digits, each after an optional space; where each starts (no array
            // yet: most candidates fail here).
            var cursor = index + 2
            var starts = (0, 0, 0), found = 0
            while found < 3 {
                if cursor < bytes.count, bytes[cursor] == 0x20 { cursor += 1 }
                guard cursor + 1 < bytes.count, Self.isDigit(bytes[cursor]), Self.isDigit(bytes[cursor + 1]) else { break }
                switch found {
                case 0: starts.0 = cursor
                case 1: starts.1 = cursor
                default: starts.2 = cursor
                }
                found += 1
                cursor += 2
            }
            guard found == 3 else { continue }
            if cursor < bytes.count, bytes[cursor] == 0x20 { cursor += 1 }
            guard cursor < bytes.count, "ABCD".utf8.contains(Self.upper(bytes[cursor])) else { continue }
            guard cursor + 1 == bytes.count || !Self.isAlnum(bytes[cursor + 1]) else { continue }
            let number = [first, second, bytes[starts.0], bytes[starts.0 + 1], bytes[starts.1], bytes[starts.1 + 1], bytes[starts.2], bytes[starts.2 + 1],
                          Self.upper(bytes[cursor])]
            niNumbers.insert(String(decoding: number, as: UTF8.self))
        }
    }

    // MARK: UK postcodes

    /// Outward code (A9, A99, A9A, AA9, AA99, AA9A), an optional space, inward code (9AA), in
    /// capitals as addresses write them.
    private mutating func scanPostcodes(_ bytes: UnsafeBufferPointer<UInt8>) {
        func isUpper(_ b: UInt8) -> Bool { (0x41...0x5A).contains(b) }
        var index = 0
        while index < bytes.count {
            defer { index += 1 }
            guard isUpper(bytes[index]), index == 0 || !Self.isAlnum(bytes[index - 1]) else { continue }
            var cursor = index + 1
            if cursor < bytes.count, isUpper(bytes[cursor]) { cursor += 1 }
            guard cursor < bytes.count, Self.isDigit(bytes[cursor]) else { continue }
            cursor += 1
            if cursor < bytes.count, Self.isDigit(bytes[cursor]) || isUpper(bytes[cursor]) {
                // A second digit or a letter may belong to the outward code, unless it starts the inward one.
                let next = cursor + 1
                if !(Self.isDigit(bytes[cursor]) && next + 1 < bytes.count && isUpper(bytes[next]) && isUpper(bytes[next + 1])
                    && (next + 2 == bytes.count || !Self.isAlnum(bytes[next + 2]))) {
                    cursor += 1
                }
            }
            let outward = bytes[index..<cursor]
            if cursor < bytes.count, bytes[cursor] == 0x20 { cursor += 1 }
            guard cursor + 2 < bytes.count, Self.isDigit(bytes[cursor]), isUpper(bytes[cursor + 1]), isUpper(bytes[cursor + 2])
            else { continue }
            guard cursor + 3 == bytes.count || !Self.isAlnum(bytes[cursor + 3]) else { continue }
            postcodes.insert(String(decoding: outward, as: UTF8.self) + " " + String(decoding: bytes[cursor..<(cursor + 3)], as: UTF8.self))
        }
    }
}
