public import StewardCore
public import Foundation
import CStewardGMime

/// Turns a message's bytes into the tree policy reads: GMime parses the MIME structure,
/// libmagic names each part's true type, text parts are converted to UTF-8 for searching.
///
/// Safe to share between threads: it holds only immutable settings; each call parses into
/// GMime objects of its own, and libmagic handles come from a lock-protected pool.
public final class Inspector: Sendable {
    public let limits: InspectionLimits
    private let magic: MagicPool

    public init(limits: InspectionLimits = InspectionLimits()) {
        self.limits = limits
        self.magic = MagicPool.shared
        GMimeRuntime.ensureInitialised()
    }

    /// Inspects a message held in memory (the raw RFC 5322 bytes, CRLF or LF line ends).
    /// `documentText` false skips reading attachments' text (`MessagePart.documentText`), for
    /// mail that no rule reading it can concern (confidential markers look only at mail leaving
    /// the union). Parts larger than `spool.threshold` are decoded into spool files there.
    public func inspect(
        bytes: [UInt8], documentText: Bool = true, spool: ContentSpool = .temporary
    ) throws(InspectionError) -> InspectedMessage {
        let start = ContinuousClock.now
        let size = bytes.count
        let bytes = ParserLineEnds.crlf(bytes)
        let stream = bytes.withUnsafeBufferPointer { buffer -> UnsafeMutablePointer<GMimeStream>? in
            guard let base = buffer.baseAddress, !buffer.isEmpty else { return g_mime_stream_mem_new() }
            return base.withMemoryRebound(to: CChar.self, capacity: buffer.count) {
                g_mime_stream_mem_new_with_buffer($0, buffer.count)
            }
        }
        guard let stream else {
            throw InspectionError(code: .parserFailure, detail: "GMime could not allocate a memory stream")
        }
        defer { steward_unref(stream) }
        return try inspect(stream: stream, size: size, start: start, documentText: documentText, spool: spool)
    }

    /// The top-level headers of a stored message, without inspecting the rest: only its header
    /// block (up to the first empty line) is parsed. For showing a held message, whose
    /// attachments were stored with its verdict when it was held.
    public func headers(of raw: [UInt8]) -> [RawHeader] {
        var end = raw.count
        var index = 0
        while index + 1 < raw.count {
            if raw[index] == 0x0A, raw[index + 1] == 0x0A || (raw[index + 1] == 0x0D && index + 2 < raw.count && raw[index + 2] == 0x0A) {
                end = index + 1
                break
            }
            index += 1
        }
        return (try? inspect(bytes: Array(raw[..<end]), documentText: false))?.headers ?? []
    }

    /// Inspects a message stored in a file (a spooled large message), without reading it all
    /// into memory first: GMime reads the file through a stream and keeps only offsets into it,
    /// and parts larger than `spool.threshold` are decoded into spool files, so memory stays
    /// flat whatever the size of the message.
    public func inspect(
        fileAt url: URL, documentText: Bool = true, spool: ContentSpool = .temporary
    ) throws(InspectionError) -> InspectedMessage {
        let start = ContinuousClock.now
        let path = url.path
        let size: Int
        do {
            let attributes = try FileManager.default.attributesOfItem(atPath: path)
            size = (attributes[.size] as? NSNumber)?.intValue ?? 0
        } catch {
            throw InspectionError(code: .unreadable, detail: "cannot read \(path): \(error.localizedDescription)")
        }
        let readable: (url: URL, isCopy: Bool)
        do {
            readable = try ParserLineEnds.crlfFile(at: url)
        } catch {
            throw InspectionError(code: .unreadable, detail: "cannot read \(path): \(error.localizedDescription)")
        }
        defer { if readable.isCopy { try? FileManager.default.removeItem(at: readable.url) } }
        var gerror: UnsafeMutablePointer<GError>?
        guard let stream = g_mime_stream_fs_open(readable.url.path, O_RDONLY, 0, &gerror) else {
            let reason = gerror.flatMap { GMimeBytes.string($0.pointee.message) } ?? "unknown error"
            if let gerror { g_error_free(gerror) }
            throw InspectionError(code: .unreadable, detail: "cannot open \(path): \(reason)")
        }
        defer { steward_unref(stream) }
        return try inspect(stream: stream, size: size, start: start, documentText: documentText, spool: spool)
    }

    private func inspect(
        stream: UnsafeMutablePointer<GMimeStream>, size: Int, start: ContinuousClock.Instant, documentText: Bool,
        spool: ContentSpool
    ) throws(InspectionError) -> InspectedMessage {
        let deadline = start + .milliseconds(Int64(max(0, limits.timeoutSeconds) * 1000))

        guard let options = Self.makeParserOptions() else {
            throw InspectionError(code: .parserFailure, detail: "GMime could not create parser options")
        }
        defer { g_mime_parser_options_free(options) }
        guard let parser = g_mime_parser_new_with_stream(stream) else {
            throw InspectionError(code: .parserFailure, detail: "GMime could not create a parser")
        }
        defer { steward_unref(parser) }
        g_mime_parser_set_format(parser, GMIME_FORMAT_MESSAGE)

        guard let message = g_mime_parser_construct_message(parser, options) else {
            throw InspectionError(
                code: .parserFailure,
                detail: "GMime found no message in \(size) bytes (no header block could be parsed)"
            )
        }
        defer { steward_unref(message) }

        var walker = GMimeWalker(limits: limits, deadline: deadline, magic: magic, spool: spool)
        walker.readDocumentText = documentText
        let headers = GMimeWalker.headers(of: message)
        let root = try walker.walk(top: g_mime_message_get_mime_part(message))
        let subject = GMimeWalker.subject(of: message, headers: headers)  // decoded RFC 2047 words
        return InspectedMessage(
            headers: headers, root: root, limitsReached: walker.limitsReached, size: size,
            addresses: HeaderAddressReader.addresses(of: message, headers: headers, options: options), subject: subject
        )
    }

    /// Parser options tolerant of broken input: loose RFC 2047 (encoded words inside words,
    /// in quoted strings, unencoded spaces) and loose parameters and addresses; undeclared
    /// 8-bit header text is tried as UTF-8, then windows-1252.
    static func makeParserOptions() -> OpaquePointer? {
        guard let options = g_mime_parser_options_new() else { return nil }
        g_mime_parser_options_set_rfc2047_compliance_mode(options, GMIME_RFC_COMPLIANCE_LOOSE)
        g_mime_parser_options_set_parameter_compliance_mode(options, GMIME_RFC_COMPLIANCE_LOOSE)
        g_mime_parser_options_set_address_compliance_mode(options, GMIME_RFC_COMPLIANCE_LOOSE)
        g_mime_parser_options_set_allow_addresses_without_domain(options, 1)
        "utf-8".withCString { utf8 in
            "windows-1252".withCString { cp1252 in
                var charsets: [UnsafePointer<CChar>?] = [utf8, cp1252, nil]
                charsets.withUnsafeMutableBufferPointer {
                    g_mime_parser_options_set_fallback_charsets(options, $0.baseAddress)
                }
            }
        }
        return options
    }
}

/// Why a message could not be inspected at all (the milter answers tempfail).
public struct InspectionError: Error, Sendable, CustomStringConvertible {
    public enum Code: String, Sendable {
        case unreadable, parserFailure, timeout
    }
    public var code: Code
    public var detail: String

    public init(code: Code, detail: String) {
        self.code = code
        self.detail = detail
    }

    public var description: String { "inspection failed (\(code.rawValue)): \(detail)" }
}
