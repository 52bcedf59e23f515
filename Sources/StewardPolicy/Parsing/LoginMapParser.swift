/// Reads a Postfix `smtpd_sender_login_maps`-style text file (the source of a `hash:` or
/// `texthash:` table): `address   login1, login2` per line, `@domain` keys allowed, `#` comment
/// lines, blank lines, and lines starting with white space continuing the previous line.
enum LoginMapParser {
    struct Entry {
        var key: String
        var logins: [String]
        var line: Int
    }

    static func parse(_ file: PolicyFile, log: inout ProblemLog) -> [Entry] {
        var logical: [(text: String, line: Int)] = []
        // "\r\n" is one Character in Swift, so split on each line break form.
        let lines = file.text.split(omittingEmptySubsequences: false) { $0 == "\n" || $0 == "\r\n" || $0 == "\r" }
        for (index, line) in lines.enumerated() {
            let trimmed = String(line).trimmingSpaces
            if trimmed.isEmpty || trimmed.hasPrefix("#") { continue }
            if let first = line.first, first == " " || first == "\t", !logical.isEmpty {
                logical[logical.count - 1].text += " " + trimmed
            } else {
                logical.append((trimmed, index + 1))
            }
        }
        var entries: [Entry] = []
        var seen: Set<String> = []
        for (text, line) in logical {
            let fields = text.split(maxSplits: 1, whereSeparator: { $0 == " " || $0 == "\t" })
            let key = String(fields[0]).lowercased()
            guard key.contains("@"), !key.hasSuffix("@") else {
                log.add(file.path, line, "'\(key)' is not a sender address or @domain")
                continue
            }
            let logins = fields.count > 1
                ? fields[1].split(whereSeparator: { $0 == "," || $0 == " " || $0 == "\t" }).map(String.init)
                : []
            guard !logins.isEmpty else {
                log.add(file.path, line, "'\(key)' names no login; write `\(key)   login1, login2`")
                continue
            }
            guard seen.insert(key).inserted else {
                log.add(file.path, line, "'\(key)' appears twice; put all its logins on one line")
                continue
            }
            entries.append(Entry(key: key, logins: logins, line: line))
        }
        return entries
    }
}
