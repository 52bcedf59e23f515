import StewardCore

/// Collects one part's bytes as a decoder or an archive reader hands them out: in memory up to
/// the spool threshold, then in a `SpoolFile`, so a part never needs memory beyond the threshold.
struct ContentSink {
    let spool: ContentSpool
    private var memory: [UInt8] = []
    private var file: SpoolFile?
    private var head: [UInt8] = []
    private(set) var count = 0

    init(spool: ContentSpool) {
        self.spool = spool
    }

    mutating func append(_ bytes: UnsafeRawBufferPointer) throws(InspectionError) {
        guard !bytes.isEmpty else { return }
        count += bytes.count
        do throws(SpoolFileError) {
            if let file {
                try file.append(bytes)
                return
            }
            memory.append(contentsOf: bytes)
            if memory.count > spool.threshold {
                let file = try SpoolFile.create(in: spool.directory)
                try memory.withUnsafeBytes { raw in Result { () throws(SpoolFileError) in try file.append(raw) } }.get()
                head = Array(memory.prefix(PartContent.headLength))
                memory = []
                self.file = file
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
        defer { self = ContentSink(spool: spool) }
        if let file { return PartContent(file: file, count: count, head: head) }
        return PartContent(memory)
    }
}
