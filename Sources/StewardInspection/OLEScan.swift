import StewardCore

/// OLE2 compound files (doc, xls, ppt, msg): VBA macros, embedded programs and encryption.
///
/// Whether a storage or stream of a given name exists is a byte search (the directory stores
/// every entry name as plain UTF-16LE), which no hostile sector table can confuse — all the
/// searches in the part's one pass (`WindowedScan`); the
/// `CompoundFile` reader is used only where a stream's content must be read: the flags of
/// legacy encryption, and PowerPoint's embedded objects, which are stored zlib-compressed.
enum OLEScan {
    static let signature: [UInt8] = [0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1]
    static let vbaProject = utf16("_VBA_PROJECT")
    static let encryptedPackage = utf16("EncryptedPackage")
    static let oleNative = utf16("Ole10Native")

    static func isCompoundFile(_ head: ArraySlice<UInt8>) -> Bool { head.starts(with: signature) }

    /// The name and program searches of one compound file, run in the part's one pass.
    final class Searches {
        let vbaProject = SignatureSearch(OLEScan.vbaProject)
        let oleNative = SignatureSearch(OLEScan.oleNative)
        let encryptedPackage = SignatureSearch(OLEScan.encryptedPackage)
        let program = WindowsProgramSearch()

        var scanners: [any WindowScanner] { [vbaProject, oleNative, encryptedPackage, program] }

        /// Macros and OLE packages holding a program, by name and content.
        var codeMarkers: [ContentMarker] {
            var markers: [ContentMarker] = []
            if vbaProject.found {
                markers.append(ContentMarker(kind: .officeMacros, detail: "Office macros (VBA project)"))
            }
            if oleNative.found, program.found {
                markers.append(ContentMarker(kind: .officeEmbeddedProgram, detail: "Office document with an embedded Windows program (OLE package)"))
            }
            return markers
        }
    }

    /// What the searches found, with what only the compound file's structure tells: the
    /// objects PowerPoint stores compressed, and legacy encryption flags.
    static func markers(_ content: PartContent, searches: Searches, description: String?) -> [ContentMarker] {
        var markers = searches.codeMarkers
        let file = CompoundFile(content)
        // PowerPoint compresses embedded objects and the VBA project's storage: look inside.
        for object in file.map(PowerPointObjects.storages) ?? [] {
            let inner = Searches()
            WindowedScan.run(PartContent(object), inner.scanners)
            for marker in inner.codeMarkers where !markers.contains(marker) { markers.append(marker) }
        }
        if let file, let what = legacyEncryption(file) {
            markers.append(ContentMarker(kind: .encrypted, detail: what))
        } else if searches.encryptedPackage.found || (description ?? "").contains("Encrypted") {
            markers.append(ContentMarker(kind: .encrypted, detail: "password-protected Office document"))
        }
        return markers
    }

    /// Office 97–2003 files encrypted the old way keep their streams' names and say so inside
    /// them: Word in the FIB's flags (`fEncrypted`, with `fObfuscated` for XOR), Excel with a
    /// FILEPASS record among the workbook's first records, PowerPoint with an
    /// `EncryptedSummary` stream. No `EncryptedPackage` stream, so the name search misses them.
    static func legacyEncryption(_ file: CompoundFile) -> String? {
        if let fib = file.stream(named: "WordDocument", maxBytes: 0x0C), fib.count == 0x0C, CompoundFile.u16(fib, 0) == 0xA5EC {
            let flags = CompoundFile.u16(fib, 0x0A)
            if flags & 0x0100 != 0 {
                return "password-protected Word document (" + (flags & 0x8000 != 0 ? "legacy XOR obfuscation)" : "legacy RC4 encryption)")
            }
        }
        if let book = file.stream(named: "Workbook", maxBytes: 16 * 1024) ?? file.stream(named: "Book", maxBytes: 16 * 1024) {
            // BIFF records: type and length (16 bits each), then the data. FILEPASS follows
            // the first BOF; stop at the globals' EOF.
            var offset = 0
            for _ in 0..<64 where offset + 4 <= book.count {
                let type = CompoundFile.u16(book, offset)
                if type == 0x002F {
                    let xor = CompoundFile.u16(book, offset + 4) == 0
                    return "password-protected Excel workbook (" + (xor ? "legacy XOR obfuscation)" : "legacy RC4 encryption)")
                }
                if type == 0x000A { break }
                offset += 4 + Int(CompoundFile.u16(book, offset + 2))
            }
        }
        if file.entries.contains(where: { $0.type == 2 && $0.name == "EncryptedSummary" }) {
            return "password-protected PowerPoint presentation (legacy RC4 encryption)"
        }
        return nil
    }

    /// A Windows program stored inside the file: an `MZ` header whose `e_lfanew` points at
    /// `PE\0\0`, or a DOS header of the standard shape (at most 200 `MZ`s are looked at).
    final class WindowsProgramSearch: WindowScanner {
        private(set) var found = false
        private var seen = 0

        /// A header is judged only with the bytes it may point at (e_lfanew < 4096) in the window.
        var lookahead: Int { 4096 + 0x40 + 8 }

        func consume(_ window: UnsafeBufferPointer<UInt8>, safeEnd: Int, isLast: Bool) -> Int? {
            for offset in ByteSearch.offsets(of: [0x4D, 0x5A], in: window, limit: 200 - seen) where offset < safeEnd {
                seen += 1
                if OLEScan.isWindowsProgram(window, at: offset) {
                    found = true
                    return nil
                }
            }
            return seen >= 200 ? nil : safeEnd
        }
    }

    private static func isWindowsProgram(_ content: UnsafeBufferPointer<UInt8>, at offset: Int) -> Bool {
        guard offset + 0x40 <= content.count else { return false }
        let lfanew = Int(content[offset + 0x3C]) | Int(content[offset + 0x3D]) << 8
            | Int(content[offset + 0x3E]) << 16 | Int(content[offset + 0x3F]) << 24
        let pe = offset + lfanew
        if lfanew > 0, lfanew < 4096, pe + 4 <= content.count,
           content[pe] == 0x50, content[pe + 1] == 0x45, content[pe + 2] == 0, content[pe + 3] == 0 {
            return true
        }
        // Compound files store streams in 512-byte sectors that need not follow each other,
        // so the PE header may sit elsewhere: a DOS header of the shape every Windows linker
        // writes (4 header paragraphs, relocations at 0x40) is enough.
        return content[offset + 0x08] == 4 && content[offset + 0x09] == 0 && content[offset + 0x18] == 0x40 && content[offset + 0x19] == 0
    }

    private static func utf16(_ text: String) -> [UInt8] {
        text.utf16.flatMap { [UInt8($0 & 0xFF), UInt8($0 >> 8)] }
    }
}
