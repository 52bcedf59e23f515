import Foundation

/// A key kept in a file of its own, outside the store (the release secret, the audit key):
/// 32 random bytes, created mode 0600 on first use whatever the umask, so someone holding only
/// the database cannot forge what the key signs.
public enum SecretFile {
    /// The key at `path`, created (with its directory) if the file is missing.
    public static func loadOrCreate(path: String, what: String) throws(QuarantineError) -> [UInt8] {
        if let data = FileManager.default.contents(atPath: path) {
            guard data.count >= 32 else {
                throw QuarantineError(code: .cannotOpen, detail: "the \(what) \(path) is shorter than 32 bytes; restore it from a backup")
            }
            return [UInt8](data)
        }
        if FileManager.default.fileExists(atPath: path) {
            throw QuarantineError(code: .cannotOpen, detail: "cannot read the \(what) \(path) (check its owner and mode)")
        }
        var secret = [UInt8](repeating: 0, count: 32)
        var generator = SystemRandomNumberGenerator()
        for index in secret.indices { secret[index] = UInt8.random(in: 0...255, using: &generator) }
        do {
            try FileManager.default.createDirectory(
                at: URL(fileURLWithPath: path).deletingLastPathComponent(), withIntermediateDirectories: true)
        } catch {
            throw QuarantineError(code: .cannotOpen, detail: "cannot create the directory of the \(what) \(path): \(error)")
        }
        // O_EXCL: two processes starting at once must not each write a key of their own.
        let descriptor = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        if descriptor < 0 {
            if errno == EEXIST, let data = FileManager.default.contents(atPath: path), data.count >= 32 { return [UInt8](data) }
            throw QuarantineError(code: .cannotOpen, detail: "cannot create the \(what) \(path): \(String(cString: strerror(errno)))")
        }
        defer { close(descriptor) }
        StoreFile.giveToDirectoryOwner(descriptor, path: path)
        let written = secret.withUnsafeBytes { write(descriptor, $0.baseAddress, $0.count) }
        guard written == secret.count, fsync(descriptor) == 0 else {
            throw QuarantineError(code: .cannotOpen, detail: "cannot write the \(what) \(path): \(String(cString: strerror(errno)))")
        }
        return secret
    }
}
