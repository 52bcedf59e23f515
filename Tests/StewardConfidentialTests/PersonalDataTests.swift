@testable import StewardPolicy
import Testing

@Suite("Personal data counting")
struct PersonalDataTests {
    static let low = PersonalDataCount.Thresholds(emailAddresses: 1, phoneNumbers: 1, niNumbers: 1, postcodes: 1)

    @Test("National Insurance numbers follow HMRC's format rules")
    func niNumbers() {
        let valid = "AB 12 34 56 C, ce123456a, JK 65 43 21 D"
        #expect(PersonalDataCount(valid, thresholds: Self.low).niNumbers == ["AB123456C", "CE123456A", "JK654321D"])
        // D/F/I/Q/U/V first, O second, never-issued pairs, a suffix past D, too few digits.
        let invalid = "DA123456A QQ123456C AO123456B GB123456A ZZ123456B AB123456E AB12345C"
        #expect(PersonalDataCount(invalid, thresholds: Self.low).niNumbers.isEmpty)
    }

    @Test("UK phone numbers: 0 or +44, UK prefixes and lengths; other numbers are not phones")
    func phones() {
        let text = "Call 07700 900123, +44 (0)20 7946 0958, 0161-496-0000 or +44 7700 900123. Ref 12345678901, US +1 212 555 0100, hex 0712345678ab, 0771234567890."
        #expect(PersonalDataCount(text, thresholds: Self.low).phoneNumbers == ["07700900123", "02079460958", "01614960000"])
    }

    @Test("a text large enough to be counted on several cores counts as its lines counted one by one")
    func largeText() {
        let lines = (0..<4000).map { i in
            "Member \(i), member\(i)@home\(i % 7).example, 07700 9\(String(1000 + i).suffix(4))\(i % 10), "
                + "AB \(10 + i % 90) \(10 + i / 90 % 90) 12 C, SW\(1 + i % 20) \(i / 20 % 10)A\(["A", "B", "D", "E"][i / 200 % 4])"
        }
        let text = lines.joined(separator: "\n")
        #expect(text.utf8.count > Parallel.threshold)
        let whole = PersonalDataCount(text, thresholds: Self.low)
        var pieces = PersonalDataCount()
        for line in lines {
            let count = PersonalDataCount(line, thresholds: Self.low)
            pieces.emailAddresses.formUnion(count.emailAddresses)
            pieces.phoneNumbers.formUnion(count.phoneNumbers)
            pieces.niNumbers.formUnion(count.niNumbers)
            pieces.postcodes.formUnion(count.postcodes)
        }
        #expect(whole.emailAddresses.count == 4000)
        #expect(whole.phoneNumbers.count > 1000)
        #expect(whole.niNumbers.count > 1000)
        #expect(whole.postcodes.count == 800)
        #expect(whole.emailAddresses == pieces.emailAddresses)
        #expect(whole.phoneNumbers == pieces.phoneNumbers)
        #expect(whole.niNumbers == pieces.niNumbers)
        #expect(whole.postcodes == pieces.postcodes)
    }

    @Test("the first pass counts every @ and digit, sixteen bytes at a time or one by one")
    func firstPass() {
        var generator = SystemRandomNumberGenerator()
        for length in [0, 1, 15, 16, 17, 255 * 16, 255 * 16 + 5, 70_000] {
            let bytes = (0..<length).map { _ in UInt8.random(in: 0...255, using: &generator) }
            let counted = bytes.withUnsafeBufferPointer { PersonalDataCount.countAtsAndDigits($0) }
            #expect(counted.ats == bytes.filter { $0 == UInt8(ascii: "@") }.count, "\(length)")
            #expect(counted.digits == bytes.filter { (0x30...0x39).contains($0) }.count, "\(length)")
        }
    }

    @Test("UK postcodes and e-mail addresses, distinct")
    func postcodesAndEmails() {
        let text = "SW1A 1AA, M1 1AE, B33 8TH, SW1A 1AA again; a@x.example, A@X.example, b@y.example. Not: ABC 123, 12 3AB"
        let count = PersonalDataCount(text, thresholds: Self.low)
        #expect(count.postcodes == ["SW1A 1AA", "M1 1AE", "B33 8TH"])
        #expect(count.emailAddresses == ["a@x.example", "b@y.example"])
    }
}
