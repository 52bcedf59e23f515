import StewardCore

/// OLE2 compound files (doc, xls, ppt, msg): VBA macros, embedded programs and encryption.
///
/// Whether a storage or stream of a given name exists is a byte search (the directory stores
/// every entry name as plain UTF-16LE), which no hostile sector table can confuse; the
/// `CompoundFile` reader is used only where a stream's content must be read: the flags of
/// legacy encryption, and PowerPoint's embedded objects, which are stored zlib-compressed.
enum OLEScan {
    static let signature: [UInt8] = [0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1]
    private static let vbaProject = utf16("_VBA_PROJECT")
    private static let encryptedPackage = utf16("EncryptedPackage")
    private static let oleNative = utf16("Ole10Native")

    static func isCompoundFile(_ head: ArraySlice<UInt8>) -> Bool { head.starts(with: signature) }

    static func markers(_ content: PartContent, description: String?) -> [ContentMarker] {
        var markers = codeMarkers(content)
        let file = CompoundFile(content)
        // PowerPoint compresses embedded objects and the VBA project's storage: look inside.
        for object in file.map(PowerPointObjects.storages) ?? [] {
            for marker in codeMarkers(PartContent(object)) where !markers.contains(marker) { markers.append(marker) }
        }
        if let file, let what = legacyEncryption(file) {
            markers.append(ContentMarker(kind: .encrypted, detail: what))
        } else if content.contains(encryptedPackage) || (description ?? "").contains("Encrypted") {
            markers.append(ContentMarker(kind: .encrypted, detail: "password-protected Office document"))
        }
        return markers
    }

    /// Macros and OLE packages holding a program, by name and content.
    private static func codeMarkers(_ content: PartContent) -> [ContentMarker] {
        var markers: [ContentMarker] = []
        if content.contains(vbaProject) {
            markers.append(ContentMarker(kind: .officeMacros, detail: "Office macros (VBA project)"))
        }
        if content.contains(oleNative), containsWindowsProgram(content) {
            markers.append(ContentMarker(kind: .officeEmbeddedProgram, detail: "Office document with an embedded Windows program (OLE package)"))
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
    /// `PE\0\0`, or a DOS header of the standard shape.
    static func containsWindowsProgram(_ content: PartContent) -> Bool {
        // A header is judged only with the bytes it may point at (e_lfanew < 4096) in the window.
        let lookahead = 4096 + 0x40 + 8
        var seen = 0
        var found = false
        content.scan(lookahead: lookahead) { window, isLast in
            let safeEnd = isLast ? window.count : max(0, window.count - lookahead)
            for offset in ByteSearch.offsets(of: [0x4D, 0x5A], in: window, limit: 200 - seen) where offset < safeEnd {
                seen += 1
                if isWindowsProgram(window, at: offset) {
                    found = true
                    return nil
                }
            }
            return seen >= 200 ? nil : safeEnd
        }
        return found
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
