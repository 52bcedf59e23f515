import Foundation
import StewardCore

/// An archive member's bytes while the archive expander is still inflating them, for a reader
/// on another thread: a document's large XML parts (a workbook's sheets and shared strings)
/// are parsed as they come out of the zip instead of after it, so inflating and parsing
/// overlap. The bytes are read back from the message's spool file as they are written there,
/// so the reader costs no memory however far behind it falls; a member small enough to stay
/// in memory is handed over whole when it is complete.
final class GrowingContent: @unchecked Sendable {
    private let condition = NSCondition()
    private var file: SpoolFile?
    private var start = 0
    /// Bytes of the member in the file so far.
    private var available = 0
    /// The whole member, when it never reached the spool file.
    private var memory: [UInt8]?
    private var ended = false
    private var abandoned = false

    enum Outcome { case complete, stopped, abandoned, timedOut }

    // MARK: Writer side (the expander's thread)

    /// The member's first `count` bytes are in `file` from `start`.
    func spooled(file: SpoolFile, start: Int, count: Int) {
        condition.lock()
        self.file = file
        self.start = start
        available = count
        condition.signal()
        condition.unlock()
    }

    /// The member is complete.
    func finish(_ content: PartContent) {
        condition.lock()
        if case .memory(let bytes) = content.storage { memory = bytes }
        ended = true
        condition.signal()
        condition.unlock()
    }

    /// The member will not be complete (a limit, a damaged archive): the reader stops. With
    /// `evenIfComplete`, a complete member too: its document will not be read after all.
    func abandon(evenIfComplete: Bool = false) {
        condition.lock()
        if !ended || evenIfComplete { abandoned = true }
        condition.signal()
        condition.unlock()
    }

    // MARK: Reader side

    /// Hands the member's bytes to `feed` in order, as they arrive, until the member is
    /// complete, `feed` returns false, the member is abandoned, or the deadline passes.
    func read(deadline: ContinuousClock.Instant, _ feed: (UnsafeBufferPointer<UInt8>) -> Bool) -> Outcome {
        let window = UnsafeMutableRawBufferPointer.allocate(byteCount: 256 * 1024, alignment: 16)
        defer { window.deallocate() }
        var consumed = 0
        while true {
            condition.lock()
            // Whole blocks of `XMLStream.chunkSize` only, the last excepted, so the parser is fed
            // exactly as when it reads the finished member (libxml2 recovers from broken XML
            // differently depending on where its input is cut).
            while !ended, !abandoned, available - consumed < XMLStream.chunkSize {
                if ContinuousClock.now >= deadline {
                    condition.unlock()
                    return .timedOut
                }
                let left = ContinuousClock.now.duration(to: deadline).components
                _ = condition.wait(until: Date(timeIntervalSinceNow: Double(left.seconds) + Double(left.attoseconds) / 1e18))
            }
            let (file, start, available, memory, ended, abandoned) = (self.file, self.start, self.available, self.memory, self.ended, self.abandoned)
            condition.unlock()
            if abandoned { return .abandoned }
            if let memory {
                return memory.withUnsafeBufferPointer { feed($0) } ? .complete : .stopped
            }
            if consumed < available, let file {
                var length = min(window.count, available - consumed)
                if !ended { length -= length % XMLStream.chunkSize }
                let got = file.read(into: UnsafeMutableRawBufferPointer(rebasing: window[..<length]), at: start + consumed)
                guard got > 0 else { return .abandoned }
                consumed += got
                guard feed(UnsafeBufferPointer(start: window.baseAddress!.assumingMemoryBound(to: UInt8.self), count: got)) else { return .stopped }
            } else if ended {
                return .complete
            }
        }
    }
}
