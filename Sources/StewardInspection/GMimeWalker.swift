import CStewardGMime
import Foundation
import StewardCore

/// Walks a parsed GMime message into Steward's `MessagePart` tree, within the limits.
///
/// The walk is iterative (an explicit stack, never recursion), so nesting depth costs heap,
/// not stack. GMime objects reached here are borrowed from the message, which the caller owns.
struct GMimeWalker {
    let limits: InspectionLimits
    let deadline: ContinuousClock.Instant
    let magic: MagicPool
    let spool: MessageSpoolFile

    private(set) var limitsReached: [LimitReached] = []
    /// Whether leaves get `documentText` (issue 5: only mail leaving the union needs it).
    var readDocumentText = true {
        didSet { archives.readDocumentText = readDocumentText }
    }
    private var partCount = 0
    private var decodedBytes = 0
    private var partsLimitReported = false
    private var bytesLimitReported = false
    private var archives: ArchiveExpander
    /// Messages found inside parts of other types, parsed here; their GMime objects are
    /// borrowed by the walk until it ends.
    private let embedded = EmbeddedMessages()

    init(limits: InspectionLimits, deadline: ContinuousClock.Instant, magic: MagicPool, spool: ContentSpool) {
        self.limits = limits
        self.deadline = deadline
        self.magic = magic
        let file = MessageSpoolFile(spool: spool)
        self.spool = file
        self.archives = ArchiveExpander(limits: limits, deadline: deadline, magic: magic, spool: file)
    }

    /// Something waiting to be turned into a node.
    private struct Pending {
        var object: UnsafeMutablePointer<GMimeObject>
        var path: [Int]
        var depth: Int
        var parent: Int
    }

    // MARK: Headers

    /// The message's top-level headers in order, values as raw bytes (folding and the space
    /// after the colon kept, the final line end dropped).
    ///
    /// GMime files a message's `Content-*` headers under its top MIME part and the rest under
    /// the message; both lists are in message order and carry stream offsets, so merging them
    /// by offset restores the order the message had.
    static func headers(of message: UnsafeMutablePointer<GMimeMessage>) -> [RawHeader] {
        let own = headers(in: g_mime_object_get_header_list(steward_message_as_object(message)))
        let body = g_mime_message_get_mime_part(message).map { headers(in: g_mime_object_get_header_list($0)) } ?? []
        var merged: [RawHeader] = []
        merged.reserveCapacity(own.count + body.count)
        var i = 0, j = 0
        while i < own.count || j < body.count {
            if j >= body.count || (i < own.count && own[i].offset <= body[j].offset) {
                merged.append(own[i].header)
                i += 1
            } else {
                merged.append(body[j].header)
                j += 1
            }
        }
        return merged
    }

    private static func headers(in list: UnsafeMutablePointer<GMimeHeaderList>?) -> [(header: RawHeader, offset: Int64)] {
        guard let list else { return [] }
        let count = g_mime_header_list_get_count(list)
        guard count > 0 else { return [] }
        var headers: [(header: RawHeader, offset: Int64)] = []
        headers.reserveCapacity(Int(count))
        for index in 0..<count {
            guard let header = g_mime_header_list_get_header_at(list, index) else { continue }
            let name = GMimeBytes.string(g_mime_header_get_raw_name(header) ?? g_mime_header_get_name(header)) ?? ""
            var value: [UInt8] = []
            if let raw = g_mime_header_get_raw_value(header) {
                value = Array(UnsafeRawBufferPointer(start: raw, count: strlen(raw)))
            }
            if value.last == UInt8(ascii: "\n") { value.removeLast() }
            if value.last == UInt8(ascii: "\r") { value.removeLast() }
            // Encoded words decoded by GMime, as a mail program shows them (X-Classification:
            // =?utf-8?B?...?=); looked up only when there may be one. Base64 words each on
            // their own (`EncodedWords`).
            var decoded: String?
            if value.firstRange(of: Array("=?".utf8)) != nil {
                decoded = EncodedWords.hasBase64Word(value) ? EncodedWords.decoded(value) : GMimeBytes.string(g_mime_header_get_value(header))
            }
            headers.append((RawHeader(name: name, rawValue: value, decoded: decoded), Int64(g_mime_header_get_offset(header))))
        }
        return headers
    }

    // MARK: Tree

    /// Builds the tree under `top` (the message's MIME part), or an empty text/plain body when
    /// the message has none.
    mutating func walk(top: UnsafeMutablePointer<GMimeObject>?) throws(InspectionError) -> MessagePart {
        guard let top else { return MessagePart(path: [], contentType: "text/plain") }

        // Nodes in creation (pre-)order, each with its parent's index; assembled at the end.
        var nodes: [MessagePart] = []
        var parents: [Int] = []
        var stack: [Pending] = [Pending(object: top, path: [], depth: 0, parent: -1)]

        while let item = stack.popLast() {
            try checkDeadline()
            guard takePart(at: item.path) else { break }

            var node = describe(item.object, path: item.path)
            let index = nodes.count

            if let multipart = steward_as_multipart(item.object) {
                node.origin = .multipart
                let count = Int(g_mime_multipart_get_count(multipart))
                if count > 0, allowDescent(below: node, depth: item.depth) {
                    for position in stride(from: count - 1, through: 0, by: -1) {
                        guard let child = g_mime_multipart_get_part(multipart, Int32(position)) else { continue }
                        stack.append(Pending(object: child, path: item.path + [position + 1], depth: item.depth + 1, parent: index))
                    }
                }
            } else if let messagePart = steward_as_message_part(item.object) {
                node.origin = .message
                if let attached = g_mime_message_part_get_message(messagePart) {
                    Self.describeAttached(attached, into: &node)
                    if let body = g_mime_message_get_mime_part(attached), allowDescent(below: node, depth: item.depth) {
                        stack.append(Pending(object: body, path: item.path + [1], depth: item.depth + 1, parent: index))
                    }
                }
            } else if let part = steward_as_part(item.object) {
                node.origin = .leaf
                node.content = try decodedContent(of: part, at: node)
                fillTypeAndText(&node, flowed: FlowedText.Format(of: item.object))
                nodes.append(node)
                parents.append(item.parent)
                try archives.expandIfArchive(at: index, nodes: &nodes, parents: &parents, into: &limitsReached)
                try addCarriedFiles(of: index, nodes: &nodes, parents: &parents)
                for member in (index + 1)..<nodes.count where nodes[member].origin == .archiveMember {
                    let depth = item.depth + nodes[member].path.count - item.path.count
                    if nodes[member].children.isEmpty, parents.lastIndex(of: member) == nil {
                        try addCarriedFiles(of: member, nodes: &nodes, parents: &parents)
                    }
                    if let body = try embeddedMessage(in: &nodes[member], depth: depth) {
                        stack.append(Pending(object: body, path: nodes[member].path + [1], depth: depth + 1, parent: member))
                    }
                }
                var body = try signedContent(of: nodes[index], depth: item.depth)
                if body == nil { body = try embeddedMessage(in: &nodes[index], depth: item.depth) }
                if let body {
                    stack.append(Pending(object: body, path: item.path + [1], depth: item.depth + 1, parent: index))
                } else if node.contentType == "text/plain" {
                    try addUuencodedChildren(of: nodes[index], index: index, depth: item.depth, nodes: &nodes, parents: &parents)
                }
                continue
            }
            nodes.append(node)
            parents.append(item.parent)
        }

        return Self.assemble(nodes: nodes, parents: parents)
    }

    // MARK: Files carried inside files

    /// Data after a picture's end and objects embedded in RTF become children of their part,
    /// judged like files in an archive (and opened, when they are archives themselves).
    private mutating func addCarriedFiles(of index: Int, nodes: inout [MessagePart], parents: inout [Int]) throws(InspectionError) {
        let carrier = nodes[index]
        let carried = CarriedFiles.files(in: carrier, maxBytes: limits.maxWholePartBytes)
        for (offset, file) in carried.enumerated() {
            try checkDeadline()
            let path = carrier.path + [offset + 1]
            guard takePart(at: path) else { return }
            guard decodedBytes + file.bytes.count <= limits.maxDecodedBytes else {
                reportBytesLimit(at: carrier)
                return
            }
            decodedBytes += file.bytes.count
            var child = MessagePart(path: path, contentType: "application/octet-stream", filename: file.name, content: file.bytes, origin: .archiveMember)
            fillTypeAndText(&child)
            nodes.append(child)
            parents.append(index)
            try archives.expandIfArchive(at: nodes.count - 1, nodes: &nodes, parents: &parents, into: &limitsReached)
        }
    }

    // MARK: Messages inside parts

    /// The headers and subject of an attached message, kept on its node: the subject as a
    /// piece of text for marker searches, the headers for classification labels.
    static func describeAttached(_ message: UnsafeMutablePointer<GMimeMessage>, into node: inout MessagePart) {
        node.messageHeaders = headers(of: message)
        if let subject = Self.subject(of: message, headers: node.messageHeaders), !subject.isEmpty {
            node.documentText = DocumentText(segments: [DocumentText.Segment(kind: .body, location: "its subject", text: subject)])
        }
    }

    /// The message's subject decoded as a mail program shows it (`EncodedWords` when it has a
    /// base64 word, else GMime's).
    static func subject(of message: UnsafeMutablePointer<GMimeMessage>, headers: [RawHeader]) -> String? {
        if let header = headers.first(where: { $0.name.lowercased() == "subject" }), EncodedWords.hasBase64Word(header.rawValue),
           let decoded = header.decoded {
            return decoded
        }
        return GMimeBytes.string(g_mime_message_get_subject(message))
    }

    /// A message carried by a part not declared `message/rfc822` (sent as
    /// `application/octet-stream`, `text/plain`, with no type, or named `.eml`) is still a
    /// message a reader can open: when the part's content is one, it is parsed and its MIME
    /// part returned to be walked as the part's child, like any attached message. The node
    /// gets the message's headers and subject.
    private mutating func embeddedMessage(in node: inout MessagePart, depth: Int) throws(InspectionError) -> UnsafeMutablePointer<GMimeObject>? {
        guard EmbeddedMessageSniff.isMessage(node), node.children.isEmpty else { return nil }
        guard let bytes = node.content.bytes(upTo: limits.maxWholePartBytes) else {
            limitsReached.append(WholePartTooLarge(what: "the message it holds").limit(at: node, limits: limits))
            return nil
        }
        guard let message = embedded.parse(bytes) else { return nil }
        Self.describeAttached(message, into: &node)
        guard let body = g_mime_message_get_mime_part(message), allowDescent(below: node, depth: depth) else { return nil }
        return body
    }

    /// The signed MIME entity inside an opaque S/MIME signed part (`application/pkcs7-mime;
    /// smime-type=signed-data`, `.p7m`), walked as the part's child: the signature hides
    /// nothing, so the content is inspected like any other part. Encrypted S/MIME is not
    /// SignedData and stays as it is.
    private mutating func signedContent(of node: MessagePart, depth: Int) throws(InspectionError) -> UnsafeMutablePointer<GMimeObject>? {
        let declared = node.contentType == "application/pkcs7-mime" || node.contentType == "application/x-pkcs7-mime"
            || (node.filename?.lowercased().hasSuffix(".p7m") ?? false)
        guard declared, node.content.head.first == 0x30 else { return nil }
        guard let der = node.content.bytes(upTo: limits.maxWholePartBytes) else {
            limitsReached.append(WholePartTooLarge(what: "its signed content").limit(at: node, limits: limits))
            return nil
        }
        guard let content = SignedData.content(der, maxBytes: limits.maxWholePartBytes),
              let entity = embedded.parsePart(content), allowDescent(below: node, depth: depth)
        else { return nil }
        return entity
    }

    /// Puts each node into its parent's children. In pre-order every descendant comes after
    /// its ancestor, so walking backwards completes each node before its parent takes it.
    static func assemble(nodes: [MessagePart], parents: [Int]) -> MessagePart {
        guard !nodes.isEmpty else { return MessagePart(path: [], contentType: "text/plain") }
        var nodes = nodes
        var reversedChildren: [[MessagePart]] = Array(repeating: [], count: nodes.count)
        for index in stride(from: nodes.count - 1, through: 1, by: -1) {
            nodes[index].children = reversedChildren[index].reversed()
            reversedChildren[index] = []
            reversedChildren[parents[index]].append(nodes[index])
            nodes[index] = MessagePart(path: [], contentType: "")  // drop the copy's buffers early
        }
        var root = nodes[0]
        root.children = reversedChildren[0].reversed()
        return root
    }

    // MARK: Part details

    /// Declared type, name, disposition and charset of any MIME object.
    private func describe(_ object: UnsafeMutablePointer<GMimeObject>, path: [Int]) -> MessagePart {
        var contentType = "application/octet-stream"
        if let type = g_mime_object_get_content_type(object), let mime = g_mime_content_type_get_mime_type(type) {
            contentType = (GMimeBytes.string(mime) ?? contentType).lowercased()
            g_free(mime)
        }
        var filename: String?
        if let part = steward_as_part(object) {
            filename = GMimeBytes.string(g_mime_part_get_filename(part))
        } else {
            filename = GMimeBytes.string(g_mime_object_get_content_disposition_parameter(object, "filename"))
                ?? GMimeBytes.string(g_mime_object_get_content_type_parameter(object, "name"))
        }
        let disposition = GMimeBytes.string(g_mime_object_get_disposition(object))?.lowercased()
        let charset = GMimeBytes.string(g_mime_object_get_content_type_parameter(object, "charset"))
        let raw = Self.headers(in: g_mime_object_get_header_list(object)).map(\.header)
        // A name in base64 words: GMime's decoding may stop at the first word (`EncodedWords`);
        // read as GMime chooses it (the disposition's `filename`, else the type's `name`).
        if filename != nil, raw.contains(where: { ["content-disposition", "content-type"].contains($0.name.lowercased()) && EncodedWords.hasBase64Word($0.rawValue) }) {
            let disposition = raw.first { $0.name.lowercased() == "content-disposition" }.flatMap { PartNames.names(inHeaderValue: $0.value, bases: ["filename"]).first }
            let type = raw.first { $0.name.lowercased() == "content-type" }.flatMap { PartNames.names(inHeaderValue: $0.value, bases: ["name"]).first }
            filename = disposition ?? type ?? filename
        }
        let kept = filename?.trimmingCharacters(in: .whitespaces)
        return MessagePart(
            path: path, contentType: contentType, filename: filename, disposition: disposition,
            charset: charset, origin: .leaf, otherNames: PartNames.all(in: raw).filter { $0 != kept && $0 != filename }
        )
    }

    /// `Content-Transfer-Encoding: uue`, which GMime does not know: Thunderbird decodes it as
    /// uuencode, as it does `x-uue`, `uuencode` and `x-uuencode` (which GMime knows).
    private static func isUuencodeAlias(_ part: UnsafeMutablePointer<GMimePart>) -> Bool {
        transferEncoding(of: part) == "uue"
    }

    /// The Content-Transfer-Encoding's first word, lower-cased.
    private static func transferEncoding(of part: UnsafeMutablePointer<GMimePart>) -> String? {
        let object = UnsafeMutableRawPointer(part).assumingMemoryBound(to: GMimeObject.self)
        guard let value = g_mime_object_get_header(object, "Content-Transfer-Encoding") else { return nil }
        return String(cString: value).split(whereSeparator: { " \t\r\n(;".contains($0) }).first?.lowercased()
    }

    /// The part's bytes with the transfer encoding removed, read in chunks and cut at the
    /// decoded-bytes budget; past the spool threshold they go to a spool file.
    private mutating func decodedContent(
        of part: UnsafeMutablePointer<GMimePart>, at node: MessagePart
    ) throws(InspectionError) -> PartContent {
        guard let wrapper = g_mime_part_get_content(part),
              let source = g_mime_data_wrapper_get_stream(wrapper),
              let filtered = g_mime_stream_filter_new(source)
        else { return PartContent() }
        defer { steward_unref(filtered) }
        _ = g_mime_stream_reset(source)

        var encoding = g_mime_data_wrapper_get_encoding(wrapper)
        if encoding == GMIME_CONTENT_ENCODING_DEFAULT, Self.isUuencodeAlias(part) { encoding = GMIME_CONTENT_ENCODING_UUENCODE }
        switch encoding {
        case GMIME_CONTENT_ENCODING_BASE64, GMIME_CONTENT_ENCODING_QUOTEDPRINTABLE, GMIME_CONTENT_ENCODING_UUENCODE:
            if let decoder = g_mime_filter_basic_new(encoding, 0) {
                _ = g_mime_stream_filter_add(steward_as_stream_filter(filtered), decoder)
                steward_unref(decoder)
            }
        default:
            break  // 7bit, 8bit, binary, or unknown: the bytes are the content
        }

        var content = ContentSink(spool)
        let chunkSize = 64 * 1024
        var chunk = [UInt8](repeating: 0, count: chunkSize)
        while true {
            try checkDeadline()
            let budget = max(0, limits.maxDecodedBytes - decodedBytes - content.count)
            // Ask for one byte past the budget, to tell "exactly at the limit" from "over it".
            let want = min(chunkSize, budget + 1)
            let got = chunk.withUnsafeMutableBytes { buffer in
                g_mime_stream_read(filtered, buffer.baseAddress!.assumingMemoryBound(to: CChar.self), want)
            }
            if got <= 0 { break }
            if got > budget {
                try content.append(chunk[0..<budget])
                reportBytesLimit(at: node)
                break
            }
            try content.append(chunk[0..<got])
        }
        decodedBytes += content.count
        // `x-yencode`: the part's text is one yEnc block, the file (Thunderbird decodes it).
        if encoding == GMIME_CONTENT_ENCODING_DEFAULT, Self.transferEncoding(of: part).map(Self.yEncNames.contains) == true {
            let encoded = content.finish()
            guard let bytes = encoded.bytes(upTo: limits.maxWholePartBytes) else {
                var whole = node
                whole.content = encoded
                limitsReached.append(WholePartTooLarge(what: "its yEnc-encoded file").limit(at: whole, limits: limits))
                return encoded
            }
            guard let block = YDecode.blocks(in: bytes, byteBudget: limits.maxDecodedBytes - decodedBytes + bytes.count, maxBlocks: 1).first
            else { return encoded }
            decodedBytes += block.bytes.count - bytes.count
            if block.truncated { reportBytesLimit(at: node) }
            return PartContent(block.bytes)
        }
        return content.finish()
    }

    private static let yEncNames: Set<String> = ["x-yencode", "yencode", "x-yenc", "yenc"]

    /// True type for leaves with content; text for text/plain and text/html.
    /// `flowed`: the part's `format=flowed` parameters (RFC 3676), when it has them.
    private mutating func fillTypeAndText(_ node: inout MessagePart, flowed: FlowedText.Format? = nil) {
        if let textType = TextSniff.textType(declared: node.contentType, content: node.content) {
            node.trueType = textType
            node.trueTypeDescription = "text"
        } else if !node.content.isEmpty {
            let type = magic.identify(node.content)
            node.trueType = type.mimeType
            node.trueTypeDescription = type.description
        }
        if node.contentType == "text/plain" || node.contentType == "text/html" {
            if let bytes = node.content.bytes(upTo: limits.maxWholePartBytes) {
                node.text = CharsetText.utf8Text(bytes, declaredCharset: node.charset)
                // Mail programs that know format=flowed show soft-broken lines joined.
                if let flowed, node.contentType == "text/plain", let text = node.text { node.text = FlowedText.unwrap(text, format: flowed) }
            } else {
                limitsReached.append(WholePartTooLarge(what: "its text").limit(at: node, limits: limits))
            }
        }
        ActiveContentScan.mark(&node)
        guard readDocumentText else { return }  // issue 5: document text for marker searches
        do {
            node.documentText = try DocumentTextExtractor.text(
                content: node.content, text: node.text, declaredType: node.contentType, trueType: node.trueType,
                filename: node.filename, disposition: node.disposition, maxBytes: limits.maxWholePartBytes)
        } catch {
            limitsReached.append(error.limit(at: node, limits: limits))
        }
    }

    /// Uuencoded and yEnc files inside a text/plain part become its children (origin
    /// `.uuencoded`): mail programs show both as attachments.
    private mutating func addUuencodedChildren(
        of leaf: MessagePart, index: Int, depth: Int, nodes: inout [MessagePart], parents: inout [Int]
    ) throws(InspectionError) {
        // A text part too large to read whole was reported when its text was not read.
        guard let content = leaf.content.bytes(upTo: limits.maxWholePartBytes) else { return }
        let uuencoded = Self.mayHoldUuencode(content), yEncoded = YDecode.mayHold(content)
        guard uuencoded || yEncoded else { return }
        let budget = limits.maxDecodedBytes - decodedBytes
        let maxBlocks = max(0, limits.maxParts - partCount) + 1
        var blocks = uuencoded ? Uudecode.blocks(in: content, byteBudget: budget, maxBlocks: maxBlocks) : []
        if yEncoded {
            let used = blocks.reduce(0) { $0 + $1.bytes.count }
            blocks += YDecode.blocks(in: content, byteBudget: budget - used, maxBlocks: maxBlocks - blocks.count)
        }
        guard !blocks.isEmpty, allowDescent(below: leaf, depth: depth) else { return }
        for (offset, block) in blocks.enumerated() {
            try checkDeadline()
            let path = leaf.path + [offset + 1]
            guard takePart(at: path) else { return }
            var child = MessagePart(
                path: path, contentType: "application/octet-stream", filename: block.filename,
                content: block.bytes, origin: .uuencoded
            )
            decodedBytes += block.bytes.count
            if block.truncated { reportBytesLimit(at: child) }
            fillTypeAndText(&child)
            nodes.append(child)
            parents.append(index)
            try archives.expandIfArchive(at: nodes.count - 1, nodes: &nodes, parents: &parents, into: &limitsReached)
        }
    }

    /// Cheap check before the line scan: a `begin ` at the start of some line.
    static func mayHoldUuencode(_ content: [UInt8]) -> Bool {
        // "begin " at the start of a line (the first line, or after a line feed).
        ByteSearch.offsets(of: Array("begin ".utf8), in: content).contains { $0 == 0 || content[$0 - 1] == UInt8(ascii: "\n") }
    }

    // MARK: Limits

    private func checkDeadline() throws(InspectionError) {
        if ContinuousClock.now > deadline {
            throw InspectionError(
                code: .timeout,
                detail: "inspection took longer than \(limits.timeoutSeconds) seconds (timeoutSeconds); answer tempfail and retry later"
            )
        }
    }

    /// Counts one more part; false (and a finding, once) when the parts limit is reached.
    private mutating func takePart(at path: [Int]) -> Bool {
        if partCount >= limits.maxParts {
            if !partsLimitReported {
                partsLimitReported = true
                limitsReached.append(LimitReached(
                    kind: .parts,
                    detail: "the message has more than \(limits.maxParts) MIME parts (limit maxParts \(limits.maxParts)); "
                        + "parts from \(Self.position(path)) on were not inspected"
                ))
            }
            return false
        }
        partCount += 1
        return true
    }

    /// Whether the children of a container at `depth` may be walked; a finding when not.
    private mutating func allowDescent(below node: MessagePart, depth: Int) -> Bool {
        if depth + 1 > limits.maxDepth {
            limitsReached.append(LimitReached(
                kind: .depth,
                detail: "parts nest deeper than \(limits.maxDepth) levels (limit maxDepth \(limits.maxDepth)); "
                    + "the parts inside \(node.displayPath) were not inspected"
            ))
            return false
        }
        return true
    }

    private mutating func reportBytesLimit(at node: MessagePart) {
        guard !bytesLimitReported else { return }
        bytesLimitReported = true
        limitsReached.append(LimitReached(
            kind: .bytes,
            detail: "the decoded parts exceed \(limits.maxDecodedBytes) bytes (limit maxDecodedBytes \(limits.maxDecodedBytes)); "
                + "content from \(node.displayPath) on was cut short or not kept"
        ))
    }

    private static func position(_ path: [Int]) -> String {
        path.isEmpty ? "the message body" : "part " + path.map(String.init).joined(separator: ".")
    }
}
