/// The rules of an HTML body's own style sheets (its `<style>` elements) that may hide text, so
/// text a class hides (`<style>.h{display:none}</style>CONFI<span class="h">zz</span>DENTIAL`)
/// is left out of the shown reading as text hidden by its own `style` attribute is.
///
/// Each selector is matched by its subject alone: the last compound (`span.h`, `.h`, `#h`,
/// `[title]`, `*`), its pseudo-classes dropped; what comes before a combinator (`div .h`,
/// `.a + .h`) and a media condition (`@media (max-width:600px)`) are not checked. So the reading
/// may hide more than a given mail program does, never less: a sender cannot keep a hidden
/// piece in the reading by writing a longer selector. That costs nothing in the other
/// direction, because the text with nothing hidden is always read as well (`HTMLText`).
/// Selectors of pseudo-elements (`.h::after`) style generated text, not the element's, and are
/// left out. A hand-written reader, not a CSS library: Debian has none for C that this needs,
/// and only selectors and declarations are read.
///
/// Bounded: `maximumCSS` bytes of style text, `maximumRules` rules that may hide, `maximumPerKey`
/// of them under one class, id or tag, groups nested `maximumDepth` deep, `maximumChecks`
/// rules tried for one element. Padding cannot push a hiding rule out of the reading: an
/// element under a class, id or tag that has more rules than the bound, or past the checks,
/// is taken as hidden; and past the other bounds (`overflowed`, the sheet is not read further)
/// so is every element with a class or an id, the handles a sheet's rules need.
struct HTMLStyleSheet {
    static let maximumCSS = 1 << 20
    static let maximumRules = 20_000
    static let maximumPerKey = 256
    static let maximumChecks = 4096
    /// How deeply conditional groups and nested rules are read (`@media{@media{…`).
    static let maximumDepth = 16

    /// One selector's subject: all its conditions must hold.
    struct Subject {
        var tag: String?
        var classes: [String] = []
        var id: String?
        var attributes: [AttributeCondition] = []
    }

    struct AttributeCondition {
        enum Match { case present, equals, word, prefix, suffix, contains, dashPrefix }
        var name: String
        var match: Match
        var value: String
    }

    private struct Rule {
        var subject: Subject
        var effect: HTMLText.StyleEffect
    }

    private var rules: [Rule] = []
    /// Rules by the key their subject is found under: its first class, else its id, else its
    /// tag; `universal` for the rest.
    private var byClass: [String: [Int]] = [:]
    private var byID: [String: [Int]] = [:]
    private var byTag: [String: [Int]] = [:]
    private var universal: [Int] = []

    /// Whether the sheet went past a bound: every element with a class or an id is then hidden.
    private(set) var overflowed = false
    /// Keys with more rules than `maximumPerKey`: their elements are hidden.
    private var crowdedClasses: Set<String> = []
    private var crowdedIDs: Set<String> = []
    private var crowdedTags: Set<String> = []

    var isEmpty: Bool { rules.isEmpty && !overflowed && crowdedTags.isEmpty && crowdedClasses.isEmpty && crowdedIDs.isEmpty }

    init(css: String) {
        if css.utf8.count > Self.maximumCSS { overflowed = true }
        let text = Self.withoutComments(Substring(String(decoding: css.utf8.prefix(Self.maximumCSS), as: UTF8.self)))
        readBlock(Self.withNameEscapesRead(text), depth: 0)
    }

    /// What the rules that apply to `node` do together (nothing when none does).
    func effect(for node: XMLTree.Node) -> HTMLText.StyleEffect {
        var effect = HTMLText.StyleEffect()
        guard !isEmpty else { return effect }
        let classes = Set((node.attribute("class") ?? "").lowercased().split(whereSeparator: \.isWhitespace).map(String.init))
        let id = node.attribute("id")?.lowercased()
        let tag = node.name.lowercased()
        let hidden = HTMLText.StyleEffect(hides: true)
        if overflowed, !classes.isEmpty || id != nil { return hidden }
        if crowdedTags.contains(tag) || id.map(crowdedIDs.contains) == true || !classes.isDisjoint(with: crowdedClasses) { return hidden }
        var checks = 0
        func apply(_ bucket: [Int]?) -> Bool {
            for index in bucket ?? [] {
                checks += 1
                if checks > Self.maximumChecks { return false }
                if Self.matches(rules[index].subject, tag: tag, classes: classes, id: id, node: node) { effect.add(rules[index].effect) }
            }
            return true
        }
        guard apply(universal), apply(byTag[tag]), apply(id.flatMap { byID[$0] }) else { return hidden }
        for name in classes where !apply(byClass[name]) { return hidden }
        return effect
    }

    private static func matches(_ subject: Subject, tag: String, classes: Set<String>, id: String?, node: XMLTree.Node) -> Bool {
        if let wanted = subject.tag, wanted != tag { return false }
        if let wanted = subject.id, wanted != id { return false }
        for wanted in subject.classes where !classes.contains(wanted) { return false }
        for condition in subject.attributes {
            guard let value = node.attribute(condition.name) else { return false }
            let have = value.lowercased()
            switch condition.match {
            case .present: continue
            case .equals: if have != condition.value { return false }
            case .word: if !have.split(whereSeparator: \.isWhitespace).contains(Substring(condition.value)) { return false }
            case .prefix: if condition.value.isEmpty || !have.hasPrefix(condition.value) { return false }
            case .suffix: if condition.value.isEmpty || !have.hasSuffix(condition.value) { return false }
            case .contains: if condition.value.isEmpty || !have.contains(condition.value) { return false }
            case .dashPrefix: if have != condition.value && !have.hasPrefix(condition.value + "-") { return false }
            }
        }
        return true
    }

    // MARK: Reading the style text

    /// Reads rules and at-rules. The rules inside a conditional group (`@media`, `@supports`,
    /// `@layer`, `@container`, `@document`) are read as if at the top; other at-rules
    /// (`@font-face`, `@keyframes`, `@page`, `@import`) hold no rules for elements.
    private mutating func readBlock(_ text: Substring, depth: Int) {
        guard depth < Self.maximumDepth else {
            overflowed = true
            return
        }
        var rest = text
        while !overflowed {
            rest = rest.drop { $0.isWhitespace }
            guard !rest.isEmpty else { return }
            guard let open = Self.firstOutsideStrings(of: ["{", ";", "}"], in: rest) else { return }
            let prelude = rest[rest.startIndex..<open].trimmingWhitespace
            if rest[open] != "{" {
                // A statement at-rule (`@import …;`) or a stray brace: step over it.
                rest = rest[rest.index(after: open)...]
                continue
            }
            let bodyStart = rest.index(after: open)
            let close = Self.matchingBrace(in: rest[bodyStart...]) ?? rest.endIndex
            let body = rest[bodyStart..<close]
            rest = close < rest.endIndex ? rest[rest.index(after: close)...] : rest[rest.endIndex...]
            if prelude.hasPrefix("@") {
                let name = prelude.dropFirst().prefix { $0.isLetter || $0 == "-" }.lowercased()
                if ["media", "supports", "layer", "container", "document", "-moz-document", "scope", "starting-style"].contains(name) {
                    readBlock(body, depth: depth + 1)
                }
                continue
            }
            add(selectors: prelude, declarations: body, depth: depth)
        }
    }

    private mutating func add(selectors: Substring, declarations: Substring, depth: Int) {
        // CSS nesting: rules inside a rule apply to its descendants; read them as rules of their
        // own, and the rule's own declarations as those before the first of them.
        var own = declarations
        if let nested = Self.firstOutsideStrings(of: ["{"], in: declarations) {
            readBlock(declarations, depth: depth + 1)
            let before = declarations[declarations.startIndex..<nested]
            own = before.lastIndex(of: ";").map { before[before.startIndex..<$0] } ?? ""
        }
        // Only rules that may hide text, alone or beside another, are kept: most of a sheet
        // sets fonts, margins and colours.
        let effect = HTMLText.styleEffect(String(own))
        guard effect.mayHide else { return }
        for selector in Self.splitOutsideBrackets(selectors) {
            guard !overflowed, let subject = Self.subject(of: selector.trimmingWhitespace) else { continue }
            let index = rules.count
            if let first = subject.classes.first {
                guard !crowdedClasses.contains(first) else { continue }
                byClass[first, default: []].append(index)
                if byClass[first]!.count > Self.maximumPerKey { crowdedClasses.insert(first) }
            } else if let id = subject.id {
                guard !crowdedIDs.contains(id) else { continue }
                byID[id, default: []].append(index)
                if byID[id]!.count > Self.maximumPerKey { crowdedIDs.insert(id) }
            } else if let tag = subject.tag {
                guard !crowdedTags.contains(tag) else { continue }
                byTag[tag, default: []].append(index)
                if byTag[tag]!.count > Self.maximumPerKey { crowdedTags.insert(tag) }
            } else {
                universal.append(index)
                if universal.count > Self.maximumPerKey { overflowed = true }
            }
            rules.append(Rule(subject: subject, effect: effect))
            if rules.count > Self.maximumRules { overflowed = true }
        }
    }

    /// The style text with each escape that stands for a letter, digit, `-` or `_` read
    /// (`disp\6c ay`, `n\6f ne`, `sp\61n`), as a browser reads names and keywords; other
    /// escapes (`\7b`, a brace) are kept, so they cannot change the sheet's shape.
    private static func withNameEscapesRead(_ text: Substring) -> Substring {
        guard text.contains("\\") else { return text }
        var result = ""
        var index = text.startIndex
        while index < text.endIndex {
            let character = text[index]
            guard character == "\\", text.index(after: index) < text.endIndex else {
                result.append(character)
                index = text.index(after: index)
                continue
            }
            let next = text.index(after: index)
            let hex = text[next...].prefix(6).prefix { $0.isHexDigit }
            var decoded: Character?
            var after = text.index(after: next)
            if !hex.isEmpty, let value = UInt32(hex, radix: 16), let scalar = Unicode.Scalar(value) {
                decoded = Character(scalar)
                after = hex.endIndex
                if after < text.endIndex, text[after] == " " || text[after] == "\t" || text[after] == "\n" { after = text.index(after: after) }
            } else if hex.isEmpty {
                decoded = text[next]
            }
            if let decoded, decoded.isASCII, decoded.isLetter || decoded.isNumber || decoded == "-" || decoded == "_" {
                result.append(decoded)
                index = after
            } else {
                result.append(character)
                index = next
            }
        }
        return Substring(result)
    }

    /// The subject of one selector: its last compound, read; nil for a pseudo-element's
    /// selector or one this reader cannot read.
    static func subject(of selector: Substring) -> Subject? {
        // The last compound: after the last combinator (white space, `>`, `+`, `~`) outside
        // brackets and parentheses.
        var depth = 0
        var start = selector.startIndex
        var index = selector.startIndex
        var quote: Character?
        while index < selector.endIndex {
            let character = selector[index]
            if let open = quote {
                if character == open { quote = nil }
            } else if character == "\"" || character == "'" {
                quote = character
            } else if character == "[" || character == "(" {
                depth += 1
            } else if character == "]" || character == ")" {
                depth = max(0, depth - 1)
            } else if depth == 0, character.isWhitespace || character == ">" || character == "+" || character == "~" {
                start = selector.index(after: index)
            }
            index = selector.index(after: index)
        }
        let compound = selector[start...]
        guard !compound.isEmpty else { return nil }
        var subject = Subject()
        var rest = compound
        if let first = rest.first, first == "*" {
            rest = rest.dropFirst()
        } else {
            let tag = rest.prefix { $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" }
            if !tag.isEmpty { subject.tag = tag.lowercased() }
            rest = rest[tag.endIndex...]
        }
        while let marker = rest.first {
            rest = rest.dropFirst()
            switch marker {
            case ".", "#":
                guard let (name, after) = identifier(in: rest) else { return nil }
                if marker == "." { subject.classes.append(name.lowercased()) } else { subject.id = name.lowercased() }
                rest = after
            case "[":
                guard let close = rest.firstIndex(of: "]"), let condition = attributeCondition(rest[rest.startIndex..<close]) else { return nil }
                subject.attributes.append(condition)
                rest = rest[rest.index(after: close)...]
            case ":":
                // A pseudo-element (`::after`, `:before`) styles generated text: not this text.
                let written = rest.prefix { $0.isLetter || $0 == "-" || $0 == ":" }
                let name = written.lowercased()
                if name.hasPrefix(":") || ["before", "after", "first-line", "first-letter", "marker", "placeholder", "selection"].contains(name) {
                    return nil
                }
                // A pseudo-class (`:hover`, `:not(.x)`, `:nth-child(2)`) is not checked.
                rest = rest[written.endIndex...]
                if rest.first == "(" {
                    guard let close = matchingParenthesis(in: rest) else { return nil }
                    rest = rest[rest.index(after: close)...]
                }
            default:
                return nil
            }
        }
        return subject
    }

    /// A class or id name at the start of `text`, its escapes read (`\68 ` and `\h` are `h`),
    /// and the text after it.
    private static func identifier(in text: Substring) -> (String, Substring)? {
        var name = ""
        var index = text.startIndex
        while index < text.endIndex {
            let character = text[index]
            if character == "\\" {
                index = text.index(after: index)
                guard index < text.endIndex else { break }
                let hex = text[index...].prefix(6).prefix { $0.isHexDigit }
                if !hex.isEmpty, let value = UInt32(hex, radix: 16) {
                    name.unicodeScalars.append(Unicode.Scalar(value) ?? "\u{FFFD}")
                    index = hex.endIndex
                    if index < text.endIndex, text[index].isWhitespace { index = text.index(after: index) }
                } else {
                    name.append(text[index])
                    index = text.index(after: index)
                }
            } else if character.isLetter || character.isNumber || character == "-" || character == "_" || !character.isASCII {
                name.append(character)
                index = text.index(after: index)
            } else {
                break
            }
        }
        return name.isEmpty ? nil : (name, text[index...])
    }

    private static func attributeCondition(_ text: Substring) -> AttributeCondition? {
        let operators: [(String, AttributeCondition.Match)] = [
            ("~=", .word), ("^=", .prefix), ("$=", .suffix), ("*=", .contains), ("|=", .dashPrefix), ("=", .equals),
        ]
        for (symbol, match) in operators {
            guard let range = text.firstRange(of: symbol) else { continue }
            let name = text[text.startIndex..<range.lowerBound].trimmingWhitespace.lowercased()
            var value = text[range.upperBound...].trimmingWhitespace
            // A case flag (`[title="x" i]`) is ignored: values are compared lower-cased.
            if value.hasSuffix(" i") || value.hasSuffix(" s") { value = value.dropLast(2).trimmingWhitespace }
            if let first = value.first, first == "\"" || first == "'", value.count >= 2, value.last == first {
                value = value.dropFirst().dropLast()
            }
            guard !name.isEmpty else { return nil }
            return AttributeCondition(name: name, match: match, value: value.lowercased())
        }
        let name = text.trimmingWhitespace.lowercased()
        return name.isEmpty ? nil : AttributeCondition(name: name, match: .present, value: "")
    }

    /// The style text without its comments, nor the `<!--` and `-->` old mail programs wrap it in.
    private static func withoutComments(_ text: Substring) -> Substring {
        let text = text.contains("<!--") || text.contains("-->")
            ? Substring(text.replacing("<!--", with: " ").replacing("-->", with: " ")) : text
        guard text.contains("/*") else { return text }
        var result = ""
        var rest = text
        while let open = rest.firstRange(of: "/*") {
            result += rest[rest.startIndex..<open.lowerBound]
            guard let close = rest[open.upperBound...].firstRange(of: "*/") else { return Substring(result) }
            result += " "
            rest = rest[close.upperBound...]
        }
        result += rest
        return Substring(result)
    }

    /// The first of `characters` in `text` outside quoted strings.
    private static func firstOutsideStrings(of characters: Set<Character>, in text: Substring) -> Substring.Index? {
        var quote: Character?
        var index = text.startIndex
        while index < text.endIndex {
            let character = text[index]
            if let open = quote {
                if character == "\\" {
                    index = text.index(after: index)
                    if index == text.endIndex { return nil }
                } else if character == open || character.isNewline {
                    // A string ends at its quote, or (unfinished) at the line's end, as CSS reads it.
                    quote = nil
                }
            } else if character == "\"" || character == "'" {
                quote = character
            } else if characters.contains(character) {
                return index
            }
            index = text.index(after: index)
        }
        return nil
    }

    /// The `}` that closes a block whose `{` came just before `text`.
    private static func matchingBrace(in text: Substring) -> Substring.Index? {
        var depth = 0
        var rest = text
        while let index = firstOutsideStrings(of: ["{", "}"], in: rest) {
            if text[index] == "{" {
                depth += 1
            } else if depth == 0 {
                return index
            } else {
                depth -= 1
            }
            rest = text[text.index(after: index)...]
        }
        return nil
    }

    private static func matchingParenthesis(in text: Substring) -> Substring.Index? {
        var depth = 0
        for index in text.indices {
            if text[index] == "(" { depth += 1 }
            if text[index] == ")" {
                depth -= 1
                if depth == 0 { return index }
            }
        }
        return nil
    }

    /// The selectors of a list (`.a, span.b`), split at commas outside brackets and parentheses.
    private static func splitOutsideBrackets(_ text: Substring) -> [Substring] {
        var parts: [Substring] = []
        var depth = 0
        var start = text.startIndex
        for index in text.indices {
            switch text[index] {
            case "(", "[": depth += 1
            case ")", "]": depth = max(0, depth - 1)
            case "," where depth == 0:
                parts.append(text[start..<index])
                start = text.index(after: index)
            default: break
            }
        }
        parts.append(text[start...])
        return parts
    }
}

private extension Substring {
    var trimmingWhitespace: Substring {
        guard let first = firstIndex(where: { !$0.isWhitespace }), let last = lastIndex(where: { !$0.isWhitespace }) else {
            return self[endIndex...]
        }
        return self[first...last]
    }
}
