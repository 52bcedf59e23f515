import Foundation

/// A header as the message carries it: its name, its value as raw bytes (folding kept), and
/// its position among the message's headers.
public struct RawHeader: Sendable, Hashable {
    public var name: String
    /// The value exactly as received, after the colon (leading space and folding kept).
    public var rawValue: [UInt8]
    /// The value with RFC 2047 encoded words decoded, as a mail program shows it; set by
    /// inspection only when the value has encoded words.
    public var decoded: String?

    public init(name: String, rawValue: [UInt8], decoded: String? = nil) {
        self.name = name
        self.rawValue = rawValue
        self.decoded = decoded
    }

    /// The value as a person reads it: decoded when it has encoded words, else `value`.
    public var text: String { decoded ?? value }

    /// The value as text: leading white space dropped, folding unfolded, bytes read as UTF-8
    /// (invalid sequences repaired) so 8-bit headers never fail.
    public var value: String {
        var text = String(decoding: rawValue, as: UTF8.self)
        text = text.replacingOccurrences(of: "\r\n", with: "\n")
        text = text.split(separator: "\n", omittingEmptySubsequences: false)
            .map { $0.drop(while: { $0 == " " || $0 == "\t" }) }
            .joined(separator: " ")
        return text
    }
}

/// One node of the MIME tree as Steward sees it.
public struct MessagePart: Sendable, Hashable {
    /// Where a person finds this part, e.g. `[2, 1]` for "attachment 2 > part 1".
    public var path: [Int]
    /// Declared content type, lower-cased (`text/plain`), as the part's header says.
    public var contentType: String
    /// Declared file name, decoded (RFC 2231 continuations, RFC 2047 words), if any.
    public var filename: String?
    /// Every other name the part's headers give it (a second `filename` or `name` parameter,
    /// a `name` that disagrees with `filename`, their RFC 2231 and RFC 2047 forms), decoded,
    /// without `filename` itself. A mail client may show or save the part under any of them,
    /// so rules judge the part under each.
    public var otherNames: [String]
    /// `attachment`, `inline`, or nil when the part has no Content-Disposition.
    public var disposition: String?
    /// Declared charset for text parts.
    public var charset: String?
    /// True type by content (libmagic), as a MIME type (`application/x-dosexec`).
    public var trueType: String?
    /// libmagic's description (`PE32 executable (GUI) Intel 80386, for MS Windows`).
    public var trueTypeDescription: String?
    /// Decoded bytes of a leaf part (transfer encoding removed), in memory or, when larger than
    /// the in-memory threshold, in a spool file. Empty for containers.
    public var content: PartContent
    /// Text for searching: text/plain and text/html converted to UTF-8 from the declared charset.
    public var text: String?
    /// How the part came to be: a MIME leaf, a multipart container, an attached message, or a
    /// uuencoded or yEnc block found inside a text part.
    public var origin: Origin
    /// Child parts (multipart members, the body of an attached message, archive members).
    public var children: [MessagePart]
    /// What inspection noticed in the content that a rule may care about (encryption, macros,
    /// scripts), found once per message so families need not search bytes again per branch.
    public var markers: [ContentMarker]
    /// Text a person would read in this part when it is a document or an HTML body (office
    /// documents, OpenDocument, RTF, PDF, CSV and other text attachments; HTML with tags
    /// stripped and entities decoded), in pieces that say where each piece stands (sheet and
    /// cell, header, footer, document property). Nil for plain-text bodies (their `text` is
    /// read as it is) and for parts that hold no readable text.
    public var documentText: DocumentText?
    /// The headers of an attached message, in order (empty for other parts): a forwarded
    /// message's Subject and classification headers count for confidential markers, as its
    /// body does, but never for impersonation.
    public var messageHeaders: [RawHeader]

    public enum Origin: String, Sendable, Hashable, Codable {
        case leaf, multipart, message, uuencoded
        /// A file inside an archive (zip, 7z, tar, …) that inspection opened; `filename` is
        /// its name in the archive. Also a file carried inside another file (data after a
        /// picture's end, an object embedded in RTF), named for what it is.
        case archiveMember
    }

    public init(
        path: [Int], contentType: String, filename: String? = nil, disposition: String? = nil,
        charset: String? = nil, trueType: String? = nil, trueTypeDescription: String? = nil,
        content: [UInt8] = [], text: String? = nil, origin: Origin = .leaf, children: [MessagePart] = [],
        markers: [ContentMarker] = [],
        documentText: DocumentText? = nil, otherNames: [String] = [], messageHeaders: [RawHeader] = []
    ) {
        self.path = path
        self.contentType = contentType
        self.filename = filename
        self.disposition = disposition
        self.charset = charset
        self.trueType = trueType
        self.trueTypeDescription = trueTypeDescription
        self.content = PartContent(content)
        self.text = text
        self.origin = origin
        self.children = children
        self.markers = markers
        self.documentText = documentText
        self.otherNames = otherNames
        self.messageHeaders = messageHeaders
    }

    /// Every name the part carries: `filename` first, then `otherNames`.
    public var allNames: [String] { (filename.map { [$0] } ?? []) + otherNames }

    /// This part and every part below it, depth first, in message order.
    public var allParts: [MessagePart] {
        var result: [MessagePart] = [self]
        for child in children { result.append(contentsOf: child.allParts) }
        return result
    }

    /// A path a person can follow: `part 2 "minutes.zip" > part 1 "agenda.pdf"`.
    public var displayPath: String {
        let position = path.isEmpty ? "message body" : "part " + path.map(String.init).joined(separator: ".")
        if let filename { return "\(position) \"\(filename)\"" }
        return position
    }
}

/// An inspection limit that was reached. Reaching one is a finding, never a crash.
public struct LimitReached: Sendable, Hashable, Codable {
    public enum Kind: String, Sendable, Hashable, Codable {
        case depth, parts, bytes
        /// A container (archive) that is damaged or in a form that cannot be read.
        case unreadable
    }
    public var kind: Kind
    /// Plain words: what was reached and where.
    public var detail: String

    public init(kind: Kind, detail: String) {
        self.kind = kind
        self.detail = detail
    }
}

/// The message as inspection hands it to policy.
public struct InspectedMessage: Sendable {
    /// Top-level headers in the order they came, raw bytes kept.
    public var headers: [RawHeader]
    /// The MIME tree; its root is the whole message body.
    public var root: MessagePart
    /// Limits reached while walking the tree.
    public var limitsReached: [LimitReached]
    /// Size of the message in bytes.
    public var size: Int
    /// The Subject as a person reads it (RFC 2047 encoded words decoded); nil when there is none.
    public var subject: String?

    /// Mailboxes of the address headers, decoded by the MIME parser, by lower-cased header name
    /// (`from`, `sender`, `reply-to`, `mail-reply-to`). Empty when the message was not built by
    /// inspection.
    public var addresses: [String: [MailboxAddress]]
    /// Hosts of the links in the text parts (`LinkHosts`), lower-cased.
    public var linkHosts: [String]

    public init(
        headers: [RawHeader], root: MessagePart, limitsReached: [LimitReached] = [], size: Int,
        addresses: [String: [MailboxAddress]] = [:], linkHosts: [String]? = nil, subject: String? = nil
    ) {
        self.headers = headers
        self.root = root
        self.limitsReached = limitsReached
        self.size = size
        self.addresses = addresses
        self.linkHosts = linkHosts ?? LinkHosts.hosts(in: root)
        self.subject = subject
    }

    /// Every part of the tree, depth first.
    public var allParts: [MessagePart] { root.allParts }

    /// Values of every header with this name (case-insensitive), in order.
    public func headerValues(_ name: String) -> [String] { headers.values(named: name) }
    /// The same values as a person reads them (RFC 2047 encoded words decoded).
    public func headerTexts(_ name: String) -> [String] { headers.texts(named: name) }
}

extension [RawHeader] {
    /// Values of every header with this name (case-insensitive), in order: a message's own
    /// headers, or an attached message's (`MessagePart.messageHeaders`).
    public func values(named name: String) -> [String] {
        let lower = name.lowercased()
        return filter { $0.name.lowercased() == lower }.map(\.value)
    }

    /// Values of every header with this name, as a person reads them (`RawHeader.text`).
    public func texts(named name: String) -> [String] {
        let lower = name.lowercased()
        return filter { $0.name.lowercased() == lower }.map(\.text)
    }
}
