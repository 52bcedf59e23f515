import Foundation
import StewardEngine

/// Collects a message's bytes as they arrive: in memory up to a threshold, then in a temporary
/// file, so a 50 MB message does not live in RAM. The file is removed when the spool is closed.
///
/// When the spool file cannot be written (a full disk), the message stays in memory up to
/// `memoryFallback` bytes instead of being answered 451: a full disk must not stop clean mail.
/// Past that bound the append throws, and the message is deferred.
final class MessageSpool {
    private let directory: URL
    private let threshold: Int
    private let memoryFallback: Int
    private var memory: [UInt8] = []
    private var file: FileHandle?
    private var fileURL: URL?
    private(set) var count = 0
    /// Why the message is kept in memory past the threshold (the spool could not be written).
    private(set) var spillFailure: (any Error)?

    init(directory: URL, threshold: Int, memoryFallback: Int = 0) {
        self.directory = directory
        self.threshold = threshold
        self.memoryFallback = memoryFallback
    }

    deinit { discard() }

    func append(_ bytes: UnsafeRawBufferPointer) throws {
        count += bytes.count
        if let file {
            try file.write(contentsOf: bytes)
            return
        }
        memory.append(contentsOf: bytes)
        guard memory.count > threshold else { return }
        if spillFailure == nil {
            do {
                try spill()
                return
            } catch {
                removeFile()
                spillFailure = error
            }
        }
        guard memory.count <= memoryFallback, spillFailure != nil else {
            throw SpoolError(path: directory.path, reason: "\(spillFailure.map { "\($0)" } ?? "") and the message is over \(memoryFallback) bytes")
        }
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
        spillFailure = nil
        removeFile()
    }

    private func removeFile() {
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
        fileURL = url
        let handle = try FileHandle(forWritingTo: url)
        file = handle
        try handle.write(contentsOf: memory)
        memory = []
    }
}

struct SpoolError: Error, CustomStringConvertible {
    var path: String
    var reason: String?
    var description: String {
        if let reason { return "cannot spool in \(path): \(reason)" }
        return "cannot create spool file \(path) (check spool.directory and its permissions)"
    }
}
