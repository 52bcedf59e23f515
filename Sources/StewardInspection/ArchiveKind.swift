import StewardCore

/// Which parts inspection opens as archives, by true type (libmagic), never by name.
struct ArchiveKind: Sendable, Hashable {
    /// Short name for details (`zip archive`, `gzip file`).
    var name: String
    /// A compressed single file (gzip, bzip2, xz…) rather than an archive of files: libarchive
    /// must be allowed its "raw" format to hand out the one file.
    var singleFile: Bool
    /// Outlook's winmail.dat, read by `TNEFReader` rather than libarchive.
    var tnef = false

    private static let byType: [String: ArchiveKind] = [
        "application/zip": .init(name: "zip archive", singleFile: false),
        "application/x-zip-compressed": .init(name: "zip archive", singleFile: false),
        "application/java-archive": .init(name: "Java archive", singleFile: false),
        "application/epub+zip": .init(name: "EPUB book", singleFile: false),
        "application/x-7z-compressed": .init(name: "7z archive", singleFile: false),
        "application/x-rar": .init(name: "RAR archive", singleFile: false),
        "application/vnd.rar": .init(name: "RAR archive", singleFile: false),
        "application/x-rar-compressed": .init(name: "RAR archive", singleFile: false),
        "application/x-tar": .init(name: "tar archive", singleFile: false),
        "application/x-gtar": .init(name: "tar archive", singleFile: false),
        "application/vnd.ms-cab-compressed": .init(name: "cabinet archive", singleFile: false),
        "application/x-cpio": .init(name: "cpio archive", singleFile: false),
        "application/x-iso9660-image": .init(name: "ISO disk image", singleFile: false),
        "application/x-arj": .init(name: "ARJ archive", singleFile: false),
        "application/x-lha": .init(name: "LHA archive", singleFile: false),
        "application/x-lzh-compressed": .init(name: "LHA archive", singleFile: false),
        "application/x-archive": .init(name: "ar archive", singleFile: false),
        "application/x-xar": .init(name: "xar archive", singleFile: false),
        "application/gzip": .init(name: "gzip file", singleFile: true),
        "application/x-gzip": .init(name: "gzip file", singleFile: true),
        "application/x-bzip2": .init(name: "bzip2 file", singleFile: true),
        "application/x-xz": .init(name: "xz file", singleFile: true),
        "application/x-lzma": .init(name: "lzma file", singleFile: true),
        "application/zstd": .init(name: "zstd file", singleFile: true),
        "application/x-lzip": .init(name: "lzip file", singleFile: true),
        "application/x-compress": .init(name: "compressed file", singleFile: true),
    ]

    /// The archive kind of a part by its true type; nil for anything else (and for empty parts).
    static func of(_ part: MessagePart) -> ArchiveKind? {
        guard !part.content.isEmpty, let type = part.trueType else { return nil }
        if let kind = byType[type] { return kind }
        if type == "application/vnd.ms-tnef" { return ArchiveKind(name: "TNEF file (winmail.dat)", singleFile: false, tnef: true) }
        // Office Open XML and OpenDocument files are zip archives; macros hide inside them.
        if type.hasPrefix("application/vnd.openxmlformats-officedocument.")
            || type.hasPrefix("application/vnd.oasis.opendocument.")
            || (type.hasPrefix("application/vnd.ms-") && type.hasSuffix("macroenabled.12")) {
            return ArchiveKind(name: "Office document", singleFile: false)
        }
        return nil
    }
}
