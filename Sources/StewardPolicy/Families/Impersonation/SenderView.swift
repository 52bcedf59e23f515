import StewardCore

/// Who a message says it is from: the mailboxes of From, Sender, Reply-To and Mail-Reply-To
/// (decoded by inspection), Return-Path, and whether a mailing list rewrote From to its own address.
struct SenderView {
    var from: [MailboxAddress]
    var sender: [MailboxAddress]
    var replyTo: [MailboxAddress]
    /// Where mutt, Gnus and Claws send a reply instead of Reply-To. (Mail-Followup-To is left
    /// out: mutt sets it to a mailing list's address on its own.)
    var mailReplyTo: [MailboxAddress]
    var returnPath: [String]
    /// List-Id and List-Post values, lower-cased, when the message came through a list.
    private var listID: String?
    private var listPost: String?

    init(_ message: InspectedMessage) {
        // One pass over the headers: this runs for every message.
        var rough: [String: [MailboxAddress]] = [:]
        var texts: [String: [String]] = [:]
        var returnPath: [String] = []
        var listID: String?
        var listPost: String?
        for header in message.headers {
            switch header.name.lowercased() {
            case let name where name == "from" || name == "sender" || name == "reply-to" || name == "mail-reply-to":
                // Messages not built by inspection (tests, tools): angle-bracket addresses only.
                if message.addresses[name] == nil {
                    rough[name, default: []] += Self.roughMailboxes(header.value)
                } else if header.value.contains("(") {
                    texts[name, default: []].append(header.text)
                }
            case "return-path":
                let address = EmailAddress.normalize(header.value)
                if address.contains("@") { returnPath.append(address) }
            case "list-id":
                if listID == nil { listID = header.value.lowercased() }
            case "list-post":
                if listPost == nil { listPost = header.value.lowercased() }
            default:
                break
            }
        }
        // Inspection's names lack the comments mail programs show with them.
        func mailboxes(_ name: String) -> [MailboxAddress] {
            guard let parsed = message.addresses[name] else { return rough[name] ?? [] }
            return texts[name].map { AddressComments.adding(to: parsed, from: $0) } ?? parsed
        }
        from = mailboxes("from")
        sender = mailboxes("sender")
        replyTo = mailboxes("reply-to")
        mailReplyTo = mailboxes("mail-reply-to")
        self.returnPath = returnPath
        self.listID = listID
        self.listPost = listPost
    }

    /// Every mailbox that replies go to, with its header's name.
    var replyMailboxes: [(field: String, mailbox: MailboxAddress)] {
        replyTo.map { ("Reply-To", $0) } + mailReplyTo.map { ("Mail-Reply-To", $0) }
    }

    /// Envelope sender, From and Sender addresses, each with where it was found, once each.
    func claimedAddresses(envelope: Envelope) -> [(field: String, address: String)] {
        var result: [(field: String, address: String)] = []
        var seen: Set<String> = []
        if !envelope.sender.isEmpty {
            let sender = EmailAddress.normalize(envelope.sender)
            seen.insert(sender)
            result.append(("envelope sender", sender))
        }
        for (field, mailboxes) in [("From", from), ("Sender", sender)] {
            for mailbox in mailboxes where seen.insert(mailbox.address).inserted {
                result.append((field, mailbox.address))
            }
        }
        return result
    }

    /// A list that rewrites From puts its own address there ("Alex Morgan via Branch List"
    /// <branch-list@lists.example>) and names itself in List-Id or List-Post.
    func isListRewrite(_ mailbox: MailboxAddress) -> Bool {
        guard let listID, let domain = mailbox.domain else { return false }
        if let open = listID.lastIndex(of: "<"), let close = listID.lastIndex(of: ">"), open < close {
            let id = listID[listID.index(after: open)..<close]
            if id.hasSuffix("." + domain) || id == domain { return true }
        }
        return listPost?.contains("mailto:" + mailbox.address) ?? false
    }

    static func roughMailboxes(_ value: String) -> [MailboxAddress] {
        var result: [MailboxAddress] = []
        for item in value.split(separator: ",") {
            if let open = item.lastIndex(of: "<"), let close = item.lastIndex(of: ">"), open < close {
                var name = String(item[..<open]).trimmedWhitespace
                if name.hasPrefix("\""), name.hasSuffix("\""), name.count >= 2 { name = String(name.dropFirst().dropLast()) }
                result.append(MailboxAddress(name: name, address: String(item[item.index(after: open)..<close])))
            } else if item.contains("@") {
                result.append(MailboxAddress(address: String(item)))
            }
        }
        return result
    }
}
