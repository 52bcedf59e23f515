import Foundation
import StewardCore
@testable import StewardInspection
import Testing

/// Ways to carry a file that mail programs still open: transfer encodings GMime does not know
/// (`uue`, `x-yencode`), yEnc pasted into a text, a zip whose central directory names a member
/// differently from its local header, text hidden in an RTF object's ignorable groups, and a
/// zip tucked into a picture's chunks. Each beside a clean twin.
@Suite struct EncodingEvasionTests {
    let judge = Judge()

    /// A message with one attachment in the given transfer encoding, its body written as is.
    static func encoded(_ name: String, encoding: String, body: String, type: String = "application/zip") -> [UInt8] {
        let lines = [
            "From: Carol <carol@partner.example>", "To: bob@london.union.example", "Subject: papers",
            "Date: Sat, 21 Nov 2026 10:00:00 +0000", "Message-ID: <enc-\(encoding)@partner.example>", "MIME-Version: 1.0",
            "Content-Type: multipart/mixed; boundary=\"b1\"", "", "--b1", "Content-Type: text/plain; charset=utf-8", "",
            "Please see the attached.", "--b1", "Content-Type: \(type); name=\"\(name)\"",
            "Content-Disposition: attachment; filename=\"\(name)\"", "Content-Transfer-Encoding: \(encoding)", "", body, "--b1--", "",
        ]
        return Array(lines.joined(separator: "\r\n").utf8)
    }

    /// uuencode of `bytes` (Python's binascii, 45 bytes a line), `begin` … `end`.
    static func uuencode(_ bytes: [UInt8], name: String) throws -> String {
        String(decoding: try Files.python("""
            import binascii
            data = open("in", "rb").read()
            lines = [binascii.b2a_uu(data[i:i + 45]) for i in range(0, len(data), 45)]
            open("out", "wb").write(b"begin 644 \(name)\\n" + b"".join(lines) + b"`\\nend\\n")
            """, inputs: ["in": bytes]), as: UTF8.self)
    }

    /// yEnc (no Debian tool writes it; the format is "add 42, escape the special bytes").
    static func yEnc(_ bytes: [UInt8], name: String) -> String {
        // Bytes above 0x7F are kept as Latin-1 characters so the message stays one string.
        func latin1(_ line: [UInt8]) -> String { String(String.UnicodeScalarView(line.map { Unicode.Scalar($0) })) }
        var line: [UInt8] = []
        var lines: [String] = []
        for byte in bytes {
            let value = byte &+ 42
            if [0, 0x0A, 0x0D, 0x3D].contains(value) { line += [0x3D, value &+ 64] } else { line.append(value) }
            if line.count >= 128 {
                lines.append(latin1(line))
                line = []
            }
        }
        if !line.isEmpty { lines.append(latin1(line)) }
        return (["=ybegin line=128 size=\(bytes.count) name=\(name)"] + lines + ["=yend size=\(bytes.count)"]).joined(separator: "\r\n")
    }

    /// The message bytes with Latin-1 characters written back as single bytes (the yEnc data).
    static func latin1(_ text: [UInt8]) -> [UInt8] {
        Array(String(decoding: text, as: UTF8.self).unicodeScalars.map { UInt8(truncatingIfNeeded: $0.value) })
    }

    @Test("a zip sent with Content-Transfer-Encoding uue, as Thunderbird decodes it, is opened")
    func uueTransferEncoding() throws {
        let zip = try Files.zip([("tool.exe", try Files.pe())])
        let held = try judge.findings(Self.encoded("docs.zip", encoding: "uue", body: try Self.uuencode(zip, name: "docs.zip")))
        #expect(held.contains { $0.hasPrefix("executable-attachment:") && $0.contains("\"docs.zip\" > \"tool.exe\"") }, "\(held)")
        let clean = try Files.zip([("agenda.txt", Array("Agenda for Thursday.\n".utf8))])
        #expect(try judge.findings(Self.encoded("docs.zip", encoding: "uue", body: try Self.uuencode(clean, name: "docs.zip"))).isEmpty)
    }

    @Test("a zip sent with Content-Transfer-Encoding x-yencode is opened")
    func yEncTransferEncoding() throws {
        let zip = try Files.zip([("tool.exe", try Files.pe())])
        let held = try judge.findings(Self.latin1(Self.encoded("docs.zip", encoding: "x-yencode", body: Self.yEnc(zip, name: "docs.zip"))))
        #expect(held.contains { $0.hasPrefix("executable-attachment:") && $0.contains("\"docs.zip\" > \"tool.exe\"") }, "\(held)")
        let clean = try Files.zip([("agenda.txt", Array("Agenda for Thursday.\n".utf8))])
        let bytes = Self.latin1(Self.encoded("docs.zip", encoding: "x-yencode", body: Self.yEnc(clean, name: "docs.zip")))
        #expect(try judge.findings(bytes).isEmpty)
        let member = try #require(try Inspector().inspect(bytes: bytes).allParts.first { $0.filename == "agenda.txt" })
        #expect(member.content.prefix(6) == Array("Agenda".utf8))
    }

    @Test("a yEnc file pasted into a text body is judged; a yEnc text file passes")
    func yEncInBody() throws {
        let script = Array("WScript.Echo(\"hello\");\r\n".utf8)
        let held = try judge.rules(Self.latin1(Mail.message([], text: "Here it is:\r\n\r\n" + Self.yEnc(script, name: "run.js"))))
        #expect(held.contains("risky-file-name"), "\(held)")
        let text = Array("Agenda for Thursday: minutes, pay, any other business.\n".utf8)
        let bytes = Self.latin1(Mail.message([], text: "Here it is:\r\n\r\n" + Self.yEnc(text, name: "agenda.txt")))
        #expect(try judge.findings(bytes).isEmpty)
        let part = try #require(try Inspector().inspect(bytes: bytes).allParts.first { $0.filename == "agenda.txt" })
        #expect(part.content.prefix(1000) == text)
    }

    @Test("a zip member named differently in its central directory is judged under both names", arguments: [true, false])
    func centralDirectoryName(localIsHarmless: Bool) throws {
        // zip writes both names alike; one of them is then changed to a harmless name of the
        // same length, as an attacker's tool would.
        let zip = try Files.run(["sh", "-c", "zip -q out.zip run.js && mv out.zip out"], inputs: ["run.js": Array("WScript.Echo(1);\r\n".utf8)], output: "out")
        var patched = zip
        let name = Array("run.js".utf8)
        let offsets = ByteSearch.offsets(of: name, in: zip)
        try #require(offsets.count == 2, "local and central name")
        let at = localIsHarmless ? offsets[0] : offsets[1]
        patched.replaceSubrange(at..<(at + name.count), with: Array("run.tx".utf8))
        let held = try judge.findings(Mail.attached("docs.zip", patched))
        #expect(held.contains { $0.hasPrefix("risky-file-name:") && $0.contains(".js") }, "\(held)")
        // The zip unchanged but with both names harmless passes.
        var clean = zip
        for offset in offsets { clean.replaceSubrange(offset..<(offset + name.count), with: Array("run.tx".utf8)) }
        #expect(try judge.findings(Mail.attached("docs.zip", clean)).isEmpty)
    }

    @Test("an RTF object whose hex is broken up by ignorable groups holding text is still opened")
    func rtfIgnorableGroups() throws {
        let rtf = String(decoding: try Files.clam("clam.exe.rtf"), as: UTF8.self)
        let range = try #require(rtf.range(of: "\\objdata"))
        let head = rtf[..<range.upperBound]
        var tail = rtf[range.upperBound...]
        // Put a group of hex-looking text into the data every 64 characters of hex.
        var mixed = ""
        var hexCount = 0
        while let character = tail.first, character != "}" {
            mixed.append(character)
            tail = tail.dropFirst()
            if character.isHexDigit {
                hexCount += 1
                if hexCount % 64 == 0 { mixed += "{\\*\\bkmkstart deadbeef0}" }
            }
        }
        let letter = Array((head + mixed + tail).utf8)
        try #require(letter.count > rtf.utf8.count)
        let held = try judge.findings(Mail.attached("letter.rtf", letter, type: "application/rtf"))
        #expect(held.contains { $0.hasPrefix("executable-attachment:") && $0.contains("\"letter.rtf\" > ") }, "\(held)")
    }

    /// A PNG with a chunk of the given type holding `data`, before or after IEND.
    static func png(chunk type: String, data: [UInt8], afterEnd: Bool) throws -> [UInt8] {
        try Files.python("""
            import struct, zlib
            def chunk(kind, data): return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
            raw = b"".join(b"\\0" + b"\\x20\\x60\\xa0" * 4 for _ in range(4))
            extra = chunk(b"\(type)", open("in", "rb").read())
            head = b"\\x89PNG\\r\\n\\x1a\\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", 4, 4, 8, 2, 0, 0, 0)) + chunk(b"IDAT", zlib.compress(raw))
            end = chunk(b"IEND", b"")
            open("out", "wb").write(head + end + extra if \(afterEnd ? "True" : "False") else head + extra + end)
            """, inputs: ["in": data])
    }

    @Test("a zip inside a picture's chunk, before or after its end, is judged", arguments: [true, false])
    func zipInPictureChunk(afterEnd: Bool) throws {
        let zip = try Files.zip([("tool.exe", try Files.pe())])
        let picture = try Self.png(chunk: "zzZz", data: zip, afterEnd: afterEnd)
        // unzip opens the picture as the zip (it finds the zip's end record).
        let listing = try Files.run(["sh", "-c", "unzip -l photo.png > out 2>&1; true"], inputs: ["photo.png": picture], output: "out")
        #expect(String(decoding: listing, as: UTF8.self).contains("tool.exe"))
        let held = try judge.findings(Mail.attached("photo.png", picture, type: "image/png"))
        #expect(held.contains { $0.hasPrefix("executable-attachment:") && $0.contains("(zip inside the picture)") }, "\(held)")
        // A picture with an ordinary text chunk passes.
        let plain = try Self.png(chunk: "tEXt", data: Array("Comment\0Taken at the branch meeting".utf8), afterEnd: false)
        #expect(try judge.findings(Mail.attached("photo.png", plain, type: "image/png")).isEmpty)
    }
}
