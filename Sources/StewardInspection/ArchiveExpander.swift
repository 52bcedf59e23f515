import CStewardArchive
import Foundation
import StewardCore

/// Opens archives among the parts with libarchive (zip, 7z, rar, tar, gzip/bzip2/xz, cab,
/// cpio, ISO, ARJ, LHA…) and adds their files to the tree as children (origin
/// `.archiveMember`), each typed by content; archives inside archives are opened in turn.
///
/// Members larger than the spool threshold are written to spool files as they are read, and a
/// spooled archive is read by libarchive from its file, so opening a large archive needs no
/// more memory than a small one.
///
/// Bounded: members are read in chunks against the message's expanded-bytes budget, and the
/// number of members and archive nesting are limited. An archive that reaches a limit, or that
/// libarchive cannot read, is reported as a `LimitReached` (held as "could not be inspected").
///
/// Office Open XML and OpenDocument files are opened here too, and their text is read from
/// the members taken out (`ZipDocument`): one unzip per document, under the same limits.
/// An encrypted archive is marked `.encrypted` on the archive's part, not reported as broken.
struct ArchiveExpander {
    /// Whether members get their document text (only for mail leaving the union; see issue 5).
    var readDocumentText = true
    let limits: InspectionLimits
    let deadline: ContinuousClock.Instant
    let magic: MagicPool
    let spool: MessageSpoolFile

    private var members = 0
    private var expandedBytes = 0
    private var membersReported = false
    private var bytesReported = false

    init(limits: InspectionLimits, deadline: ContinuousClock.Instant, magic: MagicPool, spool: MessageSpoolFile) {
        self.limits = limits
        self.deadline = deadline
        self.magic = magic
        self.spool = spool
    }

    /// What reading one archive gave.
    private struct Reading {
        var members: [MessagePart] = []
        /// Names of members libarchive reports as encrypted.
        var encryptedMembers: [String] = []
        /// The whole archive (its index) is encrypted.
        var encryptedArchive = false
        /// Why the archive could not be read to its end.
        var problem: LimitReached?
        /// Members not fully read (too large to read their text whole); the archive was read.
        var memberLimits: [LimitReached] = []
        /// Reading stopped at a limit already reported for an earlier archive.
        var stopped = false
        var timedOut = false
        /// A document's parts read while they were inflated.
        var early: OOXMLText.Early = [:]
    }

    /// When `nodes[index]` is an archive, opens it and every archive inside it (breadth first),
    /// appending members to `nodes` with their parent index in `parents`.
    mutating func expandIfArchive(
        at index: Int, nodes: inout [MessagePart], parents: inout [Int], into reached: inout [LimitReached]
    ) throws(InspectionError) {
        guard ArchiveKind.of(nodes[index]) != nil else { return }
        var work: [(index: Int, depth: Int, label: String)] = [(index, 1, nodes[index].displayPath)]
        var next = 0
        while next < work.count {
            let (archiveIndex, depth, label) = work[next]
            next += 1
            guard let kind = ArchiveKind.of(nodes[archiveIndex]) else { continue }
            if depth > limits.maxArchiveDepth {
                reached.append(LimitReached(
                    kind: .depth,
                    detail: "\(label): archives nest deeper than \(limits.maxArchiveDepth) levels "
                        + "(limit max_archive_depth); the files inside were not inspected"
                ))
                continue
            }
            let archive = nodes[archiveIndex]
            var reading = kind.tnef ? readTNEF(archive, label: label) : try read(kind: kind, archive: archive, label: label)
            if reading.timedOut {
                throw InspectionError(
                    code: .timeout,
                    detail: "inspection took longer than \(limits.timeoutSeconds) seconds (timeoutSeconds) opening \(label)"
                )
            }
            if ZipDocument.of(archive) == nil, archive.content.head.starts(with: DocumentTextExtractor.zip) {
                addCentralNames(of: archive, label: label, to: &reading)
            }
            if reading.encryptedArchive || !reading.encryptedMembers.isEmpty {
                let what = reading.encryptedArchive
                    ? "password-protected \(kind.name)"
                    : "password-protected \(kind.name) (\(reading.encryptedMembers.count) of \(reading.members.count) files encrypted)"
                nodes[archiveIndex].markers.append(ContentMarker(kind: .encrypted, detail: what))
            }
            // OOXML macros live in a vbaProject.bin member; when that member is itself seen as
            // a VBA project (OLE2), its own marker names it, and the document needs none.
            if reading.members.contains(where: { ($0.filename ?? "").lowercased().hasSuffix("vbaproject.bin") }),
               !reading.members.contains(where: { $0.markers.contains { $0.kind == .officeMacros } }) {
                nodes[archiveIndex].markers.append(ContentMarker(kind: .officeMacros, detail: "Office macros (vbaProject.bin)"))
            }
            // A link in the document's relations to a protocol that starts a program when the
            // document opens (`mhtml:` to `ms-msdt:`, CVE-2022-30190 "Follina"): no macro needed.
            if ZipDocument.of(archive) != nil, let scheme = Self.programLink(in: reading.members) {
                nodes[archiveIndex].markers.append(ContentMarker(
                    kind: .officeEmbeddedProgram, detail: "a link that starts a program when the document is opened (\(scheme))"))
            }
            // Excel 4.0 macro sheets (XLM), which Excel runs like VBA when macros are enabled
            // (`Auto_Open`), have no VBA project at all.
            if ZipDocument.of(archive) != nil, Self.hasMacroSheet(reading.members) {
                nodes[archiveIndex].markers.append(ContentMarker(kind: .officeMacros, detail: "Excel 4.0 macro sheet (xl/macrosheets)"))
            }
            // An Office or OpenDocument file's text, from the members just read. One cut short
            // at a limit is held for that limit; its text is not read (a document that unpacks
            // past max_expanded_bytes would cost memory in proportion).
            if readDocumentText, reading.problem == nil, !reading.stopped, let document = ZipDocument.of(archive) {
                do {
                    // Handed over, not copied: the text reader then holds the only copy of a sheet's cells.
                    let early = reading.early
                    reading.early = [:]
                    nodes[archiveIndex].documentText = try document.text(members: reading.members, early: early, deadline: deadline)
                } catch where error.code != .timeout {
                    // XML that cannot be read in time (a tag of very many attributes): held as a
                    // part that could not be inspected, like a damaged archive.
                    reached.append(LimitReached(kind: .unreadable, detail: "\(label): \(error.detail); its text was not read"))
                } catch {
                    throw InspectionError(
                        code: .timeout,
                        detail: "inspection took longer than \(limits.timeoutSeconds) seconds (timeoutSeconds) reading the text of \(label)"
                    )
                }
            }
            if let problem = reading.problem { reached.append(problem) }
            reached.append(contentsOf: reading.memberLimits)
            for member in reading.members {
                let memberIndex = nodes.count
                nodes.append(member)
                parents.append(archiveIndex)
                if ArchiveKind.of(member) != nil {
                    work.append((memberIndex, depth + 1, label + " > " + Self.quoted(member.filename ?? "")))
                }
            }
            // The members now stand for the archive; its packed bytes need not be kept (nor a
            // signature seen in them: the member that holds it is marked itself).
            if reading.problem == nil && !reading.stopped && !reading.encryptedArchive && reading.encryptedMembers.isEmpty {
                nodes[archiveIndex].content = PartContent()
                nodes[archiveIndex].markers.removeAll { $0.kind == .eicar }
            }
        }
    }

    /// A macro sheet by its folder or, wherever it is stored, by its content type.
    private static func hasMacroSheet(_ members: [MessagePart]) -> Bool {
        if members.contains(where: { ($0.filename ?? "").lowercased().hasPrefix("xl/macrosheets/") }) { return true }
        // Every copy of the content types: a zip may hold the name twice.
        return members.contains { member in
            guard member.filename == "[Content_Types].xml", let bytes = member.content.bytes(upTo: 1 << 20) else { return false }
            return String(decoding: bytes, as: UTF8.self).lowercased().contains("macrosheet+xml")
        }
    }

    /// Protocols Windows hands to a program, which a document's relation may point to.
    private static let programSchemes = ["mhtml:", "ms-msdt:", "search-ms:", "ms-search:", "ms-officecmd:", "ms-excel:", "ms-word:", "ms-powerpoint:"]

    /// The first such protocol an external relation in `members` points to, or an external
    /// object or template fetched as `…!` (how the first "Follina" files reached `mhtml:`).
    /// Hyperlinks are left out: a reader clicks them, nothing runs when the file opens.
    private static func programLink(in members: [MessagePart]) -> String? {
        for member in members where (member.filename ?? "").lowercased().hasSuffix(".rels") {
            guard let bytes = member.content.bytes(upTo: 1 << 20) else { continue }
            let text = String(decoding: bytes, as: UTF8.self).lowercased()
            guard text.contains("external") else { continue }
            for relation in text.components(separatedBy: "<relationship").dropFirst() {
                // Attribute values as written, quotes of either kind and spaces around `=` dropped.
                let plain = relation.replacingOccurrences(of: " ", with: "").replacingOccurrences(of: "'", with: "\"")
                guard plain.contains("targetmode=\"external\""), !plain.contains("/hyperlink\"") else { continue }
                guard let range = plain.range(of: "target=\"") else { continue }
                let target = plain[range.upperBound...].prefix { $0 != "\"" }
                if let scheme = programSchemes.first(where: { target.hasPrefix($0) || target.hasPrefix("!" + $0) }) { return scheme }
                if target.hasSuffix("!"), plain.contains("/oleobject\"") || plain.contains("/attachedtemplate\"") || plain.contains("/frame\"") {
                    return "an object fetched from \(target)"
                }
            }
        }
        return nil
    }

    /// A zip's central directory may name a file differently from its local header, which is
    /// what libarchive reads; unzip and Windows show the central name, so both count. Members
    /// in the same order get the central name as another name; a central name with no member
    /// (the directory lists more files than the stream holds) becomes a member with no content,
    /// judged by its name, counted against max_archive_members like any member.
    private mutating func addCentralNames(of archive: MessagePart, label: String, to reading: inout Reading) {
        guard let bytes = archive.content.bytes(upTo: limits.maxWholePartBytes),
              let central = ZipInside.memberNames(bytes, limit: limits.maxArchiveMembers)
        else { return }
        // A name that differs only where a non-UTF-8 (code page 437) name was decoded is the
        // same name: compare what is ASCII, where the extension is.
        func ascii(_ name: String) -> String { String(name.unicodeScalars.filter(\.isASCII).map(Character.init)) }
        if central.count == reading.members.count {
            for (index, name) in central.enumerated() where ascii(name) != ascii(reading.members[index].filename ?? "") {
                reading.members[index].otherNames.append(name)
            }
            return
        }
        let local = Set(reading.members.compactMap { $0.filename.map(ascii) })
        for name in central where !local.contains(ascii(name)) {
            guard takeMember(label: label, reading: &reading) else { return }
            reading.members.append(MessagePart(
                path: archive.path + [reading.members.count + 1], contentType: "application/octet-stream",
                filename: name, origin: .archiveMember))
        }
    }

    /// Reads an archive from memory, or from its spool file when it is large.
    private mutating func read(kind: ArchiveKind, archive: MessagePart, label: String) throws(InspectionError) -> Reading {
        guard let handle = archive_read_new() else {
            var reading = Reading()
            reading.problem = LimitReached(kind: .unreadable, detail: "\(label): libarchive could not start")
            return reading
        }
        defer { archive_read_free(handle) }
        archive_read_support_filter_all(handle)
        archive_read_support_format_all(handle)
        if kind.singleFile { archive_read_support_format_raw(handle) }
        // Result, not `try`, inside the closures: `withUnsafeBytes` would widen the error type.
        switch archive.content.storage {
        case .memory(let bytes):
            return try bytes.withUnsafeBytes { buffer in
                let opened = archive_read_open_memory(handle, buffer.baseAddress, buffer.count)
                return Result { () throws(InspectionError) in try read(handle, opened: opened, kind: kind, archive: archive, label: label) }
            }.get()
        case .file(let file, let start, let count, _):
            let range = SpoolRange(file: file, start: start, count: count)
            let opened = range.open(handle)
            defer { withExtendedLifetime(range) {} }
            return try read(handle, opened: opened, kind: kind, archive: archive, label: label)
        }
    }

    private mutating func read(
        _ handle: OpaquePointer, opened: Int32, kind: ArchiveKind, archive: MessagePart, label: String
    ) throws(InspectionError) -> Reading {
        // An Office document's large XML parts are parsed while they are inflated; their
        // threads are all done before the members are handed on, whatever happens.
        let early = readDocumentText ? EarlyDocumentParts(document: ZipDocument.of(archive), deadline: deadline) : nil
        var reading: Reading
        do {
            reading = try read(handle, opened: opened, kind: kind, archive: archive, label: label, early: early)
        } catch {
            _ = early?.finish(discard: true)
            throw error
        }
        // The same test as for reading the text (`expandIfArchive`): a zip cut short is held
        // for its limit, and its parts need not be parsed to their end.
        reading.early = early?.finish(discard: reading.problem != nil || reading.stopped || reading.timedOut) ?? [:]
        return reading
    }

    private mutating func read(
        _ handle: OpaquePointer, opened: Int32, kind: ArchiveKind, archive: MessagePart, label: String,
        early: EarlyDocumentParts?
    ) throws(InspectionError) -> Reading {
        var reading = Reading()
        guard opened == ARCHIVE_OK else {
            reading.problem = unreadable(handle, label: label, kind: kind)
            return reading
        }

        var chunk = [UInt8](repeating: 0, count: 64 * 1024)
        var entry: OpaquePointer?
        while true {
            if ContinuousClock.now > deadline {
                reading.timedOut = true
                return reading
            }
            let status = archive_read_next_header(handle, &entry)
            if status == ARCHIVE_EOF { break }
            if status < ARCHIVE_WARN || entry == nil {
                if Self.isEncryptionError(handle) {
                    reading.encryptedArchive = true
                } else {
                    reading.problem = unreadable(handle, label: label, kind: kind)
                }
                break
            }
            guard let entry, steward_archive_entry_is_regular(entry) != 0 else { continue }
            guard takeMember(label: label, reading: &reading) else { break }

            var name = Self.entryName(entry)
            if kind.singleFile && (name == "data" || name.isEmpty) { name = Self.unpackedName(of: archive.filename) }
            let member = MessagePart(
                path: archive.path + [reading.members.count + 1], contentType: "application/octet-stream",
                filename: name, origin: .archiveMember
            )
            if archive_entry_is_encrypted(entry) != 0 {
                early?.skip(name)
                reading.encryptedMembers.append(name)
                reading.members.append(member)
                continue
            }

            var content = ContentSink(spool)
            content.follower = early?.follow(
                name, size: archive_entry_size_is_set(entry) != 0 ? Int(archive_entry_size(entry)) : 0,
                room: limits.maxExpandedBytes - expandedBytes, before: reading.members)
            var failed = false
            while true {
                let got = chunk.withUnsafeMutableBytes { archive_read_data(handle, $0.baseAddress, $0.count) }
                if got == 0 { break }
                if got < 0 {
                    if Self.isEncryptionError(handle) {
                        reading.encryptedMembers.append(name)
                    } else {
                        reading.problem = unreadable(handle, label: label + " > " + Self.quoted(name), kind: kind)
                    }
                    failed = true
                    break
                }
                if expandedBytes + content.count + got > limits.maxExpandedBytes {
                    reportBytes(label: label, reading: &reading)
                    failed = true
                    break
                }
                try content.append(chunk[0..<got])
                if ContinuousClock.now > deadline {
                    reading.timedOut = true
                    return reading
                }
            }
            expandedBytes += content.count
            reading.members.append(self.member(
                of: archive, name: name, content: content.finish(), position: member.path.last ?? 0, reading: &reading))
            if failed && (reading.problem != nil || reading.stopped) { break }
        }
        return reading
    }

    private mutating func readTNEF(_ archive: MessagePart, label: String) -> Reading {
        var reading = Reading()
        // The TNEF reader walks records in memory; winmail.dat files are seldom large.
        guard let content = archive.content.bytes(upTo: limits.maxWholePartBytes) else {
            reading.problem = WholePartTooLarge(what: "the TNEF file (winmail.dat)").limit(at: archive, limits: limits)
            return reading
        }
        let budget = max(0, limits.maxExpandedBytes - expandedBytes)
        let tnef = TNEFReader.read(content, maxFiles: max(0, limits.maxArchiveMembers - members) + 1, maxBytes: budget + 1)
        for file in tnef.files {
            guard takeMember(label: label, reading: &reading) else { break }
            if expandedBytes + file.data.count > limits.maxExpandedBytes {
                reportBytes(label: label, reading: &reading)
                break
            }
            expandedBytes += file.data.count
            // Outlook shows and saves the file under its long name; the short title counts too.
            var part = member(
                of: archive, name: file.longName ?? file.name ?? "(no name)", content: PartContent(file.data),
                position: reading.members.count + 1, reading: &reading)
            if let long = file.longName, let short = file.name, short != long { part.otherNames.append(short) }
            reading.members.append(part)
        }
        if tnef.damaged, reading.problem == nil {
            reading.problem = LimitReached(kind: .unreadable, detail: "\(label): the TNEF file (winmail.dat) is damaged or cut short")
        }
        return reading
    }

    /// A member part, typed by content.
    private func member(
        of archive: MessagePart, name: String, content: PartContent, position: Int, reading: inout Reading
    ) -> MessagePart {
        var member = MessagePart(
            path: archive.path + [position], contentType: "application/octet-stream", filename: name, origin: .archiveMember
        )
        member.content = content
        if !content.isEmpty {
            let type = magic.identify(content)
            member.trueType = type.mimeType
            member.trueTypeDescription = type.description
            ActiveContentScan.mark(&member)
            // The parts of a document read as one (a .docx's XML) are not documents a person
            // reads: only files in real archives get their own text.
            if readDocumentText && ZipDocument.of(archive) == nil {
                do {
                    member.documentText = try DocumentTextExtractor.text(
                        content: content, text: nil, declaredType: member.contentType, trueType: member.trueType,
                        filename: name, disposition: "attachment", maxBytes: limits.maxWholePartBytes)
                } catch {
                    reading.memberLimits.append(error.limit(at: member, limits: limits))
                }
            }
        }
        return member
    }

    // MARK: Limits and problems

    private mutating func takeMember(label: String, reading: inout Reading) -> Bool {
        guard members < limits.maxArchiveMembers else {
            if !membersReported {
                membersReported = true
                reading.problem = LimitReached(
                    kind: .parts,
                    detail: "\(label): archives in the message hold more than \(limits.maxArchiveMembers) files "
                        + "(limit max_archive_members); the rest were not inspected"
                )
            }
            return false
        }
        members += 1
        return true
    }

    /// Reports the expanded-bytes limit once per message; later archives just stop.
    private mutating func reportBytes(label: String, reading: inout Reading) {
        guard !bytesReported else {
            reading.stopped = true
            return
        }
        reading.problem = LimitReached(
            kind: .bytes,
            detail: "\(label): archives in the message unpack to more than \(limits.maxExpandedBytes) bytes "
                + "(limit max_expanded_bytes); it may be an archive bomb"
        )
        bytesReported = true
    }

    private func unreadable(_ handle: OpaquePointer, label: String, kind: ArchiveKind) -> LimitReached {
        let reason = archive_error_string(handle).map { String(cString: $0) } ?? "unknown error"
        return LimitReached(kind: .unreadable, detail: "\(label): the \(kind.name) is damaged or cannot be read (\(reason))")
    }

    /// libarchive's ways of saying a password is needed.
    private static func isEncryptionError(_ handle: OpaquePointer) -> Bool {
        if archive_read_has_encrypted_entries(handle) > 0 { return true }
        let reason = archive_error_string(handle).map { String(cString: $0).lowercased() } ?? ""
        return reason.contains("encrypt") || reason.contains("passphrase") || reason.contains("password")
    }

    // MARK: Names

    private static func entryName(_ entry: OpaquePointer) -> String {
        if let utf8 = archive_entry_pathname_utf8(entry) { return String(cString: utf8) }
        if let raw = archive_entry_pathname(entry) { return String(decoding: Data(bytes: raw, count: strlen(raw)), as: UTF8.self) }
        return ""
    }

    /// `report.pdf.gz` → `report.pdf`: the name a compressed single file unpacks to.
    static func unpackedName(of filename: String?) -> String {
        guard let filename, let dot = filename.lastIndex(of: ".") else { return "(unpacked)" }
        let ext = filename[filename.index(after: dot)...].lowercased()
        if ["gz", "gzip", "bz2", "xz", "lzma", "zst", "lz", "z", "tgz"].contains(ext), dot > filename.startIndex {
            return String(filename[..<dot]) + (ext == "tgz" ? ".tar" : "")
        }
        return "(unpacked)"
    }

    static func quoted(_ name: String) -> String { "\"\(name)\"" }
}
