import CStewardArchive
import StewardCore

/// A spooled part (a range of the message's spool file) as libarchive's input: read, skip and
/// seek callbacks over just that range, so libarchive sees the archive alone — a zip's
/// central directory is found at the end of the archive, not of the spool file.
final class SpoolRange {
    let file: any ContentFile
    let start: Int
    let count: Int
    private var position = 0
    private let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 64 * 1024, alignment: 16)

    init(file: any ContentFile, start: Int, count: Int) {
        self.file = file
        self.start = start
        self.count = count
    }

    deinit { buffer.deallocate() }

    /// Opens `handle` on this range; the range must outlive the reading.
    func open(_ handle: OpaquePointer) -> Int32 {
        archive_read_set_callback_data(handle, Unmanaged.passUnretained(self).toOpaque())
        archive_read_set_read_callback(handle) { _, context, out in
            let range = Unmanaged<SpoolRange>.fromOpaque(context!).takeUnretainedValue()
            let want = min(range.buffer.count, range.count - range.position)
            guard want > 0 else { return 0 }
            let got = range.file.read(into: UnsafeMutableRawBufferPointer(rebasing: range.buffer[0..<want]), at: range.start + range.position)
            range.position += got
            out?.pointee = UnsafeRawPointer(range.buffer.baseAddress)
            return got
        }
        archive_read_set_skip_callback(handle) { _, context, request in
            let range = Unmanaged<SpoolRange>.fromOpaque(context!).takeUnretainedValue()
            let skipped = max(0, min(Int(request), range.count - range.position))
            range.position += skipped
            return Int64(skipped)
        }
        archive_read_set_seek_callback(handle) { _, context, offset, whence in
            let range = Unmanaged<SpoolRange>.fromOpaque(context!).takeUnretainedValue()
            let base = whence == SEEK_SET ? 0 : whence == SEEK_CUR ? range.position : range.count
            let target = base + Int(offset)
            guard target >= 0, target <= range.count else { return Int64(ARCHIVE_FATAL) }
            range.position = target
            return Int64(target)
        }
        return archive_read_open1(handle)
    }
}
