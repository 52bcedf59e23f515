public import StewardCore

/// Unsafe material in attachments and bodies: clause 10(f)(viii) and the NUT security advice
/// not to open attachments that can run code. Every part is judged by what it really is (its
/// true type), at any depth: inside attached messages and inside archives, which inspection
/// opens. Names are judged as Windows would read them.
public struct UnsafeAttachmentFamily: DetectionFamily {
    /// A message that could not be fully inspected (an inspection limit was reached) is held,
    /// never passed unseen: material one has reason to suspect. It belongs to this family
    /// because what was not seen is an attachment that could not be checked; the finding
    /// names the part, down to the archive where the limit was reached, and whatever was found
    /// above that depth is reported beside it.
    public static let limitRule = RuleDescriptor(
        id: "inspection-limit", clause: "10(f)(viii)",
        summary: "the message could not be fully inspected (too deep, too many parts, too large)",
        defaultAction: .quarantine,
        refusal: "it could not be fully inspected for unsafe material",
        clauseRequirement: "does not allow material that may be unlawful or unsafe"
    )

    public static let eicarRule = RuleDescriptor(
        id: "eicar-test-signature", clause: "10(f)(viii)",
        summary: "the EICAR anti-virus test signature, in any part",
        defaultAction: .quarantine,
        refusal: "it carries the EICAR anti-virus test signature",
        clauseRequirement: "does not allow unsafe material"
    )

    public static let executableRule = RuleDescriptor(
        id: "executable-attachment", clause: "10(f)(viii)",
        summary: "a program or script by its content (Windows, Linux or macOS program, installer, Java, shortcut, batch or shell script), whatever its name",
        defaultAction: .quarantine,
        refusal: "it carries a program that runs when opened",
        clauseRequirement: "does not allow unsafe material",
        options: ["allowed-types": .list([])]
    )

    public static let riskyNameRule = RuleDescriptor(
        id: "risky-file-name", clause: "10(f)(viii)",
        summary: "a file named as a script, program or disk image (.js .vbs .ps1 .bat .hta .scr .iso …), where the content alone cannot tell",
        defaultAction: .quarantine,
        refusal: "it carries a file of a kind that can run code when opened",
        clauseRequirement: "does not allow unsafe material",
        options: ["blocked-extensions": .list(Extensions.risky), "allowed-extensions": .list([])]
    )

    public static let misleadingNameRule = RuleDescriptor(
        id: "misleading-file-name", clause: "10(f)(viii)",
        summary: "a file name that lies: a program named as a document, a double extension, hidden right-to-left characters, trailing dots or spaces",
        defaultAction: .quarantine,
        refusal: "it carries a file whose name hides what it really is",
        clauseRequirement: "does not allow unsafe material"
    )

    public static let encryptedRule = RuleDescriptor(
        id: "encrypted-attachment", clause: "10(f)(viii)",
        summary: "a password-protected archive, Office document or PDF, which cannot be checked",
        defaultAction: .quarantine,
        refusal: "it carries a password-protected file that could not be checked",
        clauseRequirement: "does not allow material that may be unsafe"
    )

    public static let macroRule = RuleDescriptor(
        id: "office-macro", clause: "10(f)(viii)",
        summary: "an Office document with macros (Word, Excel, PowerPoint; old and new formats) or an embedded program",
        defaultAction: .quarantine,
        refusal: "it carries an Office document with macros or an embedded program",
        clauseRequirement: "does not allow unsafe material"
    )

    public static let pdfRule = RuleDescriptor(
        id: "pdf-active-content", clause: "10(f)(viii)",
        summary: "a PDF with JavaScript, a Launch action or an embedded program",
        defaultAction: .quarantine,
        refusal: "it carries a PDF that can run code",
        clauseRequirement: "does not allow unsafe material"
    )

    public static let markupRule = RuleDescriptor(
        id: "html-active-content", clause: "10(f)(viii)",
        summary: "an HTML or SVG file with script, or with a form that sends what is typed to another site",
        defaultAction: .quarantine,
        refusal: "it carries a web page file with script or a form that sends data elsewhere",
        clauseRequirement: "does not allow unsafe material"
    )

    public static let partialRule = RuleDescriptor(
        id: "partial-message", clause: "10(f)(viii)",
        summary: "a fragment of a message split into pieces (message/partial), which cannot be inspected on its own",
        defaultAction: .quarantine,
        refusal: "it carries a fragment of a split message that could not be checked",
        clauseRequirement: "does not allow material that may be unsafe"
    )

    public init() {}

    public var kind: String { "unsafe-attachment" }
    public var rules: [RuleDescriptor] {
        [Self.limitRule, Self.eicarRule, Self.executableRule, Self.riskyNameRule, Self.misleadingNameRule,
         Self.encryptedRule, Self.macroRule, Self.pdfRule, Self.markupRule, Self.partialRule]
    }

    public func evaluate(_ message: InspectedMessage, context: RuleContext) -> [RuleHit] {
        let settings = AttachmentSettings(context)
        var hits: [RuleHit] = []
        if context.isEnabled(Self.limitRule.id) {
            hits += message.limitsReached.map { RuleHit(rule: Self.limitRule.id, detail: "could not be inspected: \($0.detail)") }
        }
        for (part, label) in PartLabels.labelled(message.root) {
            hits += judge(part, label: label, settings: settings).map { hit in
                var hit = hit
                hit.part = part.path
                return hit
            }
        }
        return hits
    }

    private func judge(_ part: MessagePart, label: String, settings: AttachmentSettings) -> [RuleHit] {
        var hits: [RuleHit] = []
        // Inspection searched the bytes (spooled parts too) and left a marker; the text is
        // searched here as well, for a signature that only appears once the charset is decoded.
        if settings.eicar, part.markers.contains(where: { $0.kind == .eicar })
            || (part.text.map { ByteSearch.contains(ContentMarker.eicarSignature, in: $0) } ?? false) {
            hits.append(RuleHit(rule: Self.eicarRule.id, detail: "\(label): the EICAR anti-virus test signature"))
        }
        // A part is judged under every name it carries (a second filename, a name that
        // disagrees with filename): a mail client may save it under any of them.
        let names = part.allNames.map(FileName.init)
        let name = names.first
        // A fragment can carry half a program: the halves are only whole in the reader's client.
        if settings.partial, part.contentType == "message/partial" {
            hits.append(RuleHit(
                rule: Self.partialRule.id,
                detail: "\(label): a fragment of a message split into pieces (message/partial); the whole cannot be checked, and a piece can carry part of a program"
            ))
        }
        let program = ProgramTypes.program(part).flatMap { settings.allowedTypes.contains(part.trueType ?? "") ? nil : $0 }

        if settings.executable, let program {
            hits.append(RuleHit(rule: Self.executableRule.id, detail: "\(label): \(program) \(naming(name))"))
        }
        var details: Set<String> = []
        for (position, name) in names.enumerated() {
            let also = position == 0 ? "" : " (the part also carries the name \"\(part.allNames[position])\")"
            if settings.riskyName, !(settings.executable && program != nil), let ext = name.lastExtension,
               settings.blockedExtensions.contains(ext), !settings.allowedExtensions.contains(ext) {
                let detail = "\(label): named as .\(ext), \(Extensions.reason(for: ext))"
                if details.insert(detail).inserted { hits.append(RuleHit(rule: Self.riskyNameRule.id, detail: detail + also)) }
            }
            if settings.misleadingName {
                for lie in lies(of: name, part: part, program: ProgramTypes.program(part), settings: settings) {
                    let detail = "\(label): \(lie)"
                    if details.insert(detail).inserted { hits.append(RuleHit(rule: Self.misleadingNameRule.id, detail: detail + also)) }
                }
            }
        }
        for marker in part.markers {
            switch marker.kind {
            case .encrypted where settings.encrypted:
                hits.append(RuleHit(
                    rule: Self.encryptedRule.id,
                    detail: "\(label): \(marker.detail); it cannot be checked without the password, so a person should look at it (this alone does not mean it is harmful)"
                ))
            case .officeMacros where settings.macros, .officeEmbeddedProgram where settings.macros:
                hits.append(RuleHit(rule: Self.macroRule.id, detail: "\(label): \(marker.detail)"))
            case .pdfJavaScript, .pdfLaunch, .pdfEmbeddedProgram:
                if settings.pdf { hits.append(RuleHit(rule: Self.pdfRule.id, detail: "\(label): \(marker.detail)")) }
            case .markupScript, .markupExternalForm:
                if settings.markup { hits.append(RuleHit(rule: Self.markupRule.id, detail: "\(label): HTML/SVG file with \(marker.detail)")) }
            default:
                break
            }
        }
        return hits
    }

    /// `named as .exe behind .pdf`, `named as .exe`, `with no name`.
    private func naming(_ name: FileName?) -> String {
        guard let name else { return "with no file name" }
        guard let ext = name.lastExtension else { return "named without an extension" }
        if let decoy = name.decoyExtension, Extensions.harmlessLooking.contains(decoy) { return "named as .\(ext) behind .\(decoy)" }
        return "named as .\(ext)"
    }

    /// The ways a name misleads a reader about what the file is.
    private func lies(of name: FileName, part: MessagePart, program: String?, settings: AttachmentSettings) -> [String] {
        var lies: [String] = []
        if let hidden = name.hiddenCharacters.first {
            let what = Self.bidiNames[hidden.value].map { " (\($0))" } ?? ""
            let real = name.lastExtension.map { "; its real ending is .\($0)" } ?? ""
            lies.append("the name holds the hidden character U+\(String(hidden.value, radix: 16, uppercase: true).leftPadded(to: 4))\(what), so it shows differently from what it is\(real)")
        }
        if name.hadTrailingDotsOrSpaces {
            let real = name.lastExtension.map { ", leaving .\($0)" } ?? ""
            lies.append("the name ends in dots or spaces, which Windows drops\(real)")
        }
        if let ext = name.lastExtension, let decoy = name.decoyExtension,
           settings.blockedExtensions.contains(ext) || program != nil, Extensions.harmlessLooking.contains(decoy) {
            lies.append("double extension .\(decoy).\(ext): it looks like a .\(decoy) file but is opened as .\(ext)")
        }
        if let ext = name.lastExtension, Extensions.harmlessLooking.contains(ext) {
            if let program {
                lies.append("\(program) named as .\(ext)")
            } else if let type = part.trueType, Self.archiveTypes.contains(type), !Extensions.zipBased.contains(ext) {
                lies.append("an archive (\(type)) named as .\(ext)")
            }
        }
        return lies
    }

    private static let archiveTypes: Set<String> = [
        "application/zip", "application/x-7z-compressed", "application/x-rar", "application/vnd.rar",
        "application/x-tar", "application/gzip", "application/x-bzip2", "application/x-xz",
        "application/vnd.ms-cab-compressed", "application/x-iso9660-image", "application/x-arj",
    ]

    private static let bidiNames: [UInt32: String] = [
        0x202E: "right-to-left override", 0x202D: "left-to-right override", 0x202B: "right-to-left embedding",
        0x202A: "left-to-right embedding", 0x2066: "left-to-right isolate", 0x2067: "right-to-left isolate",
        0x2068: "first strong isolate", 0x200F: "right-to-left mark", 0x200E: "left-to-right mark",
        0x200B: "zero-width space", 0xFEFF: "zero-width no-break space", 0x061C: "Arabic letter mark",
    ]
}

/// The branch's settings for this family, read once per evaluation.
struct AttachmentSettings {
    let eicar, executable, riskyName, misleadingName, encrypted, macros, pdf, markup, partial: Bool
    let allowedTypes: Set<String>
    let blockedExtensions: Set<String>
    let allowedExtensions: Set<String>

    init(_ context: RuleContext) {
        typealias F = UnsafeAttachmentFamily
        eicar = context.isEnabled(F.eicarRule.id)
        executable = context.isEnabled(F.executableRule.id)
        riskyName = context.isEnabled(F.riskyNameRule.id)
        misleadingName = context.isEnabled(F.misleadingNameRule.id)
        encrypted = context.isEnabled(F.encryptedRule.id)
        macros = context.isEnabled(F.macroRule.id)
        pdf = context.isEnabled(F.pdfRule.id)
        markup = context.isEnabled(F.markupRule.id)
        partial = context.isEnabled(F.partialRule.id)
        allowedTypes = Self.list(context.option("allowed-types", of: F.executableRule.id))
        blockedExtensions = Self.list(context.option("blocked-extensions", of: F.riskyNameRule.id) ?? .list(Extensions.risky))
        allowedExtensions = Self.list(context.option("allowed-extensions", of: F.riskyNameRule.id))
    }

    private static func list(_ value: RuleOptionValue?) -> Set<String> {
        guard case .list(let items)? = value else { return [] }
        return Set(items.map { $0.lowercased().trimmingEdges(". ") })
    }
}
