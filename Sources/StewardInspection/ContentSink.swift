import StewardCore

/// The one spool file of one inspection, made when the first large part needs it: every large
/// part of the message is a range of it, so a message holds one file descriptor, not one per
/// part (a message of hundreds of large parts cannot run the process out of descriptors).
final class MessageSpoolFile {
    let spool: ContentSpool
    private(set) var file: SpoolFile?

    init(spool: ContentSpool) {
        self.spool = spool
    }

    func open() throws(SpoolFileError) -> SpoolFile {
        if let file { return file }
        let made = try SpoolFile.create(in: spool.directory)
        file = made
        return made
    }
}

/// Collects one part's bytes as a decoder or an archive reader hands them out: in memory up to
/// the spool threshold, then appended to the message's spool file, so a part never needs
/// memory beyond the threshold. One sink writes at a time (parts are decoded one after
/// another), so each spooled part is one range of the file.
struct ContentSink {
    let target: MessageSpoolFile
    private var memory: [UInt8] = []
    private var file: SpoolFile?
    private var start = 0
    private var head: [UInt8] = []
    private(set) var count = 0
    /// A reader following the part as it is written (a document's XML, parsed meanwhile).
    var follower: GrowingContent?

    init(_ target: MessageSpoolFile) {
        self.target = target
    }

    mutating func append(_ bytes: UnsafeRawBufferPointer) throws(InspectionError) {
        guard !bytes.isEmpty else { return }
        count += bytes.count
        do throws(SpoolFileError) {
            if let file {
                try file.append(bytes)
                follower?.spooled(file: file, start: start, count: count)
                return
            }
            memory.append(contentsOf: bytes)
            if memory.count > target.spool.threshold {
                let file = try target.open()
                start = file.length
                try memory.withUnsafeBytes { raw in Result { () throws(SpoolFileError) in try file.append(raw) } }.get()
                head = Array(memory.prefix(PartContent.headLength))
                memory = []
                self.file = file
                follower?.spooled(file: file, start: start, count: count)
            }
        } catch {
            throw InspectionError(code: .unreadable, detail: error.description)
        }
    }

    mutating func append(_ bytes: ArraySlice<UInt8>) throws(InspectionError) {
        try bytes.withUnsafeBytes { raw in Result { () throws(InspectionError) in try append(raw) } }.get()
    }

    /// The content collected; the sink is left empty.
    mutating func finish() -> PartContent {
        defer { self = ContentSink(target) }
        let content = file.map { PartContent(file: $0, offset: start, count: count, head: head) } ?? PartContent(memory)
        follower?.finish(content)
        return content
    }
}
