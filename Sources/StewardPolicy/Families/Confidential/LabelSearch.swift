import StewardCore

/// Finds classification headers and sensitivity labels: the headers a branch names
/// (`X-Classification`, Titus and Boldon James markings), `Sensitivity: Company-Confidential`,
/// Microsoft sensitivity labels in `msip_labels`, and label properties inside Office and
/// OpenDocument files. A label counts when its value names one of the policy's label names or
/// holds a confidentiality marker; "Public" or "Unclassified" pass.
struct LabelSearch {
    let labelNames: Set<String>
    let headers: [String]
    let sensitivity: Set<String>
    let markers: MarkerSearch

    init(context: RuleContext) {
        let rule = ConfidentialFamily.labelRule.id
        labelNames = Set((context.option("label_names", of: rule)?.listValue ?? []).map { $0.lowercased().confidentialTrimmed })
        headers = context.option("classification_headers", of: rule)?.listValue ?? []
        sensitivity = Set((context.option("sensitivity_values", of: rule)?.listValue ?? []).map { $0.lowercased() })
        var strictContext = context
        // Inside a label any mention of a marker counts: the label is itself the marking.
        if var setting = strictContext.settings.rules[ConfidentialFamily.markerRule.id] {
            setting.options["strictness"] = .text("mentions")
            strictContext.settings.rules[ConfidentialFamily.markerRule.id] = setting
        }
        markers = MarkerSearch(context: strictContext)
    }

    func counts(_ value: String) -> Bool {
        let trimmed = value.confidentialTrimmed.lowercased()
        if labelNames.contains(trimmed) { return true }
        return MarkerText.lines(of: value).contains { markers.marking(in: $0, kind: .label) }
    }

    func findings(in message: InspectedMessage) -> [String] {
        var found: [String] = []
        for name in headers {
            for value in message.headerValues(name) where counts(value) {
                found.append("header \(name): " + ConfidentialFamily.quote(value))
            }
        }
        for value in message.headerValues("Sensitivity") where sensitivity.contains(value.confidentialTrimmed.lowercased()) {
            found.append("header Sensitivity: " + ConfidentialFamily.quote(value))
        }
        for value in message.headerValues("msip_labels") {
            for label in Self.msipLabelNames(value) where labelNames.contains(label.lowercased()) {
                found.append("Microsoft sensitivity label (header msip_labels): " + ConfidentialFamily.quote(label))
            }
        }
        for (place, segment) in ConfidentialFamily.pieces(of: message) where segment.kind == .label && counts(segment.text) {
            found.append("\(place) (document label): " + ConfidentialFamily.quote(segment.text))
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
