import CStewardCMS
import Glibc

/// The signed content of a CMS SignedData structure, through OpenSSL (see the shim).
enum SignedData {
    static func content(_ der: [UInt8], maxBytes: Int) -> [UInt8]? {
        var length = 0
        let copy = der.withUnsafeBufferPointer { buffer in
            steward_cms_signed_content(buffer.baseAddress, buffer.count, maxBytes, &length)
        }
        guard let copy else { return nil }
        defer { free(copy) }
        return Array(UnsafeBufferPointer(start: copy, count: length))
    }
}
