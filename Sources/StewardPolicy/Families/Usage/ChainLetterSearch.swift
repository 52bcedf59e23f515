import StewardCore

/// Finds chain letters and hoaxes (clause 10(f)(iii): "taking part in on-line chain letters").
///
/// A chain letter is found by how it asks, not by the word "forward": an imperative to pass the
/// message on (forward, send, pass, share, copy, e-mail…) aimed at a number of people ("to 10
/// people", "ten of your friends") or at everyone the reader knows ("everyone in your address
/// book", "all your contacts", "everyone!"); or "don't break the chain"; or a claim that it is
/// not a hoax together with "pass it on". "I'll forward your grievance to the regional office"
/// (not an imperative, no count) and "please forward this to your branch secretary" (one person)
/// pass, and so does "share it with everyone in your workplace": a branch cascading union
/// business to a group is not a chain. Branches add phrases and regular expressions.
struct ChainLetterSearch {
    static let defaultPhrases = ["don't break the chain", "do not break the chain", "don't break this chain", "do not break this chain"]

    /// Longest text read per part: chain letters are short, and this runs on every message.
    static let maxPieceBytes = 200_000

    private static let verbs: Set<String> = ["forward", "fwd", "send", "resend", "pass", "share", "repost", "copy", "email", "mail"]
    /// Words before the verb that make it a statement, not a request ("I'll forward…", "we sent…").
    private static let statementWords: Set<String> = [
        "i", "we", "he", "she", "they", "im", "ive", "ill", "id", "weve", "wed", "hes", "shes", "theyre", "theyve",
        "theyll", "theyd", "who", "which", "has", "had", "was", "were", "been", "will", "would",
    ]
    private static let people: Set<String> = [
        "people", "persons", "person", "friends", "contacts", "others", "individuals", "women", "men", "ladies", "girls",
        "guys", "mates", "buddies", "friend", "loved",
    ]
    /// Whom "all your …" may name for a chain: the reader's own circle, not a branch's members or colleagues.
    private static let circles: Set<String> = ["friends", "contacts", "family", "loved", "mates", "buddies", "friend"]
    private static let numberWords: [String: Int] = [
        "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9, "ten": 10, "eleven": 11,
        "twelve": 12, "thirteen": 13, "fifteen": 15, "twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "hundred": 100,
        "dozen": 12,
    ]
    /// Those a branch asks members to recruit among: a chain only with luck promised or threatened.
    private static let workmates: Set<String> = ["colleagues", "colleague", "workmates", "coworkers", "workers", "members"]
    /// Luck promised or threatened; "good luck" or "bad luck" alone is every other sign-off.
    private static let luckClaims: [[String]] = [
        ["have", "good", "luck"], ["bring", "you", "good", "luck"], ["good", "luck", "will"], ["have", "bad", "luck"], ["bad", "luck", "will"],
        ["years", "of", "bad", "luck"], ["wish", "will", "come", "true"], ["you", "will", "be", "blessed"],
    ]
    private static let hoaxClaims: [[String]] = [["not", "a", "hoax"], ["no", "hoax"], ["isnt", "a", "hoax"], ["not", "a", "joke"], ["bad", "luck"]]

    let phrases: [(text: String, words: [String])]
    let patterns: [(text: String, regex: Regex<AnyRegexOutput>)]

    init(context: RuleContext) {
        let rule = UsageFamily.chainLetterRule.id
        let listed = (context.option("phrases", of: rule)?.listValue ?? Self.defaultPhrases)
            + (context.option("extra_phrases", of: rule)?.listValue ?? [])
        phrases = listed.map { (text: $0, words: ChainWords(Substring($0)).words) }.filter { !$0.words.isEmpty }
        patterns = (context.option("patterns", of: rule)?.listValue ?? []).compactMap { text in
            (try? Regex(text).ignoresCase()).map { (text: text, regex: $0) }
        }
    }

    /// What was found, one detail per place (the subject, each body or attachment), at most three.
    func findings(in message: InspectedMessage) -> [String] {
        var found: [String] = []
        if let subject = message.subject, let ask = ask(in: Substring(subject)) {
            found.append(ask + ", in the subject")
        }
        for (place, text) in Self.pieces(of: message) where found.count < 3 {
            if let ask = ask(in: text) { found.append(ask + ", in " + place) }
        }
        return found
    }

    /// The first chain-letter ask in a text, in plain words; nil when there is none.
    func ask(in text: Substring) -> String? {
        for (raw, regex) in patterns where text.contains(regex) {
            return "matches the branch's chain-letter pattern \"\(raw)\""
        }
        let words = ChainWords(text)
        guard words.count > 0 else { return nil }
        // "Don't break the chain of custody" (or of supply, of command) is about another chain;
        // "the chain of love" or "of luck" is the letter's own.
        for phrase in phrases where words.occurrences(of: phrase.words).contains(where: { !Self.otherChain(at: $0 + phrase.words.count, in: words) }) {
            return "says \"\(phrase.text)\""
        }
        var passOn = false
        var toColleagues: (verb: String, target: String)?
        for index in 0..<words.count where Self.verbs.contains(words.words[index]) && isRequest(at: index, in: words) {
            if let target = target(after: index, in: words) {
                let verb = Self.verbName(words.words[index])
                return "asks readers to \(verb) it \(verb == "share" ? "with" : "to") \(target)"
            }
            passOn = passOn || passesOn(after: index, in: words)
            if toColleagues == nil, let target = target(after: index, in: words, people: Self.workmates) {
                toColleagues = (Self.verbName(words.words[index]), target)
            }
        }
        if passOn, Self.hoaxClaims.contains(where: { words.firstOccurrence(of: $0) != nil }) {
            return "says it is not a hoax (or threatens bad luck) and asks readers to pass it on"
        }
        // "Forward this to 3 colleagues" is how a branch recruits, urgently at times ("the ballot
        // closes within the hour", "this is not a joke"); with luck promised or threatened it is
        // a chain.
        if let (verb, target) = toColleagues, Self.luckClaims.contains(where: { words.firstOccurrence(of: $0) != nil }) {
            return "asks readers to \(verb) it \(verb == "share" ? "with" : "to") \(target), with luck promised or threatened"
        }
        return nil
    }

    /// Whether "of" and a chain that is no letter's follow at `index`, in the same sentence.
    private static func otherChain(at index: Int, in words: ChainWords) -> Bool {
        index + 1 < words.count && index > 0 && words.words[index] == "of" && words.sentences[index + 1] == words.sentences[index - 1]
            && otherChains.contains(words.words[index + 1])
    }

    private static let otherChains: Set<String> = [
        "custody", "supply", "command", "evidence", "events", "title", "care", "communication", "responsibility", "accountability",
        "production", "distribution", "transmission", "infection",
    ]

    /// Whether the verb at `index` is asked of the reader: no "I", "we", "they", "will"… in the
    /// three words before it in its sentence.
    private func isRequest(at index: Int, in words: ChainWords) -> Bool {
        var back = index - 1
        while back >= 0, back >= index - 3, words.sentences[back] == words.sentences[index] {
            if Self.statementWords.contains(words.words[back]) { return false }
            back -= 1
        }
        return true
    }

    /// A number of people or the reader's whole circle after the verb, within its sentence, in
    /// the message's own words ("10 of their friends").
    private func target(after index: Int, in words: ChainWords, people: Set<String> = ChainLetterSearch.people) -> String? {
        let end = words.sentenceEnd(from: index, limit: 16)
        let w = words.words
        var j = index + 1
        while j < end {
            let word = w[j]
            if let number = Self.number(word), number >= 2 {
                let lookahead = min(end, j + 4)
                if let noun = (j + 1..<lookahead).first(where: { people.contains(w[$0]) }) {
                    return Self.reader(words.text(j..<(noun + 1)))
                }
            }
            if word == "everyone" || word == "everybody" {
                if j + 1 == end { return word }
                if j + 2 < end, w[j + 1] == "you", w[j + 2] == "know" { return word + " you know" }
                if ["in", "on", "from"].contains(w[j + 1]) {
                    let stop = min(end, j + 6)
                    if let place = (j + 2..<stop).first(where: { ["address", "contacts", "contact", "phone", "phonebook", "inbox"].contains(w[$0]) }),
                       w[(j + 1)..<place].contains("your") {
                        let last = place + 1 < end && ["book", "list"].contains(w[place + 1]) ? place + 1 : place
                        return Self.reader(words.text(j..<(last + 1)))
                    }
                }
            }
            if word == "all" {
                var k = j + 1
                while k < end, ["of", "the"].contains(w[k]) { k += 1 }
                if k + 1 < end, w[k] == "your", Self.circles.contains(w[k + 1]) { return Self.reader(words.text(j..<(k + 2))) }
                if k + 2 < end, w[k] == "people", w[k + 1] == "you", w[k + 2] == "know" { return "all the people you know" }
            }
            if word == "your", j + 2 < end, ["whole", "entire"].contains(w[j + 1]),
               ["address", "contact", "contacts", "phonebook", "mailing"].contains(w[j + 2]) {
                let last = j + 3 < end && ["book", "list"].contains(w[j + 3]) ? j + 3 : j + 2
                return Self.reader(words.text(j..<(last + 1)))
            }
            j += 1
        }
        return nil
    }

    /// "pass it on", "send this along", "forward it around".
    private func passesOn(after index: Int, in words: ChainWords) -> Bool {
        let end = words.sentenceEnd(from: index, limit: 4)
        return (index + 1..<end).contains { ["on", "along", "around"].contains(words.words[$0]) }
    }

    private static func number(_ word: String) -> Int? {
        if let value = Int(word), value < 100_000 { return value }
        return numberWords[word]
    }

    /// The ask told from the reader's side: "your friends" becomes "their friends".
    private static func reader(_ text: String) -> String {
        text.split(separator: " ").map { $0 == "your" ? "their" : String($0) }.joined(separator: " ")
    }

    private static func verbName(_ verb: String) -> String {
        switch verb {
        case "fwd": "forward"
        case "email", "mail": "e-mail"
        default: verb
        }
    }

    /// The readable text of every part: document text where inspection read it, else a text
    /// part's text (HTML with its tags dropped), at most `maxPieceBytes` of each.
    static func pieces(of message: InspectedMessage) -> [(place: String, text: Substring)] {
        var result: [(String, Substring)] = []
        for part in message.allParts {
            let place = ConfidentialFamily.place(of: part)
            if let document = part.documentText {
                // Only as much as is searched: a workbook's every cell joined would be thrown away.
                var text = ""
                for segment in document.segments where !segment.text.isEmpty {
                    if text.utf8.count >= maxPieceBytes { break }
                    if !text.isEmpty { text += "\n\n" }
                    text += segment.text
                }
                if !text.isEmpty { result.append((place, prefix(Substring(text)))) }
            } else if let text = part.text, !text.isEmpty {
                let piece = prefix(Substring(text))
                result.append((place, part.contentType == "text/html" ? Substring(Self.withoutTags(piece)) : piece))
            }
        }
        return result
    }

    private static func prefix(_ text: Substring) -> Substring {
        text.utf8.count <= maxPieceBytes ? text : text.prefix(maxPieceBytes)
    }

    /// HTML as words: tags become spaces, paragraph ends sentence breaks, a few entities decoded.
    /// Inspection reads HTML properly (libxml2) only for mail leaving the union; for a search of
    /// words this rough pass is enough and costs nothing.
    static func withoutTags(_ html: Substring) -> String {
        var out = ""
        out.reserveCapacity(html.utf8.count)
        var inTag = false
        var tag = ""
        for character in html {
            if inTag {
                if character == ">" {
                    inTag = false
                    let name = tag.lowercased().trimmingPrefix("/").prefix { $0.isLetter || $0.isNumber }
                    out += name == "br" ? "\n" : ["p", "div", "li", "tr", "h1", "h2", "h3", "blockquote"].contains(String(name)) ? "\n\n" : " "
                    tag = ""
                } else if tag.count < 12 {
                    tag.append(character)
                }
            } else if character == "<" {
                inTag = true
            } else {
                out.append(character)
            }
        }
        return out.replacing("&nbsp;", with: " ").replacing("&#39;", with: "'").replacing("&rsquo;", with: "'").replacing("&amp;", with: "&")
    }
}
