public import Foundation
public import StewardCore
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// A temporary file holding the large parts of one message (decoded attachments, archive
/// members), one after another, so that their size costs disk, not memory. Each part is a
/// range of it (`PartContent`), so a message costs one file descriptor however many large
/// parts it has.
///
/// The file is unlinked the moment it is created: only the open descriptor keeps it, so it
/// disappears from the spool directory at once and its space is freed when the last part
/// holding it goes — after the message is judged, on an error, and even when the process
/// dies, with nothing left behind to clean up.
///
/// It lives here, not in StewardCore: core holds values, and a part's content only needs to be
/// read (`ContentFile`); making, writing and unlinking files is inspection's business.
public final class SpoolFile: ContentFile {
    /// Open for reading and writing; reads and writes use `pread` and `pwrite` at explicit
    /// offsets, so readers never disturb one another or the writer.
    private let descriptor: Int32
    /// Where the next append goes: the file's length.
    private let end = Mutex(0)

    private init(descriptor: Int32) {
        self.descriptor = descriptor
    }

    deinit { close(descriptor) }

    /// Creates an owner-only (0600, it is members' mail) file in `directory`, already unlinked.
    public static func create(in directory: URL) throws(SpoolFileError) -> SpoolFile {
        try? FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let path = directory.appendingPathComponent("part-\(UUID().uuidString)").path
        let fd = open(path, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw SpoolFileError(path: path, reason: String(cString: strerror(errno))) }
        unlink(path)
        return SpoolFile(descriptor: fd)
    }

    /// The file's length: where the next append goes.
    public var length: Int { end.withLock { $0 } }

    /// Appends bytes at the end of the file. One part is written at a time (inspection decodes
    /// and unpacks parts one after another), so each part's bytes form one range.
    public func append(_ bytes: UnsafeRawBufferPointer) throws(SpoolFileError) {
        let start = length
        var done = 0
        defer { end.withLock { $0 = start + done } }
        while done < bytes.count {
            let wrote = pwrite(descriptor, bytes.baseAddress! + done, bytes.count - done, off_t(start + done))
            if wrote < 0 {
                if errno == EINTR { continue }
                throw SpoolFileError(path: "(spooled part)", reason: String(cString: strerror(errno)))
            }
            done += wrote
        }
    }

    /// Runs `body` with `count` bytes from `offset` mapped from the file, read-only (nil when
    /// the system will not map them): a reader that wants megabytes at once (libmagic takes
    /// the first 7 MB of a part) reads the pages the file already has instead of a fresh copy
    /// of them. The file is never truncated, so its written bytes stay mapped.
    func withMappedBytes<R>(at offset: Int, count: Int, _ body: (UnsafeRawBufferPointer) -> R) -> R? {
        guard count > 0, offset >= 0 else { return body(UnsafeRawBufferPointer(start: nil, count: 0)) }
        let page = Int(sysconf(Int32(_SC_PAGESIZE)))
        let start = offset / page * page
        let length = offset - start + count
        let mapped = mmap(nil, length, PROT_READ, MAP_SHARED, descriptor, off_t(start))
        guard let mapped, mapped != MAP_FAILED else { return nil }
        defer { munmap(mapped, length) }
        return body(UnsafeRawBufferPointer(start: mapped + (offset - start), count: count))
    }

    /// Reads up to `buffer.count` bytes at `offset`; the count read (0 at the end or on error).
    public func read(into buffer: UnsafeMutableRawBufferPointer, at offset: Int) -> Int {
        var done = 0
        while done < buffer.count {
            let got = pread(descriptor, buffer.baseAddress! + done, buffer.count - done, off_t(offset + done))
            if got < 0, errno == EINTR { continue }
            if got <= 0 { break }
            done += got
        }
        return done
    }
}

/// A spool file could not be made or written (full disk, missing directory, permissions).
public struct SpoolFileError: Error, Sendable, CustomStringConvertible {
    public var path: String
    public var reason: String
    public var description: String { "cannot write spool file \(path): \(reason) (check spool.directory and its free space)" }
}
