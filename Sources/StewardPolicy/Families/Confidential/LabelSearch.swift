import StewardCore

/// Finds classification headers and sensitivity labels: the headers a branch names
/// (`X-Classification`, Titus and Boldon James markings), `Sensitivity: Company-Confidential`,
/// Microsoft sensitivity labels in `msip_labels`, and label properties inside Office and
/// OpenDocument files. A label counts when its value names one of the policy's label names or
/// holds a confidentiality marker; "Public" or "Unclassified" pass.
struct LabelSearch {
    let labelNames: Set<String>
    /// The label names and markers as searched inside a label (upper-case, single spaces).
    let labelPhrases: [[UInt8]]
    let headers: [String]
    let sensitivity: Set<String>
    let markers: MarkerSearch

    init(context: RuleContext) {
        let rule = ConfidentialFamily.labelRule.id
        labelNames = Set((context.option("label_names", of: rule)?.listValue ?? []).map { $0.lowercased().confidentialTrimmed })
        headers = context.option("classification_headers", of: rule)?.listValue ?? []
        sensitivity = Set((context.option("sensitivity_values", of: rule)?.listValue ?? []).map(Self.sensitivityKey))
        var strictContext = context
        // Inside a label any mention of a marker counts: the label is itself the marking.
        if var setting = strictContext.settings.rules[ConfidentialFamily.markerRule.id] {
            setting.options["strictness"] = .text("mentions")
            strictContext.settings.rules[ConfidentialFamily.markerRule.id] = setting
        }
        markers = MarkerSearch(context: strictContext)
        labelPhrases = labelNames.map(MarkerSearch.key).filter { !$0.isEmpty } + markers.phrases
    }

    /// Whether a label's value names a confidential label. Labels are hierarchical and
    /// descriptive ("Highly Confidential \\ HR", "Confidential - Legal team",
    /// "Internal/Restricted"), so a value counts when it contains one of the policy's label
    /// names, or a marker, as whole words — unless the words are negated ("Non-Confidential",
    /// "Not Restricted"), which is how a public label is often spelt.
    func counts(_ value: String) -> Bool {
        let trimmed = value.confidentialTrimmed.lowercased()
        if labelNames.contains(trimmed) { return true }
        if markers.patterns.contains(where: { value.contains($0) }) { return true }
        return MarkerText.lines(of: value).contains { line in
            labelPhrases.contains { phrase in
                line.wholeWordRanges(of: phrase).contains { !Self.negated($0, in: line) }
            }
        }
    }


    /// A `Sensitivity` value as compared: lower case, its words joined by single hyphens
    /// whatever stands between them (`Company Confidential`, `company_confidential`,
    /// `Company.Confidential`, a quoted value), as Outlook reads it.
    static func sensitivityKey(_ value: String) -> String {
        MarkerText.lines(of: String(value.map { $0 == "\"" ? " " : $0 })).map(\.string).joined(separator: " ")
            .lowercased().split { !$0.isLetter && !$0.isNumber }.joined(separator: "-")
    }

    /// "NON-", "NON ", "NOT ", "UN" just before the words.
    static func negated(_ range: Range<Int>, in line: MarkerText) -> Bool {
        var before = line.upper[..<range.lowerBound]
        while let last = before.last, last == 0x20 || last == UInt8(ascii: "-") { before = before.dropLast() }
        let word = before.reversed().prefix { MarkerText.isWordByte($0) }.reversed()
        return ["NON", "NOT", "UN", "NO"].contains { Array(word) == Array($0.utf8) }
    }

    func findings(in message: InspectedMessage) -> [ConfidentialFamily.Found] {
        var found = findings(inHeaders: message.headerTexts, place: "").map { ConfidentialFamily.Found(detail: $0) }
        // A forwarded or attached message's own classification counts, as its text does.
        for part in message.allParts where !part.messageHeaders.isEmpty {
            found += findings(inHeaders: part.messageHeaders.texts(named:), place: ConfidentialFamily.place(of: part) + ": ")
                .map { ConfidentialFamily.Found(detail: $0, part: part.path) }
        }
        for piece in ConfidentialFamily.pieces(of: message, where: { $0.kind == .label }) where counts(piece.segment.text) {
            found.append(.init(detail: "\(piece.place) (document label): " + ConfidentialFamily.quote(piece.segment.text), part: piece.partPath))
        }
        return found
    }

    private func findings(inHeaders values: (String) -> [String], place: String) -> [String] {
        var found: [String] = []
        for name in headers {
            for value in values(name) where counts(value) {
                found.append("\(place)header \(name): " + ConfidentialFamily.quote(value))
            }
        }
        for value in values("Sensitivity") where sensitivity.contains(Self.sensitivityKey(value)) {
            found.append("\(place)header Sensitivity: " + ConfidentialFamily.quote(value))
        }
        for value in values("msip_labels") {
            for label in Self.msipLabelNames(value) where counts(label) {
                found.append("\(place)Microsoft sensitivity label (header msip_labels): " + ConfidentialFamily.quote(label))
            }
        }
        return found
    }

    /// Names of the enabled labels in an `msip_labels` header
    /// (`MSIP_Label_<guid>_Enabled=true; MSIP_Label_<guid>_Name=Confidential; …`).
    static func msipLabelNames(_ value: String) -> [String] {
        var names: [String: String] = [:]
        var disabled: Set<String> = []
        for pair in value.split(separator: ";") {
            let parts = pair.split(separator: "=", maxSplits: 1).map { String($0).confidentialTrimmed }
            guard parts.count == 2 else { continue }
            let key = parts[0].lowercased()
            guard key.hasPrefix("msip_label_") else { continue }
            if key.hasSuffix("_name") { names[String(key.dropLast(5))] = parts[1] }
            if key.hasSuffix("_enabled"), parts[1].lowercased() == "false" { disabled.insert(String(key.dropLast(8))) }
        }
        return names.filter { !disabled.contains($0.key) }.map(\.value).sorted()
    }
}
