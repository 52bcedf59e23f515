import CStewardGMime

/// Plain text sent as `format=flowed` (RFC 3676) as the mail programs that know it show it: a
/// line that ends in a space is a soft break, joined to the next line of the same quotation
/// depth; with `delsp=yes` the space itself is taken out too. So `CONFI⎵⏎DENTIAL` with
/// `delsp=yes` reads CONFIDENTIAL, as Thunderbird and Apple Mail show it. Written here because
/// GMime has no filter for format=flowed.
enum FlowedText {
    struct Format {
        var delSp: Bool

        /// The part's format parameters, or nil when it is not `format=flowed`.
        init?(of object: UnsafeMutablePointer<GMimeObject>) {
            guard GMimeBytes.string(g_mime_object_get_content_type_parameter(object, "format"))?.lowercased() == "flowed" else { return nil }
            delSp = GMimeBytes.string(g_mime_object_get_content_type_parameter(object, "delsp"))?.lowercased() == "yes"
        }

        init(delSp: Bool) { self.delSp = delSp }
    }

    static func unwrap(_ text: String, format: Format) -> String {
        var result = ""
        result.reserveCapacity(text.utf8.count)
        var open: (depth: Int, text: String)?
        func close() {
            guard let paragraph = open else { return }
            if paragraph.depth > 0 { result += String(repeating: ">", count: paragraph.depth) + " " }
            result += paragraph.text
            result += "\n"
            open = nil
        }
        // CRLF is one Character in Swift: split on it as well as on a bare LF.
        var lines = text.split(omittingEmptySubsequences: false, whereSeparator: { $0 == "\n" || $0 == "\r\n" })
        let endsWithBreak = lines.last?.isEmpty == true
        if endsWithBreak { lines.removeLast() }
        for raw in lines {
            var line = raw.hasSuffix("\r") ? raw.dropLast() : raw
            let depth = line.prefix { $0 == ">" }.count
            line = line.dropFirst(depth)
            if line.hasPrefix(" ") { line = line.dropFirst() }  // space-stuffing
            // A signature separator is never soft.
            let soft = line.hasSuffix(" ") && line != "-- "
            if let paragraph = open, paragraph.depth != depth { close() }
            var piece = line
            if soft, format.delSp { piece = piece.dropLast() }
            if open == nil { open = (depth, "") }
            open?.text += piece
            if !soft { close() }
        }
        close()
        if !endsWithBreak, result.hasSuffix("\n") { result.removeLast() }
        return result
    }
}
