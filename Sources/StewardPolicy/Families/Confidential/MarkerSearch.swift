import StewardCore

/// Finds confidentiality markings in the subject, bodies and document text.
///
/// Markers are markings, not words. With strictness `markings` (the default) a marker counts
/// when it is (1) in a page header or footer or a document label, (2) written in capitals,
/// (3) alone on its line, spreadsheet cell or property (only other markers, digits and
/// punctuation beside it), or (4) set apart as a tag: in brackets, or at the start of the line
/// or subject followed by `:`, `-`, `–`, `—` or `|`, or at its end preceded by one of them.
/// "Your feedback is treated confidentially" is never a marking (not the whole word), nor is
/// "we keep this confidential" (a word in a sentence). With strictness `mentions` every
/// whole-word mention counts. Regular expressions in `patterns` count wherever they match.
struct MarkerSearch {
    let phrases: [[UInt8]]
    let patterns: [Regex<AnyRegexOutput>]
    let strict: Bool
    /// Words that join a marking on either side (`qualifiers`).
    let qualifiers: Set<[UInt8]>
    /// Phrases that make their line a marking when they open it (`leading_markers`).
    let leading: [[UInt8]]

    init(context: RuleContext) {
        let rule = ConfidentialFamily.markerRule.id
        let ignore = Set((context.option("ignore_markers", of: rule)?.listValue ?? []).map(Self.key))
        let all = (context.option("markers", of: rule)?.listValue ?? ConfidentialFamily.defaultMarkers)
            + (context.option("extra_markers", of: rule)?.listValue ?? [])
        var seen: Set<[UInt8]> = []
        phrases = all.map(Self.key).filter { !$0.isEmpty && !ignore.contains($0) && seen.insert($0).inserted }
            .sorted { $0.count > $1.count }  // longest first, so a detail names the fullest marking
        patterns = (context.option("patterns", of: rule)?.listValue ?? []).compactMap { try? Regex($0).ignoresCase() }
        strict = context.option("strictness", of: rule)?.textValue?.lowercased() == "mentions"
        qualifiers = Set((context.option("qualifiers", of: rule)?.listValue ?? ConfidentialFamily.defaultQualifiers)
            .flatMap { Self.key($0).split(separator: 0x20).map(Array.init) })
        leading = (context.option("leading_markers", of: rule)?.listValue ?? ConfidentialFamily.defaultLeadingMarkers)
            .map(Self.key).filter { !$0.isEmpty }.sorted { $0.count > $1.count }
        // A phrase's first word is followed by a space, or ends the phrase; the search's word
        // test then wants no letter or digit after it, unless the phrase ends in punctuation.
        // A leading marker always wants none.
        leadingFirstWords = Array(Set(leading.map { Array($0.prefix { $0 != 0x20 }) }))
        markingWords = MarkingWords(phrases: phrases + leading + Array(qualifiers))
        prefilter = WordPrefilter(words: phrases.map { phrase in
            let first = Array(phrase.prefix { $0 != 0x20 })
            return .init(bytes: first, endsAtWordEnd: first.count < phrase.count || MarkerText.isWordByte(phrase[phrase.count - 1]))
        } + leading.map { .init(bytes: Array($0.prefix { $0 != 0x20 }), endsAtWordEnd: true) })
    }

    /// The first words of every phrase and leading marker, to pass over text that holds none.
    private let prefilter: WordPrefilter
    /// The first word of each leading marker.
    private let leadingFirstWords: [[UInt8]]
    /// The words an evenly spaced-out run is split back into.
    let markingWords: MarkingWords

    /// A phrase as searched: upper-case ASCII, white space collapsed to single spaces.
    static func key(_ phrase: String) -> [UInt8] { MarkerText(Substring(phrase)).upper }

    func findings(in message: InspectedMessage) -> [ConfidentialFamily.Found] {
        var found: [ConfidentialFamily.Found] = []
        // With more than one Subject header, mail programs differ on which they show (Outlook
        // the first, others the last): each counts, the others as read (`headerTexts`: encoded
        // words decoded).
        var subjects = message.subject.map { [$0] } ?? []
        let written = message.headerTexts("Subject")
        if written.count > 1 { subjects += written }
        for subject in subjects {
            if let line = MarkerText.lines(of: subject, markingWords: markingWords).first(where: { marking(in: $0, kind: .body) }) {
                found.append(.init(detail: "the subject: " + ConfidentialFamily.quote(line.string)))
                break
            }
        }
        // One finding per place (part), naming the first marking and how many more there are.
        var byPlace: [(place: String, part: [Int], first: String, count: Int)] = []
        var partOf: [String: Int] = [:]
        // A line met twice in one place (an HTML body read with and without its hidden text)
        // is one marked place.
        var seen: Set<[UInt8]> = []
        for piece in ConfidentialFamily.pieces(of: message, where: { mayMark($0.text) }) {
            let running = piece.segment.kind == .body
            for line in MarkerText.lines(of: piece.segment.text, markingWords: markingWords)
            where marking(in: line, kind: piece.segment.kind, running: running) {
                guard seen.insert(Array(piece.partPlace.utf8) + [0] + line.bytes).inserted else { continue }
                if let index = partOf[piece.partPlace] {
                    byPlace[index].count += 1
                } else {
                    partOf[piece.partPlace] = byPlace.count
                    byPlace.append((piece.place, piece.partPath, ConfidentialFamily.quote(line.string), 1))
                }
            }
        }
        for entry in byPlace {
            found.append(.init(
                detail: "\(entry.place): \(entry.first)" + (entry.count > 1 ? " (and \(entry.count - 1) more marked places)" : ""),
                part: entry.part))
        }
        // A marking in a file's name is seen by every reader before the file is opened.
        for part in message.allParts {
            for name in part.allNames {
                let stem = Self.stem(of: name)
                if !stem.isEmpty, MarkerText.lines(of: stem, markingWords: markingWords).contains(where: { marking(in: $0, kind: .body) }) {
                    found.append(.init(detail: "the file name of \(ConfidentialFamily.place(of: part)): " + ConfidentialFamily.quote(name), part: part.path))
                    break
                }
            }
        }
        return found
    }

    /// A file name as a line of text: its folders and last extension dropped, `_` read as a space.
    static func stem(of name: String) -> String {
        var base = Substring(name.split(separator: "/").last ?? Substring(name))
        if let dot = base.lastIndex(of: "."), dot != base.startIndex { base = base[..<dot] }
        return String(base.map { $0 == "_" ? " " : $0 })
    }

    /// False only when no line of `text` can be a marking: there are no patterns, the text is
    /// plain ASCII (so normalising a line only turns white space into single spaces), and the
    /// first word of no phrase and no leading marker stands in it as a word. Every other test
    /// below needs one of those, so skipping such text changes no answer; it spares the half a
    /// million cells of a large workbook the line-by-line work (issue 16's 0.5 s target).
    func mayMark(_ text: String) -> Bool {
        guard patterns.isEmpty else { return true }
        return prefilter.mayContain(text) || MarkerText.mayHoldSpacedLetters(text)
    }

    /// Whether the line carries a marking, by the rule above. A subject, file name or cell
    /// opening with reply and forward prefixes or tags (`FW:`, `RE: AW:`, `[EXTERNAL]`) is also
    /// judged without them, so "FW: Confidential - pay offer" is the marked subject it was. In
    /// running text only reply and forward prefixes are dropped ("Important: Members only" is
    /// a field, read as written).
    /// Not for embargo lines: "RE: Embargo – what it means for members" is a thread about the
    /// union's own kind of embargo (a ban on overtime or cover).
    ///
    /// `running`: the line is running text (a message's or document's), which a mail program
    /// or a PDF may have wrapped anywhere and where a colon starts a field's value; not a
    /// subject, a file name or a cell. There a marking alone on its line counts only when it
    /// starts with a capital, was disguised or stands apart between blank lines ("…the contents
    /// are strictly⏎confidential." is a wrapped sentence; "s t r i c t l y c o n f i d e n t i a l"
    /// is not), a line opening with a leading marker only when it starts with a capital ("…it
    /// is⏎not for release until the statement" is a wrapped sentence),
    /// and one after a colon at the line's end only when the field is a classification
    /// or written as a title ("Classification: confidential", "Note: Strictly Confidential"; not
    /// "Entry: members only").
    func marking(in line: MarkerText, kind: DocumentText.Kind, running: Bool = false) -> Bool {
        mayMark(line) && markingByFullRule(in: line, kind: kind, running: running)
    }

    /// False only when the line as read holds no phrase's or leading marker's first word (and
    /// there are no patterns): every test of the full rule needs one. Text in another script,
    /// or binary read as text, gets past `mayMark(_: String)`; this keeps each line of it
    /// cheap (a long line without a marker word took seconds).
    func mayMark(_ line: MarkerText) -> Bool {
        !patterns.isEmpty || prefilter.mayContain(normalised: line.upper)
    }

    /// `marking(in:)` without the line's prefilter (the tests compare the two).
    func markingByFullRule(in line: MarkerText, kind: DocumentText.Kind, running: Bool = false) -> Bool {
        // A forwarded message's header in running text ("Subject: Confidential - pay offer"):
        // its value is judged as the subject it is.
        if running, let subject = line.afterSubjectField() { return marking(in: subject, kind: kind) }
        if markingAsWritten(in: line, kind: kind, running: running) { return true }
        guard let bare = line.droppingReplyPrefixes(banners: !running) else { return false }
        return markingAsWritten(in: bare, kind: kind, running: running, inReply: true)
    }

    private func markingAsWritten(in line: MarkerText, kind: DocumentText.Kind, running: Bool, inReply: Bool = false) -> Bool {
        if !patterns.isEmpty {
            let text = line.string
            if patterns.contains(where: { text.contains($0) }) { return true }
        }
        if opensWithLeadingMarker(line, inReply: inReply, running: running) || leadingMarkerAfterSeparator(in: line, inReply: inReply) {
            return true
        }
        var matches: [Range<Int>] = []
        for phrase in phrases { matches += line.wholeWordRanges(of: phrase) }
        // In a header, footer or label any mention counts, unless negated ("Non-Confidential").
        if strict || kind == .headerFooter || kind == .label { return matches.contains { !LabelSearch.negated($0, in: line) } }
        // Elsewhere "not" or "non" written onto the marker says the opposite, in capitals too
        // ("NOT EMBARGOED – for immediate use"); "yes or no – CONFIDENTIAL", "to the UN –
        // CONFIDENTIAL" are markings.
        matches.removeAll { Self.negatedAtOnce($0, in: line) }
        guard !matches.isEmpty else { return false }
        let cores = matches
        matches = matches.map { extendedOverQualifiers($0, in: line) }
        // (2) capitals, as written, in the core marker ("Strictly CONFIDENTIAL").
        if cores.contains(where: { line.bytes[$0].allSatisfy { !(0x61...0x7A).contains($0) } }) { return true }
        // (3) alone: no letters outside the markers.
        var covered = [Bool](repeating: false, count: line.bytes.count)
        for range in matches { for i in range { covered[i] = true } }
        let upper = line.upper
        let letterOutside = upper.indices.contains {
            !covered[$0] && ((0x41...0x5A).contains(upper[$0]) || upper[$0] >= 0xC0 || upper[$0] == MarkerText.symbol)
        }
        if !letterOutside, !running || !line.readAsTyped || line.standsApart || matches.contains(where: { Self.startsWithCapital($0, in: line) }) {
            return true
        }
        // How far punctuation runs from each end of the line, worked out once (a long line of
        // digits or bullets with many mentions would otherwise be read again for each).
        let leading = upper.prefix(while: Self.isPunctuation).count
        let trailing = upper.count - upper.reversed().prefix(while: Self.isPunctuation).count
        for range in matches {
            // (4) a tag: bracketed, or at an end of the line with a separator.
            let before = upper[..<range.lowerBound].trimmingTrailingSpaces
            let after = upper[range.upperBound...].trimmingLeadingSpaces
            // In brackets: at an end of the line, or starting with a capital; "call me (in
            // confidence)" is a sentence's aside.
            // A phone number's note in a signature, "ext 2345 (internal only)", is about the number.
            if let open = before.last, let close = after.first, Self.bracketPairs.contains([open, close]),
               before.endIndex - 1 <= leading || after.startIndex + 1 >= trailing || Self.startsWithCapital(range, in: line),
               Self.startsWithCapital(range, in: line) || !running || !Self.followsNumber(upper[..<(before.endIndex - 1)]) {
                return true
            }
            if before.endIndex <= leading, let next = after.first, Self.separatorStart(after) || next == UInt8(ascii: "|") { return true }
            if after.startIndex >= trailing, Self.separatorEnd(before),
               !running || (before.last == UInt8(ascii: ":") ? Self.namesClassification(before.dropLast(), marking: upper[range]) : !Self.tagsSomethingElse(before))
                || Self.isTitle(range, in: line) && !Self.saysWhoMayComeIn(upper[range]) {
                return true
            }
        }
        return false
    }

    /// Whether "NOT" or "NON" comes right before the marking, one space or hyphen between.
    private static func negatedAtOnce(_ range: Range<Int>, in line: MarkerText) -> Bool {
        let before = line.upper[..<range.lowerBound]
        guard let gap = before.last, gap == 0x20 || gap == UInt8(ascii: "-") else { return false }
        let word = before.dropLast()
        return negations.contains { negation in
            word.reversed().starts(with: negation.reversed())
                && (word.dropLast(negation.count).last.map { !MarkerText.isWordByte($0) } ?? true)
        }
    }

    private static let negations = [Array("NOT".utf8), Array("NON".utf8)]

    /// Whether text (upper-case) ends with a phone number: ten digits or more among spaces,
    /// brackets and a "+" ("020 7946 0000", "+44 (0)20 7946 0000"), or digits after "ext",
    /// "tel", "mobile", "fax", "DDI" or "x4471". Dates, years, sums and reference numbers
    /// ("12.03.2026", "2025-2026", "ref 1234567") are not.
    private static func followsNumber(_ text: ArraySlice<UInt8>) -> Bool {
        let number = text.reversed().prefix { (0x30...0x39).contains($0) || " +()".utf8.contains($0) }
        let digits = number.filter { (0x30...0x39).contains($0) }.count
        guard digits > 0 else { return false }
        let rest = text.dropLast(number.count)
        // "x4471" is an extension only written onto its digits.
        if rest.last == UInt8(ascii: "X"), number.last.map({ (0x30...0x39).contains($0) }) == true {
            return rest.dropLast().last.map { !MarkerText.isWordByte($0) } ?? true
        }
        let word = Array(rest.trimmingTrailingSpaces.reversed().prefix(while: MarkerText.isWordByte).reversed())
        if phoneWords.contains(word) || digits >= 10 && phoneLabels.contains(word) { return true }
        return digits >= 10 && (rest.last.map { !MarkerText.isWordByte($0) && $0 != UInt8(ascii: ".") && $0 != UInt8(ascii: "-") } ?? true)
    }

    private static let phoneWords = words(["EXT", "EXTN", "EXTENSION", "TEL", "PHONE", "MOBILE", "MOB", "FAX", "DDI"])
    private static let phoneLabels = words(["LINE", "NUMBER", "ON", "CALL", "OFFICE", "WORK", "HOME", "T", "M"])

    /// Whether the marking at `range` starts with a capital letter as written.
    private static func startsWithCapital(_ range: Range<Int>, in line: MarkerText) -> Bool {
        guard let first = line.bytes[range].first(where: { MarkerText.isWordByte($0) }) else { return false }
        return !(0x61...0x7A).contains(first)
    }

    /// Whether the marking at `range` is written as a title of two words or more: each with a
    /// capital, short joining words aside ("Strictly Private and Confidential", "For Internal
    /// Use Only"; a single capitalised word after a colon, "Parking: Restricted", is a field).
    private static func isTitle(_ range: Range<Int>, in line: MarkerText) -> Bool {
        let words = line.bytes[range].split { !MarkerText.isWordByte($0) }
        return words.count >= 2 && words.enumerated().allSatisfy { index, word in
            guard let first = word.first else { return true }
            if !(0x61...0x7A).contains(first) { return true }
            return index > 0 && titleJoiners.contains(Array(word))
        }
    }

    private static let titleJoiners: Set<[UInt8]> = Set(["and", "of", "for", "in", "to"].map { Array($0.utf8) })

    /// Whether the field name before a colon (upper-case) makes the marking after it a
    /// classification. The name is short, six words or fewer: "We asked the employer about the
    /// status: restricted." is a sentence. Its last word is one that names a classification
    /// ("Security classification: Confidential", "Status: Internal only"), or a name of four
    /// words or fewer holds a word only a classification field has ("Distribution list:
    /// Internal only", "Handling instructions for recipients: Do not forward").
    ///
    /// "Members only" is also who may come to a class or join a group ("Audience: members
    /// only", "Yoga class: Members only", "Privacy: Members only" for a branch's Facebook
    /// group), so it counts only after a name that can be nothing but a classification's:
    /// "Security classification: Members only", "Document status: Members only".
    private static func namesClassification(_ field: ArraySlice<UInt8>, marking: ArraySlice<UInt8>) -> Bool {
        let words = field.trimmingTrailingSpaces.split { !MarkerText.isWordByte($0) }.map(Array.init)
        guard let last = words.last, words.count <= 6 else { return false }
        if saysWhoMayComeIn(marking) {
            if strictLastWords.contains(last) || words.contains(where: strictNameWords.contains) { return true }
            return words.count == 2 && strictNames.contains(words[0] + [0x20] + last)
        }
        // "Photo sharing: Restricted", "Age restrictions: Restricted": who may see or come, as
        // "Members only" is; these fields count for other markings ("Sharing: Internal only").
        if accessFields.contains(last), marking.split(whereSeparator: { !MarkerText.isWordByte($0) }).elementsEqual([Self.restricted[...]]) {
            return false
        }
        if classificationFields.contains(last), !genericFields.contains(last) || !namesSomethingElse(words.dropLast()) { return true }
        if words.count == 2, labelNames.contains(words[0] + [0x20] + last) { return true }
        return words.count <= 4 && words.indices.contains { index in
            classificationNameWords.contains(words[index]) && (!genericFields.contains(words[index]) || !namesSomethingElse(words[..<index]))
        }
    }

    /// Whether a field word that any form has ("status", "level", "class", "handling",
    /// "distribution", "marking") is about a place, a job's terms, money or transport: the
    /// nearest word before it, past other such words and "access" or "sharing", is one of
    /// those ("Parking status: Restricted", "Salary level: Confidential" in a job advert, "Cash
    /// handling: Restricted", "Building access status", "Leaflet distribution"). Any other
    /// word leaves the field a classification, as it was: a list of what is read could never
    /// be whole ("Board pack status", "Tribunal bundle status", "GPMS level"), and a marking
    /// missed leaks where a notice held only waits for an official.
    private static func namesSomethingElse(_ qualifiers: ArraySlice<[UInt8]>) -> Bool {
        guard let nearest = qualifiers.last(where: { !genericFields.contains($0) && !passedOver.contains($0) }) else { return false }
        return otherSubjects.contains(nearest)
    }

    /// Whether the text before a dash or bar is a short field name for a place or a job's
    /// salary ("Parking – restricted", "Salary - Confidential" in a job advert); "Pay offer –
    /// confidential" and "Benevolent fund – confidential" are tags.
    private static func tagsSomethingElse(_ before: ArraySlice<UInt8>) -> Bool {
        let words = before.split { !MarkerText.isWordByte($0) }.map(Array.init).filter { $0.contains { (0x41...0x5A).contains($0) } }
        // A field's name is short: "Closure of the Leeds site – confidential" is a heading.
        guard words.count <= 3, let nearest = words.last(where: { !genericFields.contains($0) && !passedOver.contains($0) }) else { return false }
        return dashSubjects.contains(nearest)
    }

    private static let genericFields = words([
        "STATUS", "LEVEL", "CLASS", "CATEGORY", "LABEL", "LABELS", "HANDLING", "DISTRIBUTION", "CIRCULATION", "MARKING",
    ])

    private static let passedOver = words(["ACCESS", "SHARING", "RESTRICTIONS", "RESTRICTION"])

    /// Places, transport, money, a job's terms, venues, events and classes, food and drink,
    /// phones, accounts and the web.
    private static let otherSubjects = words([
        "PARKING", "CAR", "CARS", "PARK", "ROAD", "ROADS", "TRAFFIC", "VEHICLE", "VEHICLES", "DRIVING", "LICENCE", "LICENSE", "BUS",
        "TRAIN", "RAIL", "PLATFORM", "FLIGHT", "AIRPORT", "TRAVEL", "BAGGAGE", "LUGGAGE", "SALARY", "WAGE", "WAGES", "CASH",
        "VACANCY", "ADVERT", "JOB", "COURSE", "MODULE", "ROOM", "BOOKING", "VENUE", "BUILDING", "GROUND", "PITCH", "GYM", "POOL",
        "BAR", "ALCOHOL", "FOOD", "CATERING", "TICKET", "TICKETS", "LIBRARY", "WHEELCHAIR", "DISABLED", "STEP", "FREE", "AGE",
        "WIFI", "FI", "INTERNET", "WEB", "WEBSITE", "FILTER", "ROAMING", "MOBILE", "PHONE", "BROADBAND", "UPLOAD", "DOWNLOAD",
        "DELIVERY", "POSTAGE", "PARCEL", "PARCELS", "PHOTO", "PHOTOS", "SCREEN", "LOCATION", "LEAFLET", "LEAFLETS", "MANUAL",
        "WASTE", "CHEMICAL", "CHEMICALS", "NOISE", "SMOKING", "UNIFORM", "WEATHER", "FLOOD", "WATER", "ENERGY", "FIRE", "HYGIENE",
        "EXAM", "VISA", "PERMIT", "FARE", "ACCOUNT", "PORTAL", "USAGE", "ALERT", "LINE", "SENDING", "FORWARDING", "YOGA",
        "FITNESS", "DANCE", "PILATES", "SWIMMING", "EXERCISE",
    ])

    /// After a dash, where a marking is most often a tag ("Benevolent fund – confidential"),
    /// only what a notice of a place or a job advert names.
    private static let dashSubjects = words([
        "PARKING", "CAR", "PARK", "ROAD", "TRAFFIC", "SALARY", "WAGE", "WAGES", "WHEELCHAIR", "STEP", "FREE", "AGE", "ALCOHOL",
        "BAR", "FOOD", "WIFI", "FI", "PHOTO", "PHOTOS", "SMOKING",
    ])

    private static let accessFields = words(["SHARING", "RESTRICTIONS", "RECIPIENTS"])
    private static let restricted = Array("RESTRICTED".utf8)

    private static func words(_ list: [String]) -> Set<[UInt8]> { Set(list.map { Array($0.utf8) }) }

    private static let classificationFields = words([
        "CLASSIFICATION", "CLASSIFIED", "MARKING", "SECURITY", "SENSITIVITY", "STATUS", "LABEL", "HANDLING", "DISTRIBUTION",
        "CIRCULATION", "PRIVACY", "CONFIDENTIALITY", "CATEGORY", "DOCUMENT", "LEVEL", "CLASS", "VISIBILITY", "AUDIENCE", "CAVEAT",
        "CAVEATS", "DISSEMINATION", "SHARING", "RESTRICTIONS", "RECIPIENTS", "LABELS",
    ])

    private static let classificationNameWords = words([
        "CLASSIFICATION", "CLASSIFIED", "SENSITIVITY", "HANDLING", "DISTRIBUTION", "DISSEMINATION", "CAVEAT", "CAVEATS",
        "CONFIDENTIALITY", "MARKING",
    ])

    /// How Purview and similar tools name the label they set ("Label applied: Confidential").
    private static let labelNames = words(["LABEL NAME", "LABEL APPLIED", "LABEL SET", "LABEL CHANGED", "NEW LABEL", "APPLIED LABEL"])

    private static let strictLastWords = words(["CLASSIFICATION", "CLASSIFIED", "MARKING", "SENSITIVITY", "CONFIDENTIALITY"])

    private static let strictNameWords = words(["CLASSIFICATION", "CLASSIFIED", "CONFIDENTIALITY", "PROTECTIVE"])

    private static let strictNames = words([
        "DOCUMENT STATUS", "DOCUMENT LABEL", "DOCUMENT CLASS", "SECURITY LEVEL", "SECURITY STATUS", "SECURITY LABEL",
        "SENSITIVITY LABEL", "SENSITIVITY LEVEL", "DISTRIBUTION LIST", "CIRCULATION LIST", "HANDLING INSTRUCTIONS", "HANDLING CAVEAT",
    ])

    /// Whether a marking says only who may come in or take part: "Members only", "Strictly
    /// members only".
    private static func saysWhoMayComeIn(_ marking: ArraySlice<UInt8>) -> Bool {
        marking.split { !MarkerText.isWordByte($0) }.allSatisfy { admissionWords.contains(Array($0)) }
    }

    private static let admissionWords = words(["MEMBERS", "MEMBER", "ONLY", "STRICTLY"])

    /// Whether the line opens (after punctuation) with a leading marker that stands alone or
    /// is followed by a separator or a word that starts an embargo's terms ("until", "not").
    /// "Strictly", "strict" or "under" may come first ("Strictly embargoed until 10am Monday",
    /// "Under strict embargo until Friday"), and a time may
    /// follow ("EMBARGO 00:01 THURSDAY 5 JUNE"). "Embargo to continue" or "Embargo not lifted"
    /// (the union's own word for a ban on overtime or cover) is news, not a marking.
    /// `inReply`: the line is read without its reply prefixes, where an embargo is not a
    /// marking (a thread about the union's own kind of embargo); other leading markers are.
    ///
    /// `running`: in running text a line that starts with a small letter is a wrapped
    /// sentence's continuation, unless it was disguised. `midLine`: the text after a separator
    /// or bracket in a line ("Pay offer – embargoed until Friday"), where only the phrases that
    /// are never the union's own embargo count (not a bare "embargo").
    func opensWithLeadingMarker(_ line: MarkerText, inReply: Bool = false, running: Bool = false, midLine: Bool = false) -> Bool {
        guard !leading.isEmpty else { return false }
        let start = line.upper.firstIndex(where: { MarkerText.isWordByte($0) && !(0x30...0x39).contains($0) }) ?? line.upper.count
        guard line.upper[..<start].allSatisfy(Self.isPunctuation) else { return false }
        if running, line.readAsTyped, start < line.bytes.count, (0x61...0x7A).contains(line.bytes[start]) { return false }
        var rest = line.upper[start...]
        // "Strictly embargoed", "Under strict embargo": at most three such words.
        for _ in 0..<3 {
            guard let word = Self.embargoOpeners.first(where: { rest.starts(with: $0) }) else { break }
            rest = rest.dropFirst(word.count).trimmingLeadingSpaces
        }
        for phrase in leading where rest.starts(with: phrase) && !(inReply && phrase.firstRange(of: Self.embargo) != nil) {
            if midLine, phrase.suffix(Self.embargo.count).elementsEqual(Self.embargo) { continue }
            let after = rest.dropFirst(phrase.count)
            if let next = after.first, MarkerText.isWordByte(next) { continue }  // EMBARGOES, EMBARGOLIKE
            let following = after.trimmingLeadingSpaces
            if following.isEmpty || Self.separatorStart(following) || Self.startsWithTime(following) || Self.startsWithDate(following) {
                return true
            }
            if Self.embargoTerms.contains(where: { following.starts(with: $0) && following.dropFirst($0.count).first.map { !MarkerText.isWordByte($0) } ?? true }) {
                return true
            }
            // "Embargoed to 10.00 Friday": "to" with a time.
            if following.starts(with: Self.to), Self.startsWithTime(following.dropFirst(Self.to.count).trimmingLeadingSpaces) { return true }
        }
        return false
    }

    /// Whether a leading marker opens the text after a separator or bracket in the line ("Pay
    /// offer – embargoed until Friday", "Pay offer (not for release until Friday)"). At most
    /// eight places are tried, and only in a line that names a leading marker's first word.
    private func leadingMarkerAfterSeparator(in line: MarkerText, inReply: Bool) -> Bool {
        let upper = line.upper
        guard leadingFirstWords.contains(where: { Self.holds($0, in: upper) }) else { return false }
        var tried = 0
        var i = 0
        while i < upper.count, tried < 8 {
            let byte = upper[i]
            i += 1
            let bracket = byte == UInt8(ascii: "(") || byte == UInt8(ascii: "[")
            guard bracket || byte == UInt8(ascii: "-") || byte == UInt8(ascii: "|") || byte == UInt8(ascii: ":") else { continue }
            var j = i
            while j < upper.count, upper[j] == 0x20 || upper[j] == UInt8(ascii: "-") { j += 1 }  // an en dash is `---`
            // Every separator in this run of spaces and dashes ends where this one does, so the
            // search goes on after it: a line of a million dashes is read once, not once from
            // each of them (which took minutes).
            let separatorEnd = j
            defer { i = max(i, separatorEnd) }
            // A separator stands apart (" - ", ": "); a bracket opens its words.
            guard bracket || (j > i && upper[j - 1] == 0x20), j < upper.count else { continue }
            tried += 1
            let tail = MarkerText(normalised: Array(line.bytes[j...]), readAsTyped: line.readAsTyped)
            if opensWithLeadingMarker(tail, inReply: inReply, midLine: true) { return true }
        }
        return false
    }

    /// Whether `word` stands anywhere in `text`, as a word or inside one. A plain scan: the
    /// standard library's generic `firstRange(of:)` took most of a long text's time here.
    static func holds(_ word: [UInt8], in text: [UInt8]) -> Bool {
        guard let first = word.first, word.count <= text.count else { return false }
        return text.withUnsafeBufferPointer { text in
            word.withUnsafeBufferPointer { word in
                var start = 0
                let last = text.count - word.count
                while start <= last {
                    if text[start] == first {
                        var offset = 1
                        while offset < word.count, text[start + offset] == word[offset] { offset += 1 }
                        if offset == word.count { return true }
                    }
                    start += 1
                }
                return false
            }
        }
    }

    private static let to = Array("TO ".utf8)

    /// A date: `5 June`, `5th June`, `June 5`, `5 Jun`.
    private static func startsWithDate(_ text: ArraySlice<UInt8>) -> Bool {
        let digits = text.prefix { (0x30...0x39).contains($0) }
        if (1...2).contains(digits.count) {
            var rest = text.dropFirst(digits.count)
            for suffix in ["ST", "ND", "RD", "TH"] where rest.starts(with: Array(suffix.utf8)) { rest = rest.dropFirst(2) }
            return startsWithMonth(rest.trimmingLeadingSpaces)
        }
        guard startsWithMonth(text) else { return false }
        let afterMonth = text.drop { MarkerText.isWordByte($0) }.trimmingLeadingSpaces
        return afterMonth.first.map { (0x30...0x39).contains($0) } ?? false
    }

    private static func startsWithMonth(_ text: ArraySlice<UInt8>) -> Bool {
        let word = Array(text.prefix { (0x41...0x5A).contains($0) })
        return word.count >= 3 && months.contains { $0.starts(with: word) }
    }

    private static let months = ["JANUARY", "FEBRUARY", "MARCH", "APRIL", "MAY", "JUNE", "JULY", "AUGUST", "SEPTEMBER", "OCTOBER",
                                 "NOVEMBER", "DECEMBER", "SEPT"].map { Array($0.utf8) }

    private static let embargo = Array("EMBARGO".utf8)
    private static let embargoOpeners = ["STRICTLY ", "STRICT ", "UNDER "].map { Array($0.utf8) }
    /// What follows an embargo that sets its terms.
    private static let embargoTerms: [[UInt8]] = ["UNTIL", "TILL", "TIL", "BEFORE", "PRIOR TO", "AHEAD OF", "NOT FOR", "NOT BEFORE", "NOT TO BE", "FOR RELEASE"]
        .map { Array($0.utf8) }

    /// A time of day: `00:01`, `10.00`, `10AM`, `9 PM`.
    private static func startsWithTime(_ text: ArraySlice<UInt8>) -> Bool {
        let digits = text.prefix { (0x30...0x39).contains($0) }
        guard (1...2).contains(digits.count) else { return false }
        let rest = text.dropFirst(digits.count)
        if let mark = rest.first, mark == UInt8(ascii: ":") || mark == UInt8(ascii: "."),
           rest.dropFirst().prefix(while: { (0x30...0x39).contains($0) }).count == 2 {
            return true
        }
        let unit = rest.trimmingLeadingSpaces
        return (unit.starts(with: Array("AM".utf8)) || unit.starts(with: Array("PM".utf8)))
            && unit.dropFirst(2).first.map { !MarkerText.isWordByte($0) } ?? true
    }

    /// The match widened over qualifier words beside it (across spaces and separators), so
    /// "Strictly Private and Confidential" is judged as one marking.
    func extendedOverQualifiers(_ range: Range<Int>, in line: MarkerText) -> Range<Int> {
        guard !qualifiers.isEmpty else { return range }
        let upper = line.upper
        var lower = range.lowerBound, high = range.upperBound
        while true {  // leftwards: bounded by the line's length, each pass moves `lower` down
            var i = lower
            while i > 0, Self.isJoiner(upper, at: i - 1) { i -= 1 }
            var wordStart = i
            while wordStart > 0, Self.isQualifierByte(upper[wordStart - 1]) { wordStart -= 1 }
            guard wordStart < i, qualifiers.contains(Array(upper[wordStart..<i])) else { break }
            lower = wordStart
        }
        while true {  // rightwards, the same way
            var i = high
            while i < upper.count, Self.isJoiner(upper, at: i) { i += 1 }
            var wordEnd = i
            while wordEnd < upper.count, Self.isQualifierByte(upper[wordEnd]) { wordEnd += 1 }
            guard wordEnd > i, qualifiers.contains(Array(upper[i..<wordEnd])) else { break }
            high = wordEnd
        }
        return lower..<high
    }

    /// Bytes of a qualifier word: letters and the ampersand (not the bytes of a dash).
    private static func isQualifierByte(_ byte: UInt8) -> Bool {
        (MarkerText.isWordByte(byte) && byte != 0xE2 && byte != 0x80 && byte != 0x93 && byte != 0x94) || byte == UInt8(ascii: "&")
    }

    /// Space and the separators that may stand between a marking's words (`-`, `–`, `—`, `/`,
    /// `\`, `|`, `:`, `,`); the bytes of an en or em dash count one by one.
    private static func isJoiner(_ bytes: [UInt8], at index: Int) -> Bool {
        switch bytes[index] {
        case 0x20, UInt8(ascii: "-"), UInt8(ascii: "/"), UInt8(ascii: "\\"), UInt8(ascii: "|"), UInt8(ascii: ":"), UInt8(ascii: ","),
             0xE2, 0x80, 0x93, 0x94:
            return true
        default:
            return false
        }
    }

    /// Brackets that set a marking apart, as written or as `MarkerReading` reads brackets past
    /// ASCII (`「…」`, `【…】`). Not quotes or asterisks: a word in quotes or stressed in a
    /// sentence ("our “members only” offer") is a mention.
    private static let bracketPairs: Set<[UInt8]> = Set(["[]", "()", "{}", "<>"].map { Array($0.utf8) })
    /// Marks that set a marking apart from the rest of its line (en and em dashes are `---` in
    /// the matching form).
    private static let separators: [[UInt8]] = [":", "-", "|", "*"].map { Array($0.utf8) }
    static func separatorStart(_ bytes: ArraySlice<UInt8>) -> Bool { separators.contains { bytes.starts(with: $0) } }
    static func separatorEnd(_ bytes: ArraySlice<UInt8>) -> Bool { separators.contains { bytes.reversed().starts(with: $0.reversed()) } }
    static func isPunctuation(_ byte: UInt8) -> Bool {
        (!MarkerText.isWordByte(byte) && byte != MarkerText.symbol) || (0x30...0x39).contains(byte)
    }
}

extension ArraySlice where Element == UInt8 {
    var trimmingTrailingSpaces: ArraySlice<UInt8> {
        var slice = self
        while slice.last == 0x20 { slice = slice.dropLast() }
        return slice
    }
    var trimmingLeadingSpaces: ArraySlice<UInt8> { drop { $0 == 0x20 } }
}

