public import StewardCore

/// Clause 14: no one sends as someone they are not. A member's login must own the addresses they
/// send as; mail from outside may not claim the union's domains without proof; display names
/// may not borrow officials' names; domains may not imitate the union's. See ImpersonationRules.
public struct ImpersonationFamily: DetectionFamily {
    public init() {}

    public var kind: String { "impersonation" }
    public var rules: [RuleDescriptor] { ImpersonationRules.all }
    /// These rules exist to catch a sender who is not who they claim: an exception for a sender
    /// address would let anyone who writes that address through.
    public var allowsSenderExceptions: Bool { false }

    public func evaluate(_ message: InspectedMessage, context: RuleContext) -> [RuleHit] {
        let view = SenderView(message)
        var hits: [RuleHit] = []
        if context.direction == .incoming {
            hits += spoofedUnionDomain(view, message, context)
        } else {
            hits += loginMismatch(view, context)
            hits += unauthenticatedInside(view, context)
        }
        let names = context.isEnabled(ImpersonationRules.officialName.id) || context.isEnabled(ImpersonationRules.replyDivergence.id)
        // The evaluator hands over the index built with the policy; a context made elsewhere
        // (a test of one family) gets one built for it.
        let index = names || context.isEnabled(ImpersonationRules.lookalikeDomain.id) || context.isEnabled(ImpersonationRules.addressInName.id)
            ? context.impersonationIndex ?? ImpersonationIndex(
                directory: context.directory,
                protectOfficials: context.flag("protect_officials", of: ImpersonationRules.officialName, default: true),
                extraNames: context.list("protected_names", of: ImpersonationRules.officialName))
            : nil
        if let index {
            hits += officialName(view, index, context)
            hits += lookalikeDomain(view, message, index, context)
            hits += replyDivergence(view, index, context)
            hits += addressInName(view, index, context)
        }
        return hits
    }

    // MARK: Logins (outgoing and internal)

    private func loginMismatch(_ view: SenderView, _ context: RuleContext) -> [RuleHit] {
        let rule = ImpersonationRules.loginMismatch
        guard context.isEnabled(rule.id), let login = context.envelope.authUser, !login.isEmpty else { return [] }
        guard !context.list("exempt_logins", of: rule).contains(login) else { return [] }
        let localPartOwns = context.flag("login_owns_local_part", of: rule, default: true)
        let directory = context.directory
        // Postfix's reject_sender_login_mismatch, for the envelope sender and every From and
        // Sender mailbox, and for any address: a login that may not send as a union address
        // may not send as someone else's outside address either.
        return view.claimedAddresses(envelope: context.envelope).compactMap { claim in
            if directory.isUnionAddress(claim.address) {
                guard !owns(login, claim.address, directory, localPartOwns) else { return nil }
                return RuleHit(rule: rule.id, detail: "the login \(login) sent as \(claim.address) (\(claim.field)), an address that login may not use")
            }
            guard !ownsPersonal(login, claim.address, context) else { return nil }
            return RuleHit(rule: rule.id, detail: "the login \(login) sent as \(claim.address) (\(claim.field)), an address outside the union that the directory does not give that login")
        }
    }

    /// An address outside the union belongs to a login only through the login map (the
    /// member's declared personal address), and only when the branch allows personal addresses.
    func ownsPersonal(_ login: String, _ address: String, _ context: RuleContext) -> Bool {
        context.flag("personal_addresses", of: ImpersonationRules.loginMismatch, default: true)
            && context.directory.login(login, maySendAs: address)
    }

    /// The login map decides for an address it lists; for others, the login of the same name.
    func owns(_ login: String, _ address: String, _ directory: UnionDirectory, _ localPartOwns: Bool) -> Bool {
        let logins = directory.logins(allowedToSendAs: address)
        if !logins.isEmpty { return logins.contains(login) }
        let normalized = EmailAddress.normalize(login)
        let base = directory.withoutExtension(address) ?? address
        if normalized == address || normalized == base { return true }
        guard localPartOwns, let at = base.lastIndex(of: "@") else { return false }
        return base[..<at] == normalized
    }

    private func unauthenticatedInside(_ view: SenderView, _ context: RuleContext) -> [RuleHit] {
        let rule = ImpersonationRules.unauthenticatedInside
        guard context.isEnabled(rule.id), context.envelope.authUser?.isEmpty ?? true,
              let client = context.envelope.clientAddress, let ip = IPAddress(client),
              context.directory.isInsideNetwork(client)
        else { return [] }
        let relays = context.list("trusted_relays", of: rule).compactMap(NetworkRange.init)
        guard !relays.contains(where: { $0.contains(ip) }) else { return [] }
        return view.claimedAddresses(envelope: context.envelope)
            .filter { context.directory.isUnionAddress($0.address) }
            .map {
                RuleHit(rule: rule.id, detail: "\($0.address) (\($0.field)) was used without logging in, from \(client), which is not a trusted relay")
            }
    }

    // MARK: Spoofed union domains (incoming)

    private func spoofedUnionDomain(_ view: SenderView, _ message: InspectedMessage, _ context: RuleContext) -> [RuleHit] {
        let rule = ImpersonationRules.spoofedUnionDomain
        guard context.isEnabled(rule.id) else { return [] }
        var claims: [(field: String, address: String)] = []
        if context.directory.isUnionAddress(context.envelope.sender) {
            claims.append(("envelope sender", EmailAddress.normalize(context.envelope.sender)))
        }
        claims += view.from.filter { context.directory.isUnionAddress($0.address) }.map { ("From", $0.address) }
        guard !claims.isEmpty else { return [] }

        let allowed = context.list("allowed_senders", of: rule)
        let trusted = Set(context.list("trusted_authserv_ids", of: rule).map { $0.lowercased() })
        // The topmost header from a trusted server: one an outsider forged sits below it.
        let results = trusted.isEmpty ? nil : message.headerValues("Authentication-Results")
            .lazy.compactMap(AuthenticationResults.init).first { trusted.contains($0.authservID) }
        let source = context.envelope.clientAddress ?? "an unknown host"
        var hits: [RuleHit] = []
        for claim in claims {
            if isAllowed(claim.address, allowed, context.envelope) { continue }
            guard let domain = EmailAddress.domain(of: claim.address) else { continue }
            if let results, passes(domain, for: claim.field, results, context.directory) { continue }
            hits.append(RuleHit(
                rule: rule.id,
                detail: "\(claim.field) claims \(claim.address), a union address, but the message came from outside the union (\(source)) with no passing DMARC or DKIM result for \(domain)"))
        }
        return hits
    }

    /// Whether a trusted server says the domain passed: DMARC for the From domain; DKIM signed by
    /// the union domain it belongs to (relaxed alignment); SPF for the envelope sender's domain.
    func passes(_ domain: String, for field: String, _ header: AuthenticationResults, _ directory: UnionDirectory) -> Bool {
        let root = directory.domains.first { UnionDirectory.domain(domain, isWithin: $0) }
        return header.results.contains { result in
            guard result.result == "pass" else { return false }
            switch result.method {
            case "dmarc":
                return result.properties["header.from"]?.lowercased() == domain
            case "dkim":
                let signer = result.properties["header.d"] ?? result.properties["header.i"].flatMap(EmailAddress.domain(of:))
                guard let signer = signer?.lowercased(), let root else { return false }
                return UnionDirectory.domain(signer, isWithin: root)
                    && (UnionDirectory.domain(domain, isWithin: signer) || UnionDirectory.domain(signer, isWithin: domain))
            case "spf" where field == "envelope sender":
                let checked = result.properties["smtp.mailfrom"].map { EmailAddress.domain(of: $0) ?? $0.lowercased() }
                return checked == domain
            default:
                return false
            }
        }
    }

    /// `allowed_senders` entries are "address-or-@domain source", the source an IP address,
    /// a network, or a host name (the client's, subdomains included).
    func isAllowed(_ address: String, _ entries: [String], _ envelope: Envelope) -> Bool {
        for entry in entries {
            let words = entry.split(whereSeparator: \.isWhitespace).map(String.init)
            guard words.count == 2 else { continue }
            let sender = EmailAddress.normalize(words[0])
            let senderMatches = sender.hasPrefix("@")
                ? EmailAddress.domain(of: address).map { UnionDirectory.domain($0, isWithin: String(sender.dropFirst())) } ?? false
                : sender == address
            guard senderMatches else { continue }
            let source = words[1].lowercased()
            if let range = NetworkRange(source) {
                if let client = envelope.clientAddress.flatMap(IPAddress.init), range.contains(client) { return true }
            } else if let name = envelope.clientName?.lowercased(), UnionDirectory.domain(name, isWithin: source) {
                return true
            }
        }
        return false
    }

    // MARK: Display names

    private func officialName(_ view: SenderView, _ index: ImpersonationIndex, _ context: RuleContext) -> [RuleHit] {
        let rule = ImpersonationRules.officialName
        guard context.isEnabled(rule.id) else { return [] }
        let allowed = context.list("allowed_domains", of: rule).map { $0.lowercased() }
        var hits: [RuleHit] = []
        for (field, mailboxes) in [("From", view.from), ("Sender", view.sender)] {
            for mailbox in mailboxes {
                guard let name = mailbox.name, !view.isListRewrite(mailbox) else { continue }
                if let domain = mailbox.domain, allowed.contains(where: { UnionDirectory.domain(domain, isWithin: $0) }) { continue }
                for borrowed in borrowedNames(name, mailbox.address, index, context.directory) {
                    hits.append(RuleHit(
                        rule: rule.id,
                        detail: "\(field) shows the name \"\(Self.printable(name))\", matching \(borrowed.label), on \(mailbox.address), an address that is not theirs"))
                }
            }
        }
        return hits
    }

    /// Protected names the display name shows that `address` does not own. A match inside a
    /// longer one the address owns is fine (the Assistant Branch Secretary shows "Branch Secretary").
    func borrowedNames(_ name: String, _ address: String, _ index: ImpersonationIndex, _ directory: UnionDirectory) -> [ProtectedName] {
        let words = NameFolding.words(name)
        guard !words.isEmpty else { return [] }
        var matches = index.protectedNames.compactMap { protected in protected.match(in: words).map { (protected, $0) } }
        guard !matches.isEmpty else { return [] }
        // A person's name inside a double-barrelled one is another person ("Sam Okafor-Jones"
        // is not Sam Okafor): with hyphens and dashes taken out (`okaforjones`) it must still be
        // found, unless what it is joined to could not be a surname ("Sam Okafor-GS", "Alex
        // Morgan-Union", a word of a protected name).
        if matches.contains(where: { $0.0.isPersonName }) {
            let readable = NameFolding.readable(name)
            let joined = NameFolding.words(String(readable.filter { !Self.nameDashes.contains($0) }))
            matches.removeAll { match in
                match.0.isPersonName && match.0.match(in: joined) == nil
                    && Self.joinedToSurname(readable, after: match.0, index: index, directory: directory)
            }
        }
        let owned = matches.filter { isOwner(address, of: $0.0, directory) }.map(\.1)
        return matches.filter { match in
            !owned.contains { $0.lowerBound <= match.1.lowerBound && match.1.upperBound <= $0.upperBound }
        }.map(\.0)
    }

    private static let nameDashes: Set<Character> = ["-", "\u{2013}", "\u{2014}"]

    /// Whether the words joined to a protected person's name by a dash could be another
    /// surname: three letters or more, capitalised, not in capitals (GS), not the name's own
    /// words again (Okafor-Okafor), and not a word of any protected name, the union's name or
    /// a branch's (Union, London…).
    static func joinedToSurname(_ readable: String, after name: ProtectedName, index: ImpersonationIndex, directory: UnionDirectory) -> Bool {
        let protectedWords = Set(index.protectedNames.flatMap(\.words) + directory.branches.flatMap { NameFolding.words($0.name) + [$0.id] })
        let pieces = readable.split { $0.isWhitespace }
        for piece in pieces where piece.contains(where: nameDashes.contains) {
            let parts = piece.split(whereSeparator: nameDashes.contains).map(String.init)
            let own = parts.filter { name.words.contains(NameFolding.words($0).joined()) }
            guard parts.count >= 2, !own.isEmpty else { continue }
            if own.count == parts.count { return false }
            for part in parts where !name.words.contains(NameFolding.words(part).joined()) {
                let folded = NameFolding.words(part).joined()
                guard part.count >= 3, let first = part.first, first.isUppercase, part.dropFirst().contains(where: \.isLowercase),
                      !protectedWords.contains(folded) else { return false }
            }
        }
        return true
    }

    /// An owner's own address, or a role address a login of theirs may send as (an official
    /// sending from the branch office address).
    func isOwner(_ address: String, of name: ProtectedName, _ directory: UnionDirectory) -> Bool {
        switch name.owner {
        case .union:
            return directory.isUnionAddress(address)
        case .addresses(let owners):
            if owners.contains(address) { return true }
            let logins = directory.logins(allowedToSendAs: address)
            guard !logins.isEmpty else { return false }
            return owners.contains { !directory.logins(allowedToSendAs: $0).isDisjoint(with: logins) }
        }
    }

    private func addressInName(_ view: SenderView, _ index: ImpersonationIndex, _ context: RuleContext) -> [RuleHit] {
        let rule = ImpersonationRules.addressInName
        guard context.isEnabled(rule.id) else { return [] }
        let allowed = context.list("allowed_domains", of: rule).map { $0.lowercased() }
        var hits: [RuleHit] = []
        for (field, mailboxes) in [("From", view.from), ("Sender", view.sender), ("Reply-To", view.replyTo), ("Mail-Reply-To", view.mailReplyTo)] {
            for mailbox in mailboxes {
                guard let name = mailbox.name, !view.isListRewrite(mailbox) else { continue }
                if let domain = mailbox.domain, allowed.contains(where: { UnionDirectory.domain(domain, isWithin: $0) }) { continue }
                let shown = name.contains("@") ? Self.addresses(inName: name).filter { $0 != mailbox.address } : []
                if let other = shown.first {
                    hits.append(RuleHit(rule: rule.id, detail: "\(field) shows the address \(other) in its name but is really from \(mailbox.address)"))
                } else if !context.directory.isUnionAddress(mailbox.address), let union = unionDomain(inName: name, index, context.directory) {
                    // "london.union.example" <payroll@elsewhere.example>: the union's domain as
                    // the name, on an address outside it.
                    hits.append(RuleHit(rule: rule.id, detail: "\(field) shows the union's domain \(union) as its name but is really from \(mailbox.address)"))
                }
            }
        }
        return hits
    }

    /// A display name as findings quote it: control characters (a decoded RFC 2047 word may
    /// hold line breaks) become spaces, and a long name is cut.
    static func printable(_ name: String) -> String {
        let scalars = name.unicodeScalars.map { $0.properties.generalCategory == .control ? " " : $0 }
        let text = String(String.UnicodeScalarView(scalars))
        return text.count > 100 ? String(text.prefix(97)) + "..." : text
    }

    /// Words of a display name that are e-mail addresses (`"alex@union.example" <x@evil.example>`).
    static func addresses(inName name: String) -> [String] {
        name.split(whereSeparator: { $0.isWhitespace || "<>()[]\"',;:".contains($0) })
            .map { EmailAddress.normalize(String($0)) }
            .filter { word in
                guard let at = word.firstIndex(of: "@"), at != word.startIndex else { return false }
                return word[word.index(after: at)...].contains(".")
            }
    }

    /// The union domain a display name shows, as it is read (`NameFolding.readable`: full-width
    /// and invisible characters), itself, a subdomain or written with look-alike letters; also
    /// inside a link (`https://london.union.example`), defanged (`union[.]example`) or with
    /// an ideographic dot.
    func unionDomain(inName name: String, _ index: ImpersonationIndex, _ directory: UnionDirectory) -> String? {
        var text = NameFolding.readable(name)
        for dot in ["[.]", "(.)", "\u{3002}", "\u{FF0E}", "\u{FF61}"] { text = text.replacing(dot, with: ".") }
        guard text.contains(".") else { return nil }
        for word in Self.domains(inName: text) {
            if directory.isUnionDomain(word) { return word }
            if let union = index.lookalikes.unionDomainReadAlike(word) { return "\(union) (written \(word))" }
        }
        return nil
    }

    /// Words of a display name that are domain names (`"union.example" <x@evil.example>`):
    /// two labels or more of letters (of any script, for look-alikes), digits and hyphens, the
    /// last of two letters or more; split at spaces, quotes, brackets and the marks of a link.
    static func domains(inName name: String) -> [String] {
        name.split(whereSeparator: { $0.isWhitespace || "<>()[]{}\"'“”‘’«»,;:@/\\|!?*#=".contains($0) })
            .map { word in
                var word = Substring(word)
                while word.hasSuffix(".") { word = word.dropLast() }
                return word.lowercased()
            }
            .filter { word in
                let labels = word.split(separator: ".", omittingEmptySubsequences: false)
                guard labels.count >= 2, let last = labels.last, last.count >= 2, last.allSatisfy(\.isLetter) else { return false }
                return labels.allSatisfy { label in !label.isEmpty && label.allSatisfy { $0.isLetter || $0.isNumber || $0 == "-" } }
            }
    }

    // MARK: Domains

    private func lookalikeDomain(_ view: SenderView, _ message: InspectedMessage, _ index: ImpersonationIndex, _ context: RuleContext) -> [RuleHit] {
        let rule = ImpersonationRules.lookalikeDomain
        guard context.isEnabled(rule.id) else { return [] }
        let allowed = context.list("allowed_domains", of: rule).map { $0.lowercased() }
        let distance = max(0, context.integer("max_edit_distance", of: rule, default: 1))
        var places: [(place: String, domain: String)] = []
        places += view.from.compactMap { $0.domain.map { ("From", $0) } }
        places += view.replyMailboxes.compactMap { field, mailbox in mailbox.domain.map { (field, $0) } }
        places += view.sender.compactMap { $0.domain.map { ("Sender", $0) } }
        if let domain = EmailAddress.domain(of: context.envelope.sender) { places.append(("the envelope sender", domain)) }
        places += message.linkHosts.map { ("a link in the message", $0) }
        var seen: Set<String> = []
        var hits: [RuleHit] = []
        for (place, domain) in places where seen.insert(domain).inserted {
            if context.directory.isUnionDomain(domain) { continue }  // the usual case: no ICU call
            if allowed.contains(where: { UnionDirectory.domain(domain, isWithin: $0) }) { continue }
            if let why = index.lookalikes.resemblance(of: domain, maxEditDistance: distance) {
                hits.append(RuleHit(rule: rule.id, detail: "\(place): \(why)"))
            }
        }
        return hits
    }

    private func replyDivergence(_ view: SenderView, _ index: ImpersonationIndex, _ context: RuleContext) -> [RuleHit] {
        let rule = ImpersonationRules.replyDivergence
        let replies = view.replyMailboxes
        guard context.isEnabled(rule.id), !replies.isEmpty || !view.returnPath.isEmpty else { return [] }
        let directory = context.directory
        let allowed = context.list("allowed_domains", of: rule).map { $0.lowercased() }
        if let login = context.envelope.authUser, !login.isEmpty {
            // A member who logged in owns their From (the login rule checks it), but a Reply-To
            // that sends answers to a mailbox that is neither the union's nor theirs (a freemail
            // box named like a union office) impersonates "to receive" (clause 14).
            guard !context.list("exempt_logins", of: ImpersonationRules.loginMismatch).contains(login) else { return [] }
            return replies.compactMap { field, reply in
                guard !directory.isUnionAddress(reply.address), !ownsPersonal(login, reply.address, context),
                      !(EmailAddress.domain(of: reply.address).map { domain in allowed.contains { UnionDirectory.domain(domain, isWithin: $0) } } ?? false)
                else { return nil }
                return RuleHit(rule: rule.id, detail: "the login \(login) set \(field) to \(reply.address): replies would go to a mailbox outside the union that the directory does not give that login")
            }
        }
        let claim: String? = view.from.lazy.compactMap { mailbox -> String? in
            if directory.isUnionAddress(mailbox.address) { return "the union address \(mailbox.address)" }
            guard let name = mailbox.name, !view.isListRewrite(mailbox) else { return nil }
            let words = NameFolding.words(name)
            let official = index.protectedNames.first { $0.match(in: words) != nil }
            return official.map { "the name of \($0.label)" }
        }.first
        guard let claim else { return [] }
        let fromDomains = Set(view.from.compactMap(\.domain))
        var hits: [RuleHit] = []
        for (field, address) in replies.map({ ($0.field, $0.mailbox.address) }) + view.returnPath.map({ ("Return-Path", $0) }) {
            guard let domain = EmailAddress.domain(of: address), !directory.isUnionDomain(domain),
                  !fromDomains.contains(domain), !allowed.contains(where: { UnionDirectory.domain(domain, isWithin: $0) })
            else { continue }
            hits.append(RuleHit(rule: rule.id, detail: "From claims \(claim), but \(field) sends replies to \(address), outside the union"))
        }
        return hits
    }
}

extension BranchSettings {
    func list(_ name: String, of rule: RuleDescriptor) -> [String] {
        if case .list(let values) = option(name, of: rule.id) ?? rule.options[name] { return values }
        return []
    }

    func flag(_ name: String, of rule: RuleDescriptor, default value: Bool) -> Bool {
        if case .flag(let flag) = option(name, of: rule.id) ?? rule.options[name] { return flag }
        return value
    }
}

extension RuleContext {
    func list(_ name: String, of rule: RuleDescriptor) -> [String] { settings.list(name, of: rule) }

    func flag(_ name: String, of rule: RuleDescriptor, default value: Bool) -> Bool { settings.flag(name, of: rule, default: value) }

    func integer(_ name: String, of rule: RuleDescriptor, default value: Int) -> Int {
        if case .integer(let number) = option(name, of: rule.id) ?? rule.options[name] { return number }
        return value
    }
}
