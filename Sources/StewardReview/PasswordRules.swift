import Foundation

/// What a review app password must be: at least 12 characters, not one of the passwords
/// attackers try first, and not a trivial pattern (one character repeated, a run such as
/// `abcdefghijkl` or `123456789012`, a keyboard row, a short piece repeated) nor built on the
/// person's own address or the product's name. A short list shipped in the binary, not a
/// breach corpus: it stops the guesses a throttled attacker would spend their five tries on.
public enum PasswordRules {
    public static let minimumLength = 12

    /// Why `password` is refused for `login`, or nil when it is acceptable.
    public static func problem(with password: String, login: String) -> String? {
        guard password.count >= minimumLength else { return "the password must be at least \(minimumLength) characters long" }
        let folded = password.lowercased()
        let core = String(folded.filter { $0.isLetter || $0.isNumber })
        if common.contains(folded) || common.contains(core) || common.contains(where: { !core.isEmpty && core.hasPrefix($0) && core.count - $0.count <= 4 }) {
            return "that password is one of the first that attackers try; choose a longer phrase of unrelated words"
        }
        if isPattern(core.isEmpty ? folded : core) {
            return "that password is a simple pattern (repeated or consecutive characters, a keyboard row); choose a phrase of unrelated words"
        }
        let local = login.lowercased().split(separator: "@").first.map(String.init) ?? ""
        let names = local.split(whereSeparator: { !$0.isLetter }).map(String.init).filter { $0.count >= 3 }
        let rest = names.reduce(core) { $0.replacingOccurrences(of: $1, with: "") }
        if !names.isEmpty && rest.count < 6 || ["steward", "union"].contains(where: { core.replacingOccurrences(of: $0, with: "").count < 6 }) {
            return "that password is mostly your own address or the union's name; choose a phrase of unrelated words"
        }
        return nil
    }

    /// One character repeated, a short piece repeated, or a run along the alphabet, the digits
    /// or a keyboard row (forwards or backwards).
    static func isPattern(_ text: String) -> Bool {
        let characters = Array(text)
        for period in 1...4 where characters.count > period {
            if characters.indices.allSatisfy({ $0 < period || characters[$0] == characters[$0 - period] }) { return true }
        }
        let runs = ["abcdefghijklmnopqrstuvwxyz", "012345678901234567890", "qwertyuiop", "asdfghjkl", "zxcvbnm", "qwertzuiop", "azertyuiop", "1qaz2wsx3edc4rfv"]
        let alphabets = runs + runs.map { String($0.reversed()) }
        // Every 4-character window lies on one of the runs: a walk along it, however long.
        guard characters.count >= 4 else { return false }
        return (0...(characters.count - 4)).allSatisfy { start in
            let window = String(characters[start..<start + 4])
            return alphabets.contains { $0.contains(window) }
        }
    }

    /// Passwords from the top of public leaked-password frequency lists and the phrases people
    /// pick for a union or mail system, lower-cased, 8 characters or more (shorter ones fail the
    /// length rule anyway). A password equal to one, or one plus up to four more characters
    /// (`password2024!`), is refused.
    static let common: Set<String> = [
        "password", "password1", "password12", "password123", "passw0rd", "p@ssw0rd", "p@ssword", "pa55word",
        "12345678", "123456789", "1234567890", "123123123", "11111111", "00000000", "87654321", "987654321",
        "qwertyuiop", "qwerty123", "qwertyui", "1q2w3e4r", "1q2w3e4r5t", "1qaz2wsx", "zaq12wsx", "asdfghjkl",
        "iloveyou", "sunshine", "princess", "football", "baseball", "welcome1", "welcome", "letmein1", "letmein",
        "trustno1", "superman", "starwars", "whatever", "dragon123", "monkey123", "michael1", "jennifer", "computer",
        "changeme", "changeit", "administrator", "admin123", "adminadmin", "secret123", "default1", "master123",
        "abc12345", "abcd1234", "access14", "football1", "liverpool", "arsenal1", "chelsea1", "manchester",
        "charlie1", "tottenham", "london123", "scotland", "edinburgh", "glasgow1", "cardiff1", "birmingham",
        "summer2024", "winter2024", "spring2024", "autumn2024", "summer2025", "winter2025", "summer2026", "winter2026",
        "january2026", "december2026", "christmas", "solidarity", "tradeunion", "unionmember", "unionpower",
        "workersunite", "stewardship", "shopsteward", "branchsecretary", "secretary", "treasurer", "chairperson",
        "correcthorsebatterystaple", "correct horse battery staple", "mailserver", "postmaster", "webmail1",
        "office365", "microsoft", "google123", "outlook1", "mypassword", "newpassword", "password!", "letmeinplease",
    ]
}
