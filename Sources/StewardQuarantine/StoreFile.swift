import Foundation

/// Files Steward keeps beside its data (the SQLite store, keys, audit checkpoints) hold
/// members' mail and the evidence: created readable by their owner only, whatever the umask of
/// the shell that first made them (an admin's 022 would make the store 0644).
enum StoreFile {
    /// Creates the SQLite store empty, mode 0600, if it does not exist. SQLite gives its -wal
    /// and -shm files the mode (and, under root, the owner) of the database file, so they follow.
    static func createPrivate(path: String) throws(QuarantineError) {
        let descriptor = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        if descriptor < 0 {
            if errno == EEXIST { return }
            throw QuarantineError(code: .cannotOpen, detail: "cannot create \(path): \(String(cString: strerror(errno)))")
        }
        defer { close(descriptor) }
        giveToDirectoryOwner(descriptor, path: path)
    }

    /// An admin running `steward` as root must not leave a file the `steward` service cannot
    /// open: a file root creates in a directory someone else owns (/var/lib/steward) is given
    /// to that directory's owner and group.
    static func giveToDirectoryOwner(_ descriptor: Int32, path: String) {
        guard geteuid() == 0 else { return }
        var directory = stat()
        var file = stat()
        let parent = URL(fileURLWithPath: path).deletingLastPathComponent().path
        guard stat(parent, &directory) == 0, fstat(descriptor, &file) == 0, directory.st_uid != 0, file.st_uid == 0 else { return }
        _ = fchown(descriptor, directory.st_uid, directory.st_gid)
    }
}
