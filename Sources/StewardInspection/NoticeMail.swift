public import Foundation
import CStewardGMime

/// A plain-text mail Steward writes itself (a notice), built as a real MIME message by GMime:
/// the subject RFC 2047-encoded and folded when it needs to be, the addresses as mailboxes, the
/// text as a `text/plain` part (charset us-ascii or utf-8, 7bit/8bit, or quoted-printable when
/// a line is too long for SMTP; GMime chooses). Nothing is pasted into a header by hand, so no text can end a
/// header early or start a new one.
public struct NoticeMail: Sendable {
    public var fromName: String
    public var fromAddress: String
    public var toAddress: String
    public var subject: String
    public var text: String
    public var date: Date
    public var messageID: String
    /// Further headers (`Auto-Submitted`, …), values encoded by GMime like the subject.
    public var headers: [(name: String, value: String)]

    public init(
        fromName: String, fromAddress: String, toAddress: String, subject: String, text: String, date: Date,
        messageID: String, headers: [(name: String, value: String)] = []
    ) {
        self.fromName = fromName
        self.fromAddress = fromAddress
        self.toAddress = toAddress
        self.subject = subject
        self.text = text
        self.date = date
        self.messageID = messageID
        self.headers = headers
    }

    /// The message, CRLF line ends.
    public func bytes() -> [UInt8] {
        GMimeRuntime.ensureInitialised()
        guard let message = g_mime_message_new(1) else { return [] }
        defer { steward_unref(message) }
        let object = steward_message_as_object(message)
        g_mime_message_add_mailbox(message, GMIME_ADDRESS_TYPE_FROM, fromName, fromAddress)
        g_mime_message_add_mailbox(message, GMIME_ADDRESS_TYPE_TO, nil, toAddress)
        g_mime_message_set_subject(message, subject, "utf-8")
        if let when = g_date_time_new_from_unix_utc(gint64(date.timeIntervalSince1970)) {
            g_mime_message_set_date(message, when)
            g_date_time_unref(when)
        }
        g_mime_message_set_message_id(message, messageID)
        for header in headers { g_mime_object_set_header(object, header.name, header.value, "utf-8") }

        guard let part = g_mime_text_part_new_with_subtype("plain") else { return [] }
        defer { steward_unref(part) }
        // LF inside: GMime writes each line end as CRLF below.
        g_mime_text_part_set_text(part, text.replacingOccurrences(of: "\r\n", with: "\n"))
        g_mime_object_encode(steward_text_part_as_object(part), GMIME_ENCODING_CONSTRAINT_8BIT)
        g_mime_message_set_mime_part(message, steward_text_part_as_object(part))

        guard let stream = g_mime_stream_mem_new() else { return [] }
        defer { steward_unref(stream) }
        let options = g_mime_format_options_new()
        defer { g_mime_format_options_free(options) }
        g_mime_format_options_set_newline_format(options, GMIME_NEWLINE_FORMAT_DOS)
        g_mime_object_write_to_stream(object, options, stream)
        return GMimeBytes.contents(ofMemoryStream: stream)
    }
}
