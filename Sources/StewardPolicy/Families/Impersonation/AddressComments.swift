import StewardCore

/// Comments in an address header, as mail programs show them: `Kim Ng (General Secretary)
/// <kim.ng@union.example>` shows "Kim Ng (General Secretary)", and the old form
/// `alex.gs@mail.example (Alex Morgan)` shows "Alex Morgan". GMime drops comments from the
/// display name, so an impersonator's title or name there would go unread.
enum AddressComments {
    /// The mailboxes with their header's comments added to each name, from the header's text
    /// (encoded words decoded).
    static func adding(to mailboxes: [MailboxAddress], from texts: [String]) -> [MailboxAddress] {
        var comments: [String: String] = [:]
        for text in texts {
            for item in items(of: text) where !item.comments.isEmpty {
                guard let address = item.address else { continue }
                let joined = item.comments.joined(separator: " ")
                comments[address] = comments[address].map { $0 + " " + joined } ?? joined
            }
        }
        guard !comments.isEmpty else { return mailboxes }
        return mailboxes.map { mailbox in
            guard let comment = comments[mailbox.address] else { return mailbox }
            let name = mailbox.name.map { $0.isEmpty ? comment : "\($0) (\(comment))" } ?? comment
            return MailboxAddress(name: name, address: mailbox.address)
        }
    }

    /// Each comma-separated item of an address list: its address (lower-cased, in angle
    /// brackets or the bare word with an "@") and its comments, outer parentheses taken off:
    /// those before the angle brackets, or any beside a bare address (a comment after
    /// `<address>` is not shown as a name). Commas, brackets and "@" inside quoted strings and
    /// comments are text.
    static func items(of text: String) -> [(address: String?, comments: [String])] {
        var result: [(address: String?, comments: [String])] = []
        var comments: [String] = []
        var comment = ""
        var outside = ""
        var angle: String?
        var inAngle = false
        var depth = 0
        var quoted = false
        var escaped = false
        func endItem() {
            let bare = outside.split(whereSeparator: { $0.isWhitespace || $0 == "\"" }).last { $0.contains("@") }
            let address = (angle ?? bare.map(String.init)).map(EmailAddress.normalize)
            if address != nil || !comments.isEmpty { result.append((address, comments)) }
            comments = []
            outside = ""
            angle = nil
        }
        for character in text.prefix(65536) {
            if escaped {
                escaped = false
                if depth > 0 { comment.append(character) } else { outside.append(character) }
                continue
            }
            if character == "\\", quoted || depth > 0 {
                escaped = true
                continue
            }
            if quoted {
                if character == "\"" { quoted = false }
                outside.append(character)
                continue
            }
            switch character {
            case "(":
                if depth > 0 { comment.append(character) }
                depth += 1
            case ")" where depth > 0:
                depth -= 1
                if depth > 0 {
                    comment.append(character)
                } else {
                    let trimmed = comment.trimmedWhitespace
                    if !trimmed.isEmpty, angle == nil { comments.append(trimmed) }
                    comment = ""
                }
            case _ where depth > 0:
                comment.append(character)
            case "\"":
                quoted = true
                outside.append(character)
            case "<" where !inAngle:
                inAngle = true
                angle = ""
            case ">" where inAngle:
                inAngle = false
            case _ where inAngle:
                angle?.append(character)
            case ",":
                endItem()
            default:
                outside.append(character)
            }
        }
        endItem()
        return result
    }
}
