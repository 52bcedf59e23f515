import Foundation

/// Domains made to look like the union's: confusable characters (UTS #39 skeletons, IDN decoded),
/// a letter or two changed, the union's domain used as a subdomain of another or as the start of
/// another name (`union.example-login.com`), its labels run together or joined by a hyphen in
/// another domain (`union-example.com`, `unionexample.org`), another ending.
struct LookalikeDomains: Sendable {
    /// Answers already worked out, by domain: most mail comes from domains seen before, and an
    /// answer costs ICU calls. Bounded; emptied when full.
    final class Memo: @unchecked Sendable {
        private let lock = NSLock()
        private var answers: [String: String?] = [:]
        static let capacity = 20_000

        func answer(_ key: String, _ work: () -> String?) -> String? {
            lock.lock()
            if let known = answers[key] {
                lock.unlock()
                return known
            }
            lock.unlock()
            let answer = work()
            lock.lock()
            if answers.count >= Self.capacity { answers.removeAll(keepingCapacity: true) }
            answers[key] = .some(answer)
            lock.unlock()
            return answer
        }
    }

    private let memo = Memo()

    struct UnionDomain: Sendable {
        var domain: String
        var labels: [String]
        var skeleton: String
        /// The domain's labels joined by a hyphen and run together (`union-example`, `unionexample`).
        var joined: [String]
    }

    let unionDomains: [UnionDomain]

    init(domains: [String]) {
        unionDomains = domains.map {
            let labels = $0.split(separator: ".").map(String.init)
            let joined = labels.count >= 2 ? [labels.joined(separator: "-"), labels.joined()] : []
            return UnionDomain(domain: $0, labels: labels, skeleton: Self.skeleton($0), joined: joined)
        }
    }

    static func skeleton(_ domain: String) -> String { Confusables.skeleton(domain).lowercased() }

    /// The union domain `candidate` reads as, itself or a subdomain, when it is one written with
    /// look-alike characters (`unіon.example` with a Cyrillic і); nil otherwise. For names,
    /// where a dotted word is often no domain at all ("Union.Learning Rep"), so nothing looser
    /// than the same skeleton counts.
    func unionDomainReadAlike(_ candidate: String) -> String? {
        let shape = Self.skeleton(candidate)
        return unionDomains.first { shape == $0.skeleton || shape.hasSuffix("." + $0.skeleton) }?.domain
    }

    /// Why `candidate` looks like a union domain, in plain words; nil when it does not (union
    /// domains themselves and their subdomains never do).
    func resemblance(of candidate: String, maxEditDistance: Int) -> String? {
        memo.answer("\(maxEditDistance) \(candidate)") { work(candidate, maxEditDistance: maxEditDistance) }
    }

    private func work(_ candidate: String, maxEditDistance: Int) -> String? {
        let ascii = candidate.lowercased()
        // Only xn-- labels and non-ASCII names need IDNA; other names are already what they say.
        let needsIDNA = ascii.contains("xn--") || !ascii.utf8.allSatisfy { $0 < 0x80 }
        let decoded = needsIDNA ? Confusables.unicodeDomain(ascii)?.lowercased() ?? ascii : ascii
        let shown = decoded == ascii ? "\(ascii)" : "\(ascii) (\(decoded))"
        let labels = decoded.split(separator: ".", omittingEmptySubsequences: false).map(String.init)
        guard labels.count >= 2 else { return nil }
        // The union's own domain or a subdomain, as written (one trailing dot allowed). Only
        // IDNA's mapping makes `union．example` (a full-width dot) or one with a zero-width
        // space the union's: written so, it is a look-alike.
        let written = (ascii.hasSuffix(".") ? String(ascii.dropLast()) : ascii).split(separator: ".", omittingEmptySubsequences: false)
        for union in unionDomains {
            if written.count >= union.labels.count, written.suffix(union.labels.count).joined(separator: ".") == union.domain { return nil }
            if labels.count >= union.labels.count, labels.suffix(union.labels.count).joined(separator: ".") == union.domain {
                return "\(shown) looks like the union's domain \(union.domain) but is written with look-alike characters"
            }
        }
        for union in unionDomains {
            let count = union.labels.count
            // union.example.evil.example: the union's labels, then someone else's domain.
            if let range = Self.find(union.labels, in: labels), range.upperBound < labels.count {
                return "\(shown) puts the union's domain \(union.domain) in front of another domain"
            }
            // The union's name opening one of this domain's labels, as a word of its own (a
            // hyphen or the label's end after it): union.example-login.com, union-example.com,
            // unionexample.org, union-example-payroll.com; not union-examples.org.
            let name = labels.joined(separator: ".")
            let hyphen = UInt8(ascii: "-"), dot = UInt8(ascii: ".")
            for start in Self.labelStarts(of: labels) {
                let rest = name.utf8.dropFirst(start)
                if rest.starts(with: union.domain.utf8), rest.dropFirst(union.domain.utf8.count).first == hyphen {
                    return "\(shown) starts a name with the union's domain \(union.domain)"
                }
                for joined in union.joined where rest.starts(with: joined.utf8) {
                    let next = rest.dropFirst(joined.utf8.count).first
                    if next == hyphen || next == dot { return "\(shown) holds the union's domain \(union.domain) written as \(joined)" }
                }
            }
            guard labels.count >= count else { continue }
            let tail = Array(labels.suffix(count))
            let tailText = tail.joined(separator: ".")
            let tailSkeleton = Self.skeleton(tailText)
            if tailSkeleton == union.skeleton {
                return "\(shown) looks like the union's domain \(union.domain) but is written with look-alike characters"
            }
            if count >= 2, tail.dropLast() == union.labels.dropLast(), tail.last != union.labels.last {
                return "\(shown) is the union's domain \(union.domain) with another ending"
            }
            // union.co.uk: the union's name with a two-part country ending in place of its own.
            if count >= 2, labels.count == count + 1, Array(labels.prefix(count - 1)) == Array(union.labels.dropLast()),
               labels.suffix(2).allSatisfy({ $0.count <= 3 }) {
                return "\(shown) is the union's domain \(union.domain) with another ending"
            }
            if count >= 2, tail.dropFirst() == union.labels.dropFirst(),
               Self.hasServiceWords(beside: union.labels[0], in: labels[labels.count - count], maxEditDistance: maxEditDistance) {
                return "\(shown) is the union's name \(union.labels[0]) with a login, payroll or help word added, under the union's ending"
            }
            let distance = Self.editDistance(Array(tailSkeleton.unicodeScalars), Array(union.skeleton.unicodeScalars), limit: maxEditDistance)
            if distance > 0, distance <= maxEditDistance, union.domain.count > 4 * maxEditDistance {
                let letters = distance == 1 ? "one character" : "\(distance) characters"
                return "\(shown) is \(letters) away from the union's domain \(union.domain)"
            }
        }
        return nil
    }

    /// Whether `label` is the union's name with only words a fake login, payroll or help page
    /// would add (`myunion`, `union-hr`, `secure-union`, `myunionlogin`, `union-sign-in`,
    /// `union-payroll-2026`), the name itself written with look-alike letters or up to
    /// `maxEditDistance` characters changed (`unlon-login`, `unión-hr`). Compared as ICU
    /// skeletons without hyphens. Only these words: the union's name with any other word is
    /// often someone else's (`reunion`, `credit-union-online`, `union-legal-services`,
    /// `unionpay`, `community-foodbank` for a union called Community).
    static func hasServiceWords(beside name: String, in label: String, maxEditDistance: Int) -> Bool {
        let name = Array(skeleton(name).unicodeScalars)
        // A part that is only digits is a year or a number (`union-payroll-2026`) and is left out.
        let parts = label.split(separator: "-").filter { !$0.allSatisfy(\.isASCIIDigit) }
        let text = Array(skeleton(parts.joined()).unicodeScalars)
        guard text.count > name.count, text.count <= 64, !name.isEmpty else { return false }
        // A name of four characters or fewer is matched exactly: one change makes another word.
        let allowed = name.count > 4 * maxEditDistance ? maxEditDistance : 0
        let (before, after) = serviceWordCuts(of: text)
        for start in 0...text.count {
            guard let wordBefore = before[start] else { continue }
            for end in stride(from: max(start, start + name.count - allowed), through: min(text.count, start + name.count + allowed), by: 1) {
                guard let wordAfter = after[end], wordBefore || wordAfter else { continue }
                if editDistance(Array(text[start..<end]), name, limit: allowed) <= allowed { return true }
            }
        }
        return false
    }

    /// Where `text` can be cut into service words and the words that only go with them
    /// (`mylogin`: my, login; `hrteam`: hr, team): `before[i]` for the text before `i`,
    /// `after[i]` for the text from `i`; nil when it cannot be cut there, else whether a
    /// service word is among the pieces (`team` or `uk` alone is none).
    private static func serviceWordCuts(of text: [Unicode.Scalar]) -> (before: [Bool?], after: [Bool?]) {
        /// Nil when the piece is no word, else whether it is a service word.
        func word(_ range: Range<Int>) -> Bool? {
            let piece = String(String.UnicodeScalarView(text[range]))
            if serviceWordSkeletons.contains(piece) { return true }
            return fillerWordSkeletons.contains(piece) ? false : nil
        }
        var before = [Bool?](repeating: nil, count: text.count + 1)
        before[0] = false
        for end in stride(from: 1, through: text.count, by: 1) {
            for start in max(0, end - longestWord)..<end {
                guard let known = before[start], let service = word(start..<end) else { continue }
                before[end] = (before[end] ?? false) || known || service
            }
        }
        var after = [Bool?](repeating: nil, count: text.count + 1)
        after[text.count] = false
        for start in stride(from: text.count - 1, through: 0, by: -1) {
            for end in (start + 1)...min(text.count, start + longestWord) {
                guard let known = after[end], let service = word(start..<end) else { continue }
                after[start] = (after[start] ?? false) || known || service
            }
        }
        return (before, after)
    }

    private static let serviceWordSkeletons: Set<String> = Set([
        "my", "your", "our", "mail", "webmail", "email", "login", "logon", "signin", "signon", "sso", "auth", "mfa", "2fa", "okta",
        "o365", "m365", "ms365", "365", "office365", "outlook", "microsoft", "docusign", "secure", "verify", "verification", "account",
        "accounts", "portal", "online", "hr", "payroll", "payslip", "payslips", "wages", "salary", "it", "helpdesk", "servicedesk", "help", "helpcentre",
        "helpcenter", "support", "admin", "staff", "password", "reset", "intranet", "sharepoint", "onedrive", "files", "update",
        "renew", "renewal", "vpn", "mailbox", "inbox", "strikepay",
    ].map(skeleton))

    /// Words that go with a service word but are someone else's on their own (`union-team`
    /// is a sports club's; `union-it-team` is a fake helpdesk's).
    private static let fillerWordSkeletons: Set<String> = Set([
        "uk", "team", "teams", "service", "services", "members", "member", "membership", "view", "ticket", "subscriptions", "subs",
        "dues", "strike", "pay", "ballot", "docs",
    ].map(skeleton))

    private static let longestWord = serviceWordSkeletons.union(fillerWordSkeletons).map(\.unicodeScalars.count).max() ?? 0

    /// The UTF-8 offsets where each label starts in the labels joined by dots.
    private static func labelStarts(of labels: [String]) -> [Int] {
        var starts: [Int] = []
        var offset = 0
        for label in labels.dropLast() {  // the last label is the ending
            starts.append(offset)
            offset += label.utf8.count + 1
        }
        return starts
    }

    private static func find(_ needle: [String], in haystack: [String]) -> Range<Int>? {
        guard needle.count <= haystack.count else { return nil }
        for start in 0...(haystack.count - needle.count) where Array(haystack[start..<(start + needle.count)]) == needle {
            return start..<(start + needle.count)
        }
        return nil
    }

    /// Damerau-Levenshtein distance (optimal string alignment: a swap of neighbours is one edit),
    /// giving up early above `limit` (then any value above it is returned).
    static func editDistance(_ a: [Unicode.Scalar], _ b: [Unicode.Scalar], limit: Int) -> Int {
        if abs(a.count - b.count) > limit { return limit + 1 }
        if a.isEmpty || b.isEmpty { return max(a.count, b.count) }
        var before = [Int](repeating: 0, count: b.count + 1)
        var previous = Array(0...b.count)
        var current = [Int](repeating: 0, count: b.count + 1)
        for i in 1...a.count {
            current[0] = i
            var rowMinimum = current[0]
            for j in 1...b.count {
                let cost = a[i - 1] == b[j - 1] ? 0 : 1
                var value = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
                if i > 1, j > 1, a[i - 1] == b[j - 2], a[i - 2] == b[j - 1] { value = min(value, before[j - 2] + 1) }
                current[j] = value
                rowMinimum = min(rowMinimum, value)
            }
            if rowMinimum > limit { return limit + 1 }
            (before, previous, current) = (previous, current, before)
        }
        return previous[b.count]
    }
}
