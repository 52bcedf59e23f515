public import StewardCore

/// Clause 10(b): confidential union information, members' personal data and internal plans do
/// not leave the union unseen. Marked or classified content and bulk personal data addressed to
/// anyone outside the union (and outside the branch's partner domains) is held for an official;
/// the same mail between union addresses passes.
public struct ConfidentialFamily: DetectionFamily {
    public static let defaultMarkers = [
        "CONFIDENTIAL", "STRICTLY CONFIDENTIAL", "PRIVATE AND CONFIDENTIAL", "PRIVATE & CONFIDENTIAL",
        "COMMERCIAL IN CONFIDENCE", "IN CONFIDENCE", "INTERNAL ONLY", "FOR INTERNAL USE ONLY", "INTERNAL USE ONLY",
        "NOT FOR CIRCULATION", "NOT FOR PUBLICATION", "NOT FOR DISTRIBUTION", "NOT FOR RELEASE", "DO NOT FORWARD", "EMBARGOED",
        "RESTRICTED", "MEMBERS ONLY", "OFFICIAL-SENSITIVE", "OFFICIAL SENSITIVE",
    ]

    /// Words that belong to a marking when they stand beside it: "Strictly Private and
    /// Confidential", "Highly Confidential", "Strictly Confidential – Personal" are markings
    /// as a whole, so the words around the core marker do not make it "a word in a sentence".
    public static let defaultQualifiers = [
        "STRICTLY", "HIGHLY", "VERY", "MOST", "EXTREMELY", "PRIVATE", "PERSONAL", "AND", "&",
        "SENSITIVE", "SECRET", "ADDRESSEE", "ONLY",
    ]

    /// Markers that make their whole line a marking when they open it followed by their terms
    /// ("EMBARGOED UNTIL 10:00 ON 3 JUNE", "Embargo: not for use before Monday", "Not for
    /// release until Monday").
    public static let defaultLeadingMarkers = ["EMBARGOED", "EMBARGO", "UNDER EMBARGO", "NOT FOR RELEASE"]

    /// Options every rule of the family takes: domains outside the union that may receive the
    /// branch's confidential mail (a solicitor, an auditor) without it being held.
    static let partnerOption = "partner_domains"

    public static let markerRule = RuleDescriptor(
        id: "confidential-marker", clause: "10(b)",
        summary: "a confidentiality marking (CONFIDENTIAL, INTERNAL ONLY, NOT FOR CIRCULATION…) in the subject, body or an attachment of mail leaving the union",
        defaultAction: .quarantine,
        refusal: "it is marked confidential and is addressed outside the union",
        clauseRequirement: "does not allow confidential union information to be revealed",
        options: [
            "markers": .list(defaultMarkers),
            "extra_markers": .list([]),
            "ignore_markers": .list([]),
            "patterns": .list([]),
            "qualifiers": .list(defaultQualifiers),
            "leading_markers": .list(defaultLeadingMarkers),
            "strictness": .text("markings"),
            partnerOption: .list([]),
        ]
    )

    public static let labelRule = RuleDescriptor(
        id: "classification-label", clause: "10(b)",
        summary: "a classification header or sensitivity label (X-Classification, Sensitivity, Microsoft msip_labels, document labels) on mail leaving the union",
        defaultAction: .quarantine,
        refusal: "it carries a confidential classification label and is addressed outside the union",
        clauseRequirement: "does not allow confidential union information to be revealed",
        options: [
            "label_names": .list(["Confidential", "Highly Confidential", "Strictly Confidential", "Internal", "Internal Only", "Restricted", "Secret", "Members Only", "Official-Sensitive"]),
            "classification_headers": .list(["X-Classification", "X-Classification-Label", "X-Protective-Marking", "X-Security-Classification", "X-Titus-Classification", "X-Titus-Label", "X-Sensitivity-Label"]),
            "sensitivity_values": .list(["company-confidential"]),
            partnerOption: .list([]),
        ]
    )

    public static let personalDataRule = RuleDescriptor(
        id: "bulk-personal-data", clause: "10(b)",
        summary: "many people's personal data (e-mail addresses, UK phone numbers, National Insurance numbers, postcodes) in one part of mail leaving the union",
        defaultAction: .quarantine,
        refusal: "it holds the personal data of many people and is addressed outside the union",
        clauseRequirement: "does not allow confidential information about members or staff to be revealed",
        options: [
            "email_addresses": .integer(50),
            "phone_numbers": .integer(25),
            "ni_numbers": .integer(5),
            "postcodes": .integer(25),
            partnerOption: .list([]),
        ]
    )

    public init() {}

    public var kind: String { "confidential" }
    public var rules: [RuleDescriptor] { [Self.markerRule, Self.labelRule, Self.personalDataRule] }
    /// Markings, labels and personal data are each searched for by their own rule's settings.
    public var rulesAreIndependent: Bool { true }

    public func evaluate(_ message: InspectedMessage, context: RuleContext) -> [RuleHit] {
        // Only mail that leaves: cheap, and decided before any text is read.
        let searches: [(rule: String, to: String)] = rules.compactMap { rule in
            guard context.isEnabled(rule.id) else { return nil }
            let external = Self.externalRecipients(context: context, rule: rule.id)
            return external.isEmpty ? nil : (rule.id, "; external recipients: " + external.joined(separator: ", "))
        }
        // The three searches are independent passes over the same text: on a large document
        // (a workbook of half a million cells) they run side by side, each on its own core.
        var found = [[Found]](repeating: [], count: searches.count)
        let search = { (index: Int) -> [Found] in
            switch searches[index].rule {
            case Self.markerRule.id: MarkerSearch(context: context).findings(in: message)
            case Self.labelRule.id: LabelSearch(context: context).findings(in: message)
            default: PersonalDataSearch(context: context).findings(in: message)
            }
        }
        if searches.count > 1, Parallel.worthIt(textBytes: Self.textBytes(of: message)) {
            found.withUnsafeMutableBufferPointer { results in
                let results = Parallel.Slots(results)
                Parallel.run(searches.count) { results[$0] = search($0) }
            }
        } else {
            for index in searches.indices { found[index] = search(index) }
        }
        return searches.indices.flatMap { index in
            found[index].map { RuleHit(rule: searches[index].rule, detail: $0.detail + searches[index].to, part: $0.part) }
        }
    }

    /// Roughly how much text the searches read: every part's text and document text.
    static func textBytes(of message: InspectedMessage) -> Int {
        message.allParts.reduce(0) { total, part in
            total + (part.text?.utf8.count ?? 0) + (part.documentText?.segments.reduce(0) { $0 + $1.text.utf8.count } ?? 0)
        }
    }

    /// Whether inspection must read attachments' text for this envelope: only when some
    /// recipient is outside the union (partner domains narrow that per branch later), so mail
    /// arriving or staying inside never pays for PDF and office-document extraction.
    public static func needsDocumentText(_ envelope: Envelope, directory: UnionDirectory) -> Bool {
        envelope.recipients.contains { !directory.isUnionAddress($0) }
    }

    /// Envelope recipients (Bcc included) outside the union's domains and the rule's partner domains.
    static func externalRecipients(context: RuleContext, rule: String) -> [String] {
        let partners = context.option(partnerOption, of: rule)?.listValue?.map { $0.lowercased() } ?? []
        return context.envelope.recipients.filter { recipient in
            if context.directory.isUnionAddress(recipient) { return false }
            guard let domain = EmailAddress.domain(of: recipient)?.lowercased() else { return true }
            return !partners.contains { domain == $0 || domain.hasSuffix("." + $0) }
        }
    }

    /// Where a piece of text stands, in words an official follows.
    static func place(of part: MessagePart) -> String {
        if part.origin == .message || !part.messageHeaders.isEmpty {
            let name = part.filename.map { " \"\($0)\"" } ?? ""
            return "the attached message\(name) (\(part.path.isEmpty ? "message body" : "part " + part.path.map(String.init).joined(separator: ".")))"
        }
        if let filename = part.filename { return "attachment \"\(filename)\"" }
        if part.path.isEmpty { return part.contentType == "text/html" ? "the HTML body" : "the message body" }
        if part.contentType == "text/html" { return "the HTML body (\(part.displayPath))" }
        if part.contentType == "text/plain", part.disposition != "attachment" { return "the message body (\(part.displayPath))" }
        return part.displayPath
    }

    /// What a search found: the detail, and the part it is in (nil: the message's own
    /// headers or subject).
    struct Found {
        var detail: String
        var part: [Int]?
    }

    /// The pieces of readable text of every part: its document text, or a plain body's text.
    /// A piece of a message's text and the part it is in; the full place ("attachment "pay.xlsx",
    /// sheet "Pay", cell A2") is only put together for a piece that is quoted, so a workbook
    /// of half a million cells does not build half a million place strings.
    struct Piece {
        let partPlace: String
        let partPath: [Int]
        let segment: DocumentText.Segment
        var place: String { segment.location.isEmpty ? partPlace : partPlace + ", " + segment.location }
    }

    /// The pieces one at a time, never all at once: a workbook of half a million cells would
    /// otherwise hold a second copy of every cell's place and text for each search.
    static func pieces(of message: InspectedMessage, where include: @escaping (DocumentText.Segment) -> Bool = { _ in true }) -> Pieces {
        Pieces(parts: message.allParts, include: include)
    }

    struct Pieces: Sequence {
        let parts: [MessagePart]
        /// Which segments to yield: tested before a piece is made, so a search that wants few of
        /// a workbook's cells pays little for the rest.
        let include: (DocumentText.Segment) -> Bool

        func makeIterator() -> Iterator { Iterator(parts: parts, include: include) }

        struct Iterator: IteratorProtocol {
            let parts: [MessagePart]
            let include: (DocumentText.Segment) -> Bool
            /// The part being read (-1 before the first), its segments (taken from the part
            /// once, not for every piece: a part is a large value), and the next one.
            private var partIndex = -1
            private var segments: [DocumentText.Segment] = []
            private var segmentIndex = 0
            private var partPlace = ""
            private var partPath: [Int] = []

            init(parts: [MessagePart], include: @escaping (DocumentText.Segment) -> Bool) {
                self.parts = parts
                self.include = include
            }

            mutating func next() -> Piece? {
                while true {
                    while segmentIndex < segments.count {
                        let index = segmentIndex
                        segmentIndex += 1
                        if !segments[index].text.isEmpty, include(segments[index]) {
                            return Piece(partPlace: partPlace, partPath: partPath, segment: segments[index])
                        }
                    }
                    partIndex += 1
                    guard partIndex < parts.count else { return nil }
                    let part = parts[partIndex]
                    segmentIndex = 0
                    partPlace = ConfidentialFamily.place(of: part)
                    partPath = part.path
                    if let document = part.documentText {
                        segments = document.segments
                    } else if let text = part.text, !text.isEmpty {
                        segments = [DocumentText.Segment(kind: .body, text: text)]
                    } else {
                        segments = []
                    }
                }
            }
        }
    }

    /// A quotation for a detail: at most 100 characters.
    static func quote(_ text: String) -> String {
        let trimmed = text.confidentialTrimmed
        return "\"" + (trimmed.count > 100 ? String(trimmed.prefix(97)) + "…" : trimmed) + "\""
    }
}

extension RuleOptionValue {
    var listValue: [String]? { if case .list(let values) = self { values } else { nil } }
    var intValue: Int? { if case .integer(let value) = self { value } else { nil } }
    var textValue: String? { if case .text(let value) = self { value } else { nil } }
}

extension String {
    var confidentialTrimmed: String {
        let scalars = unicodeScalars
        guard let start = scalars.firstIndex(where: { !$0.properties.isWhitespace }),
              let end = scalars.lastIndex(where: { !$0.properties.isWhitespace }) else { return "" }
        return String(scalars[start...end])
    }
}
