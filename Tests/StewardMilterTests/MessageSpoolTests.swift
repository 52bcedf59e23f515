import Foundation
import StewardEngine
import Testing

@testable import StewardMilter

@Suite struct MessageSpoolTests {
    private func temporaryDirectory() -> URL {
        FileManager.default.temporaryDirectory.appendingPathComponent("steward-spool-\(UUID().uuidString)")
    }

    @Test func smallMessagesStayInMemory() throws {
        let spool = MessageSpool(directory: temporaryDirectory(), threshold: 1024)
        try spool.append(Array("Subject: hi\r\n\r\nbody\r\n".utf8))
        guard case .bytes(let bytes) = try spool.source() else {
            Issue.record("expected an in-memory message")
            return
        }
        #expect(bytes == Array("Subject: hi\r\n\r\nbody\r\n".utf8))
    }

    @Test func largeMessagesGoToAFileWithEveryByteAndTheFileIsRemovedAfterwards() throws {
        let directory = temporaryDirectory()
        let spool = MessageSpool(directory: directory, threshold: 64 * 1024)
        var expected: [UInt8] = []
        for chunk in 0..<100 {
            let bytes = [UInt8](repeating: UInt8(chunk), count: 10_000)
            expected += bytes
            try spool.append(bytes)
        }
        guard case .file(let url) = try spool.source() else {
            Issue.record("expected a spooled file past the threshold")
            return
        }
        #expect(try [UInt8](Data(contentsOf: url)) == expected)
        let attributes = try FileManager.default.attributesOfItem(atPath: url.path)
        #expect((attributes[.posixPermissions] as? NSNumber)?.intValue == 0o600)
        spool.discard()
        #expect(!FileManager.default.fileExists(atPath: url.path))
        #expect(spool.count == 0)
    }

    /// A spool that cannot be written (here: its directory is a file; in production, a full
    /// disk) keeps the message in memory up to the fallback bound instead of deferring it.
    @Test func anUnwritableSpoolKeepsTheMessageInMemoryUpToTheBound() throws {
        let blocker = temporaryDirectory()
        try Data("not a directory".utf8).write(to: blocker)
        defer { try? FileManager.default.removeItem(at: blocker) }
        let spool = MessageSpool(directory: blocker.appendingPathComponent("spool"), threshold: 1000, memoryFallback: 5000)
        let bytes = (0..<4000).map { UInt8($0 % 251) }
        try spool.append(bytes)
        #expect(spool.spillFailure != nil)
        guard case .bytes(let kept) = try spool.source() else {
            Issue.record("expected the message in memory")
            return
        }
        #expect(kept == bytes)
        // Past the bound the message is refused (the MTA is told 451 and keeps it).
        #expect(throws: SpoolError.self) { try spool.append([UInt8](repeating: 1, count: 2000)) }
        spool.discard()
        #expect(spool.spillFailure == nil && spool.count == 0)
    }
}
