import Foundation
import StewardCore
import CStewardGMime

/// The mailboxes of From, Sender, Reply-To and Mail-Reply-To as GMime parses them: RFC 5322 address lists with
/// groups, quoted and commented display names and RFC 2047 encoded words. A hand-rolled parser
/// gets these wrong, and a wrong display name is exactly what an impersonator counts on.
enum HeaderAddressReader {
    static func addresses(
        of message: UnsafeMutablePointer<GMimeMessage>, headers: [RawHeader], options: OpaquePointer?
    ) -> [String: [MailboxAddress]] {
        var result: [String: [MailboxAddress]] = [:]
        let lists: [(String, UnsafeMutablePointer<InternetAddressList>?)] = [
            ("from", g_mime_message_get_from(message)),
            ("sender", g_mime_message_get_sender(message)),
            ("reply-to", g_mime_message_get_reply_to(message)),
        ]
        for (name, list) in lists {
            // A display name in base64 words is parsed again from the raw header, each word
            // decoded on its own as mail programs do (`EncodedWords`; GMime's own list reads
            // `=?utf-8?B?R2VuZXJhbA==?= =?utf-8?B?IFNlY3JldGFyeQ==?=` as "General").
            let raw = headers.filter { $0.name.lowercased() == name }
            if raw.contains(where: { EncodedWords.hasBase64Word($0.rawValue) }) {
                var mailboxes: [MailboxAddress] = []
                for header in raw {
                    let text = EncodedWords.normalised(String(decoding: header.rawValue, as: UTF8.self))
                    guard let parsed = internet_address_list_parse(options, text) else { continue }
                    mailboxes += Self.mailboxes(in: parsed, depth: 0, options: options)
                    g_object_unref(parsed)
                }
                if !mailboxes.isEmpty {
                    result[name] = mailboxes
                    continue
                }
            }
            let mailboxes = Self.mailboxes(in: list, depth: 0, options: options)
            if !mailboxes.isEmpty { result[name] = mailboxes }
        }
        // Mail-Reply-To is where mutt, Gnus and Claws send a reply; GMime has no getter for it.
        // Every such header, parsed from its raw value (the decoded value can hold a quote or
        // a bracket that an encoded word hid, and would parse differently).
        var mailReplyTo: [MailboxAddress] = []
        for header in headers where header.name.lowercased() == "mail-reply-to" {
            let raw = String(decoding: header.rawValue, as: UTF8.self)
            guard let list = internet_address_list_parse(options, raw) else { continue }
            mailReplyTo += Self.mailboxes(in: list, depth: 0, options: options)
            g_object_unref(list)
        }
        if !mailReplyTo.isEmpty { result["mail-reply-to"] = mailReplyTo }
        return result
    }

    /// The name when it is a single address (`local@domain.example`, angle brackets or quotes
    /// around it allowed), lower-cased. A mail program stops reading it at a NUL, a line break,
    /// a comma or a comment (Mailsploit's `=?utf-8?b?…AA==?=@evil.example` shows the part
    /// before the NUL, which GMime's decoding turns into `?`), so it is cut there too.
    static func loneAddress(_ name: String) -> String? {
        let shown = name.prefix { !"\u{0}\r\n,(?".contains($0) }
        let trimmed = shown.trimmingCharacters(in: .whitespacesAndNewlines).trimmingCharacters(in: CharacterSet(charactersIn: "<>\"' "))
        guard let at = trimmed.firstIndex(of: "@"), at != trimmed.startIndex,
              !trimmed.contains(where: { $0.isWhitespace || $0 == "<" || $0 == ">" || $0 == "," }),
              trimmed[trimmed.index(after: at)...].contains(".") else { return nil }
        return trimmed.lowercased()
    }

    /// The RFC 2047 encoded word an address starts with (`=?charset?b?…?=`), alone.
    static func leadingEncodedWord(_ address: String) -> String? {
        guard address.hasPrefix("=?") else { return nil }
        let parts = address.dropFirst(2).split(separator: "?", maxSplits: 3, omittingEmptySubsequences: false)
        guard parts.count == 4, parts[1].count == 1, parts[3].hasPrefix("=") else { return nil }
        return "=?\(parts[0])?\(parts[1])?\(parts[2])?="
    }

    /// Mailboxes of a list, group members included (groups nest at most a few levels).
    private static func mailboxes(in list: UnsafeMutablePointer<InternetAddressList>?, depth: Int, options: OpaquePointer?) -> [MailboxAddress] {
        guard let list, depth < 4 else { return [] }
        var result: [MailboxAddress] = []
        for index in 0..<internet_address_list_length(list) {
            guard let address = internet_address_list_get_address(list, index) else { continue }
            if let mailbox = steward_as_mailbox(address) {
                let name = GMimeBytes.string(internet_address_get_name(address))
                var addr = GMimeBytes.string(internet_address_mailbox_get_addr(mailbox)) ?? ""
                // A mailbox with no address of its own whose name is one (an encoded word that
                // decodes to "general.secretary@union.example", as in Mailsploit): mail programs
                // show that address as the sender, so it is read as the sender's address.
                if addr.isEmpty, let shown = name.flatMap(Self.loneAddress) { addr = shown }
                // GMime takes a lone encoded word for the address itself: decoded, it may be one.
                if let word = Self.leadingEncodedWord(addr), let decoded = g_mime_utils_header_decode_text(options, word) {
                    if let shown = GMimeBytes.string(decoded).flatMap(Self.loneAddress) { addr = shown }
                    g_free(decoded)
                }
                guard !addr.isEmpty else { continue }
                result.append(MailboxAddress(name: name, address: addr))
            } else if let group = steward_as_group(address) {
                result += mailboxes(in: internet_address_group_get_members(group), depth: depth + 1, options: options)
            }
        }
        return result
    }
}
