import Foundation
import StewardCore
@testable import StewardInspection
import StewardTestSupport
import Testing

/// A document's part read on another thread while the archive expander still writes it.
@Suite("A part read while it is written")
struct GrowingContentTests {
    static let later = ContinuousClock.now + .seconds(30)

    /// Reads `content` on a second thread; returns what it read and how it ended.
    static func readOnAnotherThread(
        _ content: GrowingContent, deadline: ContinuousClock.Instant = later
    ) -> (finish: () -> (bytes: [UInt8], outcome: GrowingContent.Outcome), started: DispatchSemaphore) {
        final class Box: @unchecked Sendable { var bytes: [UInt8] = []; var outcome = GrowingContent.Outcome.stopped }
        let box = Box(), done = DispatchSemaphore(value: 0), started = DispatchSemaphore(value: 0)
        Thread {
            started.signal()
            box.outcome = content.read(deadline: deadline) { box.bytes += $0; return true }
            done.signal()
        }.start()
        return ({ done.wait(); return (box.bytes, box.outcome) }, started)
    }

    @Test("bytes written to the spool file in pieces reach the reader in order, whole")
    func spooledInPieces() throws {
        let directory = try TemporaryDirectory("growing")
        let target = MessageSpoolFile(spool: ContentSpool(directory: directory.url, threshold: 100))
        var sink = ContentSink(target)
        let content = GrowingContent()
        sink.follower = content
        let (finish, started) = Self.readOnAnotherThread(content)
        started.wait()
        var written: [UInt8] = []
        for piece in 0..<200 {
            let bytes = (0..<(37 + piece % 50)).map { UInt8(truncatingIfNeeded: $0 &* 7 &+ piece) }
            written += bytes
            try sink.append(bytes[...])
            if piece % 40 == 0 { Thread.sleep(forTimeInterval: 0.002) }
        }
        let part = sink.finish()
        #expect(part.isSpooled)
        let read = finish()
        #expect(read.outcome == .complete)
        #expect(read.bytes == written)
    }

    @Test("a part that stays in memory is handed over whole when it is complete")
    func inMemory() throws {
        let directory = try TemporaryDirectory("growing-memory")
        var sink = ContentSink(MessageSpoolFile(spool: ContentSpool(directory: directory.url, threshold: 1 << 20)))
        let content = GrowingContent()
        sink.follower = content
        let (finish, _) = Self.readOnAnotherThread(content)
        try sink.append(Array("<sheet/>".utf8)[...])
        #expect(!sink.finish().isSpooled)
        let read = finish()
        #expect(read.outcome == .complete)
        #expect(read.bytes == Array("<sheet/>".utf8))
    }

    @Test("given up before it is complete, the reader stops; once complete, only a discard stops it")
    func abandon() {
        let cut = GrowingContent()
        let (finishCut, _) = Self.readOnAnotherThread(cut)
        cut.abandon()
        #expect(finishCut().outcome == .abandoned)

        let complete = GrowingContent()
        complete.finish(PartContent(Array("abc".utf8)))
        complete.abandon()
        #expect(Self.readOnAnotherThread(complete).finish().outcome == .complete)

        let discarded = GrowingContent()
        discarded.finish(PartContent(Array("abc".utf8)))
        discarded.abandon(evenIfComplete: true)
        #expect(Self.readOnAnotherThread(discarded).finish().outcome == .abandoned)
    }

    @Test("a spooled part's true type, read through a mapping of the spool file, is the one its bytes in memory get")
    func spooledTrueType() throws {
        let directory = try TemporaryDirectory("growing-magic")
        let xml = Array(("<?xml version=\"1.0\"?><sheet>" + String(repeating: "<c r=\"A1\"><v>1</v></c>", count: 400_000) + "</sheet>").utf8)
        let pe = try Array(Data(contentsOf: PackagePaths.root.appendingPathComponent("Tests/StewardInspectionTests/Fixtures.swift")))
        for bytes in [xml, Array("MZ".utf8) + [UInt8](repeating: 0, count: 3 << 20), pe] {
            let file = try SpoolFile.create(in: directory.url)
            try [UInt8](repeating: 0x41, count: 12345).withUnsafeBytes { try file.append($0) }  // not at a page boundary
            try bytes.withUnsafeBytes { try file.append($0) }
            // The mapping itself, at an offset that is not a page's: the very bytes written.
            #expect(file.withMappedBytes(at: 12345, count: bytes.count) { Array($0) } == bytes)
            #expect(file.withMappedBytes(at: 12345 + 7, count: 100) { Array($0) } == Array(bytes[7..<107]))
            let spooled = PartContent(file: file, offset: 12345, count: bytes.count, head: Array(bytes.prefix(PartContent.headLength)))
            let type = MagicPool.shared.identify(spooled)
            #expect(type == MagicPool.shared.identify(bytes))
            #expect(type.mimeType != nil)
        }
    }

    @Test("a reader waiting for bytes that never come stops at the inspection's deadline")
    func deadline() {
        let content = GrowingContent()
        let started = ContinuousClock.now
        let read = Self.readOnAnotherThread(content, deadline: started + .milliseconds(200)).finish()
        #expect(read.outcome == .timedOut)
        #expect(ContinuousClock.now - started < .seconds(10))
    }
}
