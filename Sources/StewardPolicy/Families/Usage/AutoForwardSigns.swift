import StewardCore

/// Signs that a member's mail is being forwarded automatically to an outside mailbox. An
/// auto-forward sends out everything the member receives, other members' mail included
/// (clauses 10(b) and 14), so it is held for the senior official; Microsoft 365 turns automatic
/// external forwarding off by default for the same reason. A member forwarding one message by
/// hand (Fwd:) shows none of these signs and passes.
///
/// - `Auto-Submitted: auto-forwarded` (RFC 5436's value for automatic forwarding);
/// - `Resent-From` or `Resent-Sender` naming a union address (redirect rules, procmail, Sieve `redirect`);
/// - an envelope sender rewritten for forwarding by the union's own host (SRS: `SRS0=…@union domain`);
/// - Exchange's `X-MS-Exchange-Inbox-Rules-Loop` (an inbox rule forwarded it), naming a union address.
struct AutoForwardSigns {
    let context: RuleContext

    func hits(in message: InspectedMessage) -> [RuleHit] {
        let rule = UsageFamily.autoForwardRule.id
        let allowed = (context.option("allowed_domains", of: rule)?.listValue ?? []).map { $0.lowercased() }
        let outside = UsageFamily.distinctRecipients(context.envelope).filter { recipient in
            guard !context.directory.isUnionAddress(recipient) else { return false }
            guard let domain = EmailAddress.domain(of: recipient) else { return true }
            return !allowed.contains { UnionDirectory.domain(domain, isWithin: $0) }
        }
        guard !outside.isEmpty else { return [] }
        let signs = signs(in: message)
        guard !signs.isEmpty else { return [] }
        let to = outside.count > 5 ? outside.prefix(5).joined(separator: ", ") + " and \(outside.count - 5) more" : outside.joined(separator: ", ")
        return [RuleHit(rule: rule, detail: "forwarded automatically out of the union (\(signs.joined(separator: "; "))) to \(to)")]
    }

    func signs(in message: InspectedMessage) -> [String] {
        var signs: [String] = []
        if message.headerValues("Auto-Submitted").contains(where: { Self.firstWord($0) == "auto-forwarded" }) {
            signs.append("marked Auto-Submitted: auto-forwarded")
        }
        for name in ["Resent-From", "Resent-Sender"] {
            if let address = unionAddress(in: message.headerValues(name)) {
                signs.append("resent by \(address) (\(name))")
                break
            }
        }
        if let original = srsOriginal(context.envelope.sender) {
            signs.append("the envelope sender was rewritten for forwarding (SRS) by the union; first sent by \(original)")
        }
        if let address = unionAddress(in: message.headerValues("X-MS-Exchange-Inbox-Rules-Loop")) {
            signs.append("an inbox rule of \(address) forwarded it")
        }
        return signs
    }

    /// The first union address in these header values.
    private func unionAddress(in values: [String]) -> String? {
        for value in values {
            for candidate in Self.addresses(in: value) where context.directory.isUnionAddress(candidate) { return candidate }
        }
        return nil
    }

    /// The original sender an SRS address at a union domain stands for (`SRS0=HHHH=TT=domain=local@union`,
    /// or `SRS1=HHHH=forwarder==HHHH=TT=domain=local@union` when forwarded twice); nil otherwise.
    private func srsOriginal(_ sender: String) -> String? {
        let normalized = EmailAddress.normalize(sender)
        guard let at = normalized.lastIndex(of: "@"), context.directory.isUnionDomain(String(normalized[normalized.index(after: at)...])) else { return nil }
        let local = normalized[..<at]
        guard local.hasPrefix("srs0=") || local.hasPrefix("srs1=") else { return nil }
        let fields = local.split(separator: "=", omittingEmptySubsequences: false)
        guard fields.count >= 5, let domain = fields.dropLast().last, !domain.isEmpty, let user = fields.last, !user.isEmpty else {
            return "an unreadable SRS address"
        }
        return "\(user)@\(domain)"
    }

    static func firstWord(_ value: String) -> String {
        String(value.lowercased().prefix { !$0.isWhitespace && $0 != ";" && $0 != "(" })
    }

    /// Addresses in a header value: `<…>` forms, else bare words with `@`.
    static func addresses(in value: String) -> [String] {
        var result: [String] = []
        var rest = Substring(value)
        while let open = rest.firstIndex(of: "<"), let close = rest[open...].firstIndex(of: ">") {
            result.append(EmailAddress.normalize(String(rest[rest.index(after: open)..<close])))
            rest = rest[rest.index(after: close)...]
        }
        if result.isEmpty {
            result = value.split(whereSeparator: { $0 == " " || $0 == "," || $0 == "\t" })
                .filter { $0.contains("@") }.map { EmailAddress.normalize(String($0)) }
        }
        return result
    }
}
