import Foundation
import StewardEngine

/// Collects a message's bytes as they arrive: in memory up to a threshold, then in a temporary
/// file, so a 50 MB message does not live in RAM. The file is removed when the spool is closed.
final class MessageSpool {
    private let directory: URL
    private let threshold: Int
    private var memory: [UInt8] = []
    private var file: FileHandle?
    private var fileURL: URL?
    private(set) var count = 0

    init(directory: URL, threshold: Int) {
        self.directory = directory
        self.threshold = threshold
    }

    deinit { discard() }

    func append(_ bytes: UnsafeRawBufferPointer) throws {
        count += bytes.count
        if let file {
            try file.write(contentsOf: bytes)
            return
        }
        memory.append(contentsOf: bytes)
        if memory.count > threshold { try spill() }
    }

    func append(_ bytes: [UInt8]) throws {
        try bytes.withUnsafeBytes { try append($0) }
    }

    /// The collected bytes, ready for inspection. A spooled file is flushed first.
    func source() throws -> MessageSource {
        if let file, let fileURL {
            try file.synchronize()
            return .file(fileURL)
        }
        return .bytes(memory)
    }

    /// Drops everything collected (end of message, abort, or close).
    func discard() {
        memory = []
        count = 0
        if let file { try? file.close() }
        if let fileURL { try? FileManager.default.removeItem(at: fileURL) }
        file = nil
        fileURL = nil
    }

    private func spill() throws {
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let url = directory.appendingPathComponent("msg-\(UUID().uuidString).eml")
        // Owner-only: a spooled message is members' mail.
        guard FileManager.default.createFile(atPath: url.path, contents: nil, attributes: [.posixPermissions: 0o600]) else {
            throw SpoolError(path: url.path)
        }
        let handle = try FileHandle(forWritingTo: url)
        fileURL = url
        file = handle
        try handle.write(contentsOf: memory)
        memory = []
    }
}

struct SpoolError: Error, CustomStringConvertible {
    var path: String
    var description: String { "cannot create spool file \(path) (check spool.directory and its permissions)" }
}
