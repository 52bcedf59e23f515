/// The prefixes mail programs put before a subject they reply to or forward, and the banners
/// mail gateways put before it, so a marked subject is judged as it was first written
/// ("FW: Confidential - pay offer", "[EXTERNAL] Confidential - pay offer").
enum ReplyPrefixes {
    /// Reply, forward and calendar-answer prefixes in the languages members' programs use:
    /// English, German (AW, WG), Nordic (SV, VS, VB), Romance (TR, RIF, ENC, RV, R, I, RES),
    /// Polish (ODP, PD), Turkish (YNT, ILT), Dutch (ANTW, DOORST), Hungarian (VÁ, TOV), Welsh
    /// (ATEB, YML), Greek, Russian, Chinese, Japanese and Korean.
    static let replies = keys([
        "RE", "FW", "FWD", "AW", "WG", "SV", "VS", "VB", "TR", "RIF", "ENC", "RV", "R", "I", "ODP", "PD", "YNT", "ILT",
        "ANTW", "ANTWORT", "RES", "REF", "TRS", "WTR", "FS", "DOORST", "DOORSTUREN", "VL", "VÁ", "TOV", "TOVÁBBÍTÁS",
        "ATEB", "YML", "ΑΠ", "ΣΧΕΤ", "ΠΡΘ", "ΠΡΟΩΘ", "ОТВЕТ", "ПЕРЕСЛ", "回复", "回覆", "答复", "转发", "轉寄", "轉發",
        "返信", "転送", "회신", "답장", "전달", "FYI", "REMINDER", "ACCEPTED", "DECLINED", "TENTATIVE", "UPDATED", "CANCELED", "CANCELLED",
    ])
    /// The Subject field's name in the languages mail programs write forwarded headers in.
    static let subjectFields = keys(["SUBJECT", "BETREFF", "OBJET", "ASUNTO", "OGGETTO", "ONDERWERP", "ÄMNE", "EMNE", "AIHE", "TEMAT", "ASSUNTO", "KONU", "PWNC", "ТЕМА", "主题", "件名", "제목"])

    /// Replies that programs also write with a dash ("Re - ", "FW-").
    static let dashReplies = keys(["RE", "FW", "FWD"])
    /// Words that open a gateway's banner ("EXTERNAL:", "CAUTION -", "***SPAM***").
    static let bannerOpeners = keys(["EXTERNAL", "EXT", "EXTERNE", "EXTERN", "CAUTION", "WARNING", "URGENT", "IMPORTANT", "SPAM", "SUSPICIOUS"])
    /// Words that may follow an opener in a banner ("EXTERNAL EMAIL:", "CAUTION EXTERNAL SENDER:"),
    /// never a prefix alone ("Message: Members only" is a field).
    static let bannerWords = keys(["EXTERNAL", "EMAIL", "E-MAIL", "MAIL", "SENDER", "MESSAGE"])

    /// Each word as a line reads it (`MarkerText`: Greek `ΑΠ` reads `AΠ`), in capitals, small
    /// letters and with a capital first, then upper-cased past ASCII as `key` does.
    private static func keys(_ words: [String]) -> Set<[UInt8]> {
        Set(words.flatMap { word in
            [word, word.lowercased(), word.prefix(1) + word.dropFirst().lowercased()].map { key(MarkerText(Substring($0)).upper[...]) }
        })
    }

    /// A word of a line's matching form (`MarkerText.upper`, upper-case ASCII) as compared: its
    /// letters past ASCII upper-cased too.
    static func key(_ word: ArraySlice<UInt8>) -> [UInt8] {
        guard word.contains(where: { $0 >= 0x80 }) else { return Array(word) }
        return Array(String(decoding: word, as: UTF8.self).uppercased().utf8)
    }

    /// Bytes of a prefix's word: letters (past ASCII too, for 回复 or ΑΠ) and `-` (E-MAIL).
    static func isWordByte(_ byte: UInt8) -> Bool {
        (0x41...0x5A).contains(byte) || byte >= 0x80 || byte == UInt8(ascii: "-")
    }
}

extension MarkerText {
    /// The value of a line that is a Subject field, as mail programs write a forwarded
    /// message's headers into its text (`Subject:`, `Betreff:`, `Objet:`, `Asunto:`...,
    /// after `>` quoting), or nil.
    func afterSubjectField() -> MarkerText? {
        var i = 0
        while i < upper.count, upper[i] == UInt8(ascii: ">") || upper[i] == 0x20 || upper[i] == UInt8(ascii: "*") { i += 1 }
        var end = i
        while end < upper.count, ReplyPrefixes.isWordByte(upper[end]) { end += 1 }
        guard end > i, end < upper.count, upper[end] == UInt8(ascii: ":") || (upper[end] == UInt8(ascii: "*") && end + 1 < upper.count && upper[end + 1] == UInt8(ascii: ":")),
              ReplyPrefixes.subjectFields.contains(ReplyPrefixes.key(upper[i..<end])) else { return nil }
        var start = end + 1
        while start < upper.count, upper[start] == 0x20 || upper[start] == UInt8(ascii: ":") || upper[start] == UInt8(ascii: "*") { start += 1 }
        guard start < bytes.count else { return nil }
        return MarkerText(normalised: Array(bytes[start...]), readAsTyped: readAsTyped)
    }

    /// The line without the reply and forward prefixes it opens with (`FW: RE[2]:`), and with
    /// `banners` also without gateways' banners and bracketed tags (`[EXTERNAL]`,
    /// `**EXTERNAL**`, `CAUTION - EXTERNAL SENDER:`, `⚠ EXTERNAL:`); nil when it opens with none.
    func droppingReplyPrefixes(banners: Bool = true) -> MarkerText? {
        var i = 0
        var dropped = false
        func skipSpaces() {
            while i < upper.count, upper[i] == 0x20 || upper[i] == UInt8(ascii: ">") || (banners && upper[i] == MarkerText.symbol) { i += 1 }
        }
        while true {  // each pass moves `i` forward or stops
            skipSpaces()
            guard i < upper.count else { break }
            if banners, upper[i] == UInt8(ascii: "["), let close = upper[i...].firstIndex(of: UInt8(ascii: "]")) {
                // "[Fwd: Confidential - pay offer]", as older programs forward: the inside.
                if close == upper.count - 1, close > i + 1 {
                    var inner = MarkerText(normalised: Array(bytes[(i + 1)..<close]), readAsTyped: readAsTyped)
                    inner.standsApart = standsApart
                    return inner.droppingReplyPrefixes(banners: banners) ?? inner
                }
                i = close + 1
                dropped = true
                continue
            }
            if banners, let end = bannerInMarks(at: i) {
                i = end
                dropped = true
                continue
            }
            var end = i
            while end < upper.count, ReplyPrefixes.isWordByte(upper[end]) { end += 1 }
            while end > i, upper[end - 1] == UInt8(ascii: "-") { end -= 1 }  // "FW-": the dash is the separator
            guard end > i else { break }
            let word = ReplyPrefixes.key(upper[i..<end])
            var next = end
            var separators: Set<UInt8> = [UInt8(ascii: ":")]
            if banners, ReplyPrefixes.bannerOpeners.contains(word) {
                next = pastBannerWords(from: end)
                separators = [UInt8(ascii: ":"), UInt8(ascii: "-"), UInt8(ascii: "|")]
            } else if ReplyPrefixes.replies.contains(word) {
                // A count: RE[2]: or RE(2):
                if next < upper.count, upper[next] == UInt8(ascii: "[") || upper[next] == UInt8(ascii: "(") {
                    var digits = next + 1
                    while digits < upper.count, (0x30...0x39).contains(upper[digits]) { digits += 1 }
                    if digits > next + 1, digits < upper.count, upper[digits] == UInt8(ascii: "]") || upper[digits] == UInt8(ascii: ")") { next = digits + 1 }
                }
                if ReplyPrefixes.dashReplies.contains(word) { separators.insert(UInt8(ascii: "-")) }
            } else {
                break
            }
            while next < upper.count, upper[next] == 0x20 { next += 1 }
            guard next < upper.count, separators.contains(upper[next]) else { break }
            i = next + 1
            dropped = true
        }
        guard dropped, i <= bytes.count else { return nil }
        var rest = Array(bytes[i...])
        while rest.first == 0x20 { rest.removeFirst() }
        guard !rest.isEmpty else { return nil }
        var bare = MarkerText(normalised: rest, readAsTyped: readAsTyped)
        bare.standsApart = standsApart
        return bare
    }

    /// Past the banner words after an opener at `end` ("EXTERNAL| EMAIL", "CAUTION| EXTERNAL SENDER").
    private func pastBannerWords(from end: Int) -> Int {
        var next = end
        while next < upper.count, upper[next] == 0x20 {
            var wordEnd = next + 1
            while wordEnd < upper.count, ReplyPrefixes.isWordByte(upper[wordEnd]) { wordEnd += 1 }
            guard wordEnd > next + 1, ReplyPrefixes.bannerWords.contains(ReplyPrefixes.key(upper[(next + 1)..<wordEnd])) else { break }
            next = wordEnd
        }
        return next
    }

    /// The offset past a banner set off by asterisks or brackets at `i` (`**EXTERNAL**`,
    /// `*EXTERNAL*`, `(EXTERNAL)`, `<EXTERNAL>`, `{EXTERNAL}`, `***SPAM***`), with a `:`, `-` or
    /// `|` after it if there is one.
    private func bannerInMarks(at i: Int) -> Int? {
        let openers: Set<UInt8> = Set("*(<{".utf8), closers: Set<UInt8> = Set("*)>}".utf8)
        let opening = upper[i...].prefix { openers.contains($0) }
        guard !opening.isEmpty else { return nil }
        var end = opening.endIndex
        while end < upper.count, ReplyPrefixes.isWordByte(upper[end]) { end += 1 }
        guard end > opening.endIndex, ReplyPrefixes.bannerOpeners.contains(ReplyPrefixes.key(upper[opening.endIndex..<end])) else { return nil }
        end = pastBannerWords(from: end)
        let closing = upper[end...].prefix { closers.contains($0) }
        guard !closing.isEmpty else { return nil }
        var next = closing.endIndex
        while next < upper.count, upper[next] == 0x20 { next += 1 }
        if next < upper.count, [UInt8(ascii: ":"), UInt8(ascii: "-"), UInt8(ascii: "|")].contains(upper[next]) { next += 1 }
        return next
    }
}
