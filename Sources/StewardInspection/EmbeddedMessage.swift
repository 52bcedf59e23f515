import CStewardGMime
import StewardCore

/// Whether a part's content is an RFC 5322 message, whatever its declared type: a header block
/// that a mail client would read as one — header lines from the first byte, among them at
/// least one that only messages carry, then an empty line.
enum EmbeddedMessageSniff {
    /// Header names that make a header block a message's (a `Content-Type:` line alone is
    /// not enough: a MIME body part starts with one too).
    static let messageHeaders: Set<String> = [
        "from", "to", "cc", "subject", "date", "message-id", "received", "return-path",
        "mime-version", "reply-to", "sender", "delivered-to", "x-mailer", "user-agent",
    ]

    static func isMessage(_ part: MessagePart) -> Bool {
        guard part.origin == .leaf || part.origin == .archiveMember, !part.content.isEmpty else { return false }
        // A message declared `message/rfc822` is walked by GMime already and never reaches here
        // as a leaf. The body text of the message itself (a plain part that is neither an
        // attachment nor named) is what the reader reads, not a file they open: left as text.
        if part.origin == .leaf, part.contentType.hasPrefix("text/"), part.disposition != "attachment", part.filename == nil {
            return false
        }
        // libmagic's "RFC 822 mail" needs the same header block, so the block decides alone.
        return looksLikeHeaderBlock(part.content.head)
    }

    /// Header lines (`Name: value`, folded continuations) from the start, at least two of them,
    /// one a message header, ended by an empty line within the head.
    static func looksLikeHeaderBlock(_ head: ArraySlice<UInt8>) -> Bool {
        var lines = head.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false)[...]
        // A "From " envelope line (mbox) may come first.
        if let first = lines.first, first.starts(with: Array("From ".utf8)) { lines = lines.dropFirst() }
        var count = 0
        var sawMessageHeader = false
        for var line in lines {
            if line.last == UInt8(ascii: "\r") { line = line.dropLast() }
            if line.isEmpty { return count >= 2 && sawMessageHeader }
            if line.first == UInt8(ascii: " ") || line.first == UInt8(ascii: "\t") {
                if count == 0 { return false }
                continue
            }
            guard let colon = line.firstIndex(of: UInt8(ascii: ":")), colon > line.startIndex else { return false }
            let name = line[line.startIndex..<colon]
            // RFC 5322 field names: printable ASCII but the colon, no space.
            guard name.allSatisfy({ (33...126).contains($0) }) else { return false }
            count += 1
            if messageHeaders.contains(String(decoding: name, as: UTF8.self).lowercased()) { sawMessageHeader = true }
        }
        return false
    }
}

/// Messages parsed from parts during one walk. The walk borrows their GMime objects, so they
/// live until the walker is gone.
final class EmbeddedMessages {
    /// Every GMime object parsed here (messages and parts), released with the walk.
    private var objects: [UnsafeMutableRawPointer] = []

    deinit {
        for object in objects { steward_unref(object) }
    }

    /// A whole message (headers, then a MIME body).
    func parse(_ bytes: [UInt8]) -> UnsafeMutablePointer<GMimeMessage>? {
        construct(bytes) { parser, options in
            g_mime_parser_set_format(parser, GMIME_FORMAT_MESSAGE)
            return g_mime_parser_construct_message(parser, options)
        }
    }

    /// A MIME entity (its own headers, then a body), such as the content of a signed message.
    func parsePart(_ bytes: [UInt8]) -> UnsafeMutablePointer<GMimeObject>? {
        construct(bytes) { parser, options in g_mime_parser_construct_part(parser, options) }
    }

    private func construct<Object>(
        _ bytes: [UInt8], _ build: (UnsafeMutablePointer<GMimeParser>, OpaquePointer) -> UnsafeMutablePointer<Object>?
    ) -> UnsafeMutablePointer<Object>? {
        guard !bytes.isEmpty, let options = Inspector.makeParserOptions() else { return nil }
        defer { g_mime_parser_options_free(options) }
        let bytes = ParserLineEnds.crlf(bytes)
        let stream = bytes.withUnsafeBufferPointer { buffer in
            buffer.baseAddress!.withMemoryRebound(to: CChar.self, capacity: buffer.count) {
                g_mime_stream_mem_new_with_buffer($0, buffer.count)
            }
        }
        guard let stream else { return nil }
        defer { steward_unref(stream) }
        guard let parser = g_mime_parser_new_with_stream(stream) else { return nil }
        defer { steward_unref(parser) }
        guard let object = build(parser, options) else { return nil }
        objects.append(UnsafeMutableRawPointer(object))
        return object
    }
}
