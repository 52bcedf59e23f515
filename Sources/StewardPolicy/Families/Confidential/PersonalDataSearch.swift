import StewardCore

/// Finds bulk personal data: in any one part (a body, a CSV or spreadsheet of members), at least
/// the branch's threshold of distinct e-mail addresses, UK phone numbers, National Insurance
/// numbers or postcodes.
struct PersonalDataSearch {
    let thresholds: PersonalDataCount.Thresholds

    init(context: RuleContext) {
        let rule = ConfidentialFamily.personalDataRule.id
        func value(_ name: String, _ fallback: Int) -> Int { max(1, context.option(name, of: rule)?.intValue ?? fallback) }
        thresholds = .init(
            emailAddresses: value("email_addresses", 50), phoneNumbers: value("phone_numbers", 25),
            niNumbers: value("ni_numbers", 5), postcodes: value("postcodes", 25)
        )
    }

    func findings(in message: InspectedMessage) -> [ConfidentialFamily.Found] {
        var found: [ConfidentialFamily.Found] = []
        // One part's text at a time, joined only while it is counted.
        for part in message.allParts {
            guard let text = part.documentText?.joined ?? part.text, !text.isEmpty else { continue }
            let place = ConfidentialFamily.place(of: part)
            let path = part.path
            let count = PersonalDataCount(text, thresholds: thresholds)
            var items: [String] = []
            if count.emailAddresses.count >= thresholds.emailAddresses { items.append("\(count.emailAddresses.count) distinct e-mail addresses") }
            if count.phoneNumbers.count >= thresholds.phoneNumbers { items.append("\(count.phoneNumbers.count) UK phone numbers") }
            if count.niNumbers.count >= thresholds.niNumbers { items.append("\(count.niNumbers.count) National Insurance numbers") }
            if count.postcodes.count >= thresholds.postcodes { items.append("\(count.postcodes.count) postcodes") }
            if !items.isEmpty { found.append(.init(detail: "\(place): personal data of many people (\(items.joined(separator: ", ")))", part: path)) }
        }
        return found
    }
}
