import Foundation
import StewardCore
@testable import StewardInspection
import Testing

/// Issue 12: files carried inside other files — a zip or program after a picture's end, an
/// object embedded in RTF — are found and judged like any attachment; plain pictures and RTF
/// letters pass.
@Suite struct CarriedFileTests {
    let judge = Judge()

    /// A 4×4 PNG written with Python's zlib (the PNG format is only chunks and zlib).
    static func png() throws -> [UInt8] {
        try Files.python("""
            import struct, zlib
            def chunk(kind, data): return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
            raw = b"".join(b"\\0" + b"\\x20\\x60\\xa0" * 4 for _ in range(4))
            open("out", "wb").write(b"\\x89PNG\\r\\n\\x1a\\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", 4, 4, 8, 2, 0, 0, 0)) + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b""))
            """)
    }

    /// A real JPEG from libjpeg-turbo's cjpeg (a 16×16 picture from a PPM).
    static func jpeg() throws -> [UInt8] {
        let ppm = Array("P6 16 16 255\n".utf8) + (0..<256).flatMap { i -> [UInt8] in [UInt8(i), UInt8(255 - i), 128] }
        return try Files.run(["sh", "-c", "cjpeg -quality 80 in.ppm > out"], inputs: ["in.ppm": ppm], output: "out")
    }

    @Test("a program or a zip after a picture's end is judged", arguments: ["png", "jpeg"])
    func appendedToPicture(kind: String) throws {
        let picture = kind == "png" ? try Self.png() : try Self.jpeg()
        let zipped = try Files.zip([("tool.exe", try Files.pe())])
        let withZip = try judge.findings(Mail.attached("photo.\(kind == "png" ? "png" : "jpg")", picture + zipped, type: "image/\(kind)"))
        #expect(withZip.contains { $0.hasPrefix("executable-attachment:") && $0.contains("(data after the end of the picture)") && $0.contains("\"tool.exe\"") }, "\(withZip)")
        let withProgram = try judge.rules(Mail.attached("photo.png", picture + (try Files.pe()), type: "image/png"))
        #expect(withProgram.contains("executable-attachment"), "\(withProgram)")
    }

    @Test("plain pictures pass, also with a few bytes of padding after their end", arguments: ["png", "jpeg"])
    func plainPicturesPass(kind: String) throws {
        let picture = kind == "png" ? try Self.png() : try Self.jpeg()
        #expect(try judge.findings(Mail.attached("photo.\(kind)", picture, type: "image/\(kind)")).isEmpty)
        #expect(try judge.findings(Mail.attached("photo.\(kind)", picture + [0, 0, 0, 0, 0x0A], type: "image/\(kind)")).isEmpty)
    }

    @Test("a program packed into an RTF letter (ClamAV's clam.exe.rtf) is judged")
    func rtfPackage() throws {
        let findings = try judge.findings(Mail.attached("letter.rtf", try Files.clam("clam.exe.rtf"), type: "application/rtf"))
        #expect(findings.contains { $0.hasPrefix("executable-attachment:") && $0.contains("part 2 \"letter.rtf\" > ") }, "\(findings)")
    }

    @Test("an RTF letter without objects passes")
    func plainRTFPasses() throws {
        let rtf = Array(#"{\rtf1\ansi\deff0{\fonttbl{\f0 Times New Roman;}}\f0\fs24 Dear Bob,\par the meeting is on Thursday.\par}"#.utf8)
        #expect(try judge.findings(Mail.attached("letter.rtf", rtf, type: "application/rtf")).isEmpty)
    }
}

/// BinHex 4.0: ClamAV's clam.exe.binhex, and a text file put into BinHex by macutils' binhex.
@Suite struct BinHexTests {
    let judge = Judge()

    @Test("a program in BinHex is judged, as an attachment and pasted into a text part")
    func programInBinHex() throws {
        let hqx = try Files.clam("clam.exe.binhex")
        let attached = try judge.findings(Mail.attached("setup.hqx", hqx, type: "application/mac-binhex40"))
        #expect(attached.contains { $0.hasPrefix("executable-attachment:") && $0.contains("part 2 \"setup.hqx\" > ") }, "\(attached)")
        let pasted = try judge.rules(Mail.message([], text: "Here it is:\r\n\r\n" + String(decoding: hqx, as: UTF8.self)))
        #expect(pasted.contains("executable-attachment"), "\(pasted)")
    }

    @Test("a text file in BinHex (macutils' binhex) passes, and is opened")
    func textInBinHex() throws {
        let hqx = try Files.run(["sh", "-c", "binhex -d agenda.txt > out"], inputs: ["agenda.txt": Array("Agenda for Thursday: minutes, pay, any other business.\n".utf8)], output: "out")
        let bytes = Mail.attached("agenda.hqx", hqx, type: "application/mac-binhex40")
        #expect(try judge.findings(bytes).isEmpty)
        let part = try #require(try StewardInspection.Inspector().inspect(bytes: bytes).allParts.first { $0.filename == "agenda.txt" })
        #expect(part.content.prefix(6) == Array("Agenda".utf8))
    }
}

/// MS-DOS COMPRESS.EXE: ClamAV's clam.exe.szdd is unpacked (libmspack) and its program judged.
@Suite struct MSCompressTests {
    @Test("a program packed as SZDD is unpacked and judged")
    func szdd() throws {
        let findings = try Judge().findings(Mail.attached("clam.ex_", try Files.clam("clam.exe.szdd")))
        // ClamAV's file records no missing letter, so the unpacked file keeps the packed name.
        #expect(findings == [#"executable-attachment: part 2 "clam.ex_" > "clam.ex_": Windows executable (PE32) named as .ex_"#], "\(findings)")
    }

    @Test("an SZDD-packed text file passes")
    func szddText() throws {
        // The SZDD header with an uncompressed LZSS stream: every flag bit 1 means literal bytes.
        let text = Array("Minutes of the meeting.".utf8)
        var packed: [UInt8] = MSCompress.szdd + [0x41, UInt8(ascii: "t")] + withUnsafeBytes(of: UInt32(text.count).littleEndian, Array.init)
        for start in stride(from: 0, to: text.count, by: 8) {
            let chunk = text[start..<min(start + 8, text.count)]
            packed.append(0xFF)
            packed += chunk
        }
        let bytes = Mail.attached("minutes.tx_", packed)
        #expect(try Judge().findings(bytes).isEmpty)
        let part = try #require(try Inspector().inspect(bytes: bytes).allParts.first { $0.filename == "minutes.txt" })
        #expect(part.content.prefix(100) == text)
    }
}

/// KWAJ, the later COMPRESS.EXE format. No Debian tool writes KWAJ, so the test writes the
/// header itself (it is 14 bytes and optional fields); libmspack reads it as it reads
/// Microsoft's own files. Method 0 stores the bytes, method 1 XORs each with 0xFF.
@Suite struct KWAJTests {
    static func kwaj(_ content: [UInt8], method: UInt16, name: String?, ext: String?) -> [UInt8] {
        var fields: [UInt8] = []
        var flags: UInt16 = 0x0001                                   // the unpacked length follows
        fields += withUnsafeBytes(of: UInt32(content.count).littleEndian, Array.init)
        if let name { flags |= 0x0008; fields += Array(name.utf8) + [0] }
        if let ext { flags |= 0x0010; fields += Array(ext.utf8) + [0] }
        let offset = UInt16(14 + fields.count)
        var header = MSCompress.kwaj
        for value in [method, offset, flags] { header += withUnsafeBytes(of: value.littleEndian, Array.init) }
        return header + fields + (method == 1 ? content.map { $0 ^ 0xFF } : content)
    }

    @Test("a program packed as KWAJ is unpacked and judged under the name its header stores", arguments: [UInt16(0), 1])
    func program(method: UInt16) throws {
        let packed = Self.kwaj(try Files.pe(), method: method, name: "invoice", ext: "exe")
        let findings = try Judge().findings(Mail.attached("invoice.ex_", packed))
        #expect(findings.contains { $0.hasPrefix(#"executable-attachment: part 2 "invoice.ex_" > "invoice.exe": Windows executable"#) }, "\(findings)")
    }

    @Test("a KWAJ-packed text file passes, and its text is read", arguments: [UInt16(0), 1])
    func text(method: UInt16) throws {
        let text = Array("Minutes of the branch meeting, 3 December.".utf8)
        let bytes = Mail.attached("minutes.tx_", Self.kwaj(text, method: method, name: "minutes", ext: "txt"))
        #expect(try Judge().findings(bytes).isEmpty)
        let part = try #require(try Inspector().inspect(bytes: bytes).allParts.first { $0.filename == "minutes.txt" })
        #expect(part.content.prefix(100) == text)
    }
}

/// Cabinet files written by gcab (GNOME's cabinet tool, Debian's gcab), compressed with MSZIP
/// as Windows' makecab does: the files inside are judged; a cabinet of documents passes.
@Suite struct CabinetTests {
    static func cab(_ members: [(String, [UInt8])]) throws -> [UInt8] {
        var inputs: [String: [UInt8]] = [:]
        for (name, bytes) in members { inputs["in/\(name)"] = bytes }
        let names = members.map { "'\($0.0)'" }.joined(separator: " ")
        return try Files.run(["sh", "-c", "cd in && gcab --create --zip ../out \(names)"], inputs: inputs, output: "out")
    }

    @Test("a program in a gcab cabinet is found by its content, whatever its name")
    func program() throws {
        let cab = try Self.cab([("readme.txt", Array("Read me.".utf8)), ("setup.dat", try Files.pe())])
        #expect(cab.starts(with: Array("MSCF".utf8)))
        let findings = try Judge().findings(Mail.attached("update.cab", cab))
        #expect(findings.contains { $0.hasPrefix(#"executable-attachment: part 2 "update.cab" > "setup.dat": Windows executable"#) }, "\(findings)")
    }

    @Test("a gcab cabinet of documents passes")
    func documents() throws {
        let cab = try Self.cab([("readme.txt", Array("Read me.".utf8)), ("notes.txt", Array("Branch notes for the AGM.".utf8))])
        #expect(try Judge().findings(Mail.attached("papers.cab", cab)).isEmpty)
    }
}

/// Opaque S/MIME signed messages (application/pkcs7-mime; smime-type=signed-data), made by
/// `openssl cms -sign -nodetach`: the signed content is inspected.
@Suite struct SignedMessageTests {
    /// A whole message whose body is `entity` signed opaquely with a throwaway certificate.
    static func signed(_ entity: String) throws -> [UInt8] {
        let smime = try Files.run(["sh", "-c", """
            openssl req -x509 -newkey rsa:2048 -nodes -subj /CN=steward-test -days 2 -keyout key.pem -out cert.pem 2>/dev/null &&
            openssl cms -sign -nodetach -in entity.txt -signer cert.pem -inkey key.pem -outform SMIME -out out
            """], inputs: ["entity.txt": Array(entity.utf8)], output: "out")
        let headers = "From: Carol <carol@partner.example>\r\nTo: bob@london.union.example\r\nSubject: signed\r\nDate: Sat, 21 Nov 2026 10:00:00 +0000\r\nMessage-ID: <signed@partner.example>\r\n"
        return Array(headers.utf8) + smime
    }

    static func entity(attachment name: String, type: String, bytes: [UInt8]) -> String {
        [
            "Content-Type: multipart/mixed; boundary=\"s1\"", "",
            "--s1", "Content-Type: text/plain; charset=utf-8", "", "Please see the attached.",
            "--s1", "Content-Type: \(type); name=\"\(name)\"", "Content-Disposition: attachment; filename=\"\(name)\"",
            "Content-Transfer-Encoding: base64", "", Mail.base64(bytes), "--s1--", "",
        ].joined(separator: "\r\n")
    }

    @Test("a program inside an opaque S/MIME signed message is judged")
    func programInsideSignature() throws {
        let bytes = try Self.signed(Self.entity(attachment: "invoice.exe", type: "application/octet-stream", bytes: try Files.pe()))
        #expect(String(decoding: bytes, as: UTF8.self).contains("smime-type=signed-data"))
        let findings = try Judge().findings(bytes)
        #expect(findings.contains { $0.hasPrefix("executable-attachment:") && $0.contains("\"invoice.exe\"") }, "\(findings)")
    }

    @Test("an S/MIME-signed letter with a PDF passes")
    func signedLetterPasses() throws {
        let pdf = Array("%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n2 0 obj << /Type /Pages /Kids [] /Count 0 >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n".utf8)
        let bytes = try Self.signed(Self.entity(attachment: "letter.pdf", type: "application/pdf", bytes: pdf))
        #expect(try Judge().findings(bytes).isEmpty)
        #expect(try Inspector().inspect(bytes: bytes).allParts.contains { $0.filename == "letter.pdf" })
    }
}
