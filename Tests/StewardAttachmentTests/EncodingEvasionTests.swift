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

/// Zips that zip readers find from their end record wherever they start, Excel 4.0 macro
/// sheets, files attached to a calendar invite, winmail.dat's long file names, and shortcut
/// types Outlook blocks (issue 12).
@Suite struct HiddenContainerTests {
    let judge = Judge()

    @Test("a zip behind other bytes is opened: text before it, or a picture with zip -A's offsets")
    func prefixedZip() throws {
        let zip = try Files.zip([("invoice.js", Array("WScript.Echo(1);\r\n".utf8))])
        let prefixed = Array(String(repeating: "Invoice 2026, please find the papers enclosed.\r\n", count: 20).utf8) + zip
        let held = try judge.findings(Mail.attached("invoice.zip", prefixed, type: "application/zip"))
        #expect(held.contains { $0.hasPrefix("risky-file-name:") && $0.contains("(zip inside the file)") }, "\(held)")
        // zip -A rewrites the offsets to count from the start of the file (a picture here).
        let adjusted = try Files.run(["sh", "-c", "cat photo.png a.zip > out && zip -q -A out"], inputs: ["photo.png": try CarriedFileTests.png(), "a.zip": zip], output: "out")
        let listing = try Files.run(["sh", "-c", "unzip -l photo.png > out 2>&1; true"], inputs: ["photo.png": adjusted], output: "out")
        #expect(String(decoding: listing, as: UTF8.self).contains("invoice.js"))
        let fromPicture = try judge.findings(Mail.attached("photo.png", adjusted, type: "image/png"))
        #expect(fromPicture.contains { $0.hasPrefix("risky-file-name:") && $0.contains("invoice.js") }, "\(fromPicture)")
        // The same text before a zip of a letter passes.
        let letter = try Files.zip([("letter.txt", Array("Dear member,\r\n".utf8))])
        #expect(try judge.findings(Mail.attached("papers.zip", Array("Papers.\r\n".utf8) + letter, type: "application/zip")).isEmpty)
    }

    @Test("a zip64 file's central names are read (zip -fz)")
    func zip64CentralNames() throws {
        let zip = try Files.run(["sh", "-c", "zip -q -fz out.zip run.js && mv out.zip out"], inputs: ["run.js": Array("WScript.Echo(1);\r\n".utf8)], output: "out")
        var patched = zip
        let offsets = ByteSearch.offsets(of: Array("run.js".utf8), in: zip)
        try #require(offsets.count == 2)
        patched.replaceSubrange(offsets[0]..<(offsets[0] + 6), with: Array("run.tx".utf8))
        let held = try judge.findings(Mail.attached("docs.zip", patched))
        #expect(held.contains { $0.hasPrefix("risky-file-name:") && $0.contains("run.js") }, "\(held)")
    }

    /// An .xlsm with an Excel 4.0 macro sheet (`xl/macrosheets/sheet1.xml`), or with a plain sheet.
    static func workbook(macroSheet: Bool) throws -> [UInt8] {
        let ns = #"xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main""#
        var parts = [
            ("xl/workbook.xml", #"<?xml version="1.0"?><workbook \#(ns)><sheets><sheet name="Pay" sheetId="1"/></sheets></workbook>"#),
            ("xl/worksheets/sheet1.xml", #"<?xml version="1.0"?><worksheet \#(ns)><sheetData/></worksheet>"#),
        ]
        if macroSheet {
            parts.append(("xl/macrosheets/sheet1.xml", #"<?xml version="1.0"?><xm:macrosheet xmlns:xm="http://schemas.microsoft.com/office/excel/2006/main" \#(ns)><sheetData><row r="1"><c r="A1"><f>EXEC("calc.exe")</f></c></row><row r="2"><c r="A2"><f>HALT()</f></c></row></sheetData></xm:macrosheet>"#))
        }
        return try Files.officePackage(main: "xl/workbook.xml", type: "application/vnd.ms-excel.sheet.macroEnabled.main+xml", parts: parts)
    }

    @Test("an Excel 4.0 macro sheet is an Office macro; the same workbook without it passes")
    func excelMacroSheet() throws {
        let held = try judge.findings(Mail.attached("pay.xlsm", try Self.workbook(macroSheet: true)))
        #expect(held.contains { $0.hasPrefix("office-macro:") && $0.contains("Excel 4.0 macro sheet") }, "\(held)")
        #expect(try judge.rules(Mail.attached("pay.xlsm", try Self.workbook(macroSheet: false))).subtracting(["office-macro"]) == [])
        #expect(!(try judge.findings(Mail.attached("pay.xlsm", try Self.workbook(macroSheet: false)))).contains { $0.contains("Excel 4.0") })
    }

    @Test("a file attached inside a calendar invite is judged; a PDF there passes")
    func calendarAttachment() throws {
        func invite(_ name: String, _ bytes: [UInt8]) -> [UInt8] {
            let encoded = Data(bytes).base64EncodedString()
            var folded = "ATTACH;ENCODING=BASE64;VALUE=BINARY;X-FILENAME=\(name):"
            for (index, character) in encoded.enumerated() { folded += (index > 0 && index % 60 == 0 ? "\r\n " : "") + String(character) }
            return Array(("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nBEGIN:VEVENT\r\nSUMMARY:Branch meeting\r\n\(folded)\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n").utf8)
        }
        let held = try judge.findings(Mail.attached("invite.ics", invite("agenda.exe", try Files.pe()), type: "text/calendar"))
        #expect(held.contains { $0.hasPrefix("executable-attachment:") && $0.contains("\"invite.ics\" > \"agenda.exe\"") }, "\(held)")
        let pdf = Files.pdf("")
        #expect(try judge.findings(Mail.attached("invite.ics", invite("agenda.pdf", pdf), type: "text/calendar")).isEmpty)
    }

    @Test("shortcut and script types Outlook blocks are held by name", arguments: ["invoice.url", "update.wsc", "desktop.scf", "a.settingcontent-ms", "app.jnlp", "addin.xll"])
    func blockedTypes(name: String) throws {
        #expect(try judge.rules(Mail.attached(name, Array("[InternetShortcut]\r\nURL=file://203.0.113.9/share/a.exe\r\n".utf8))).contains("risky-file-name"), "\(name)")
    }
}

/// winmail.dat: Outlook saves each file under its long name (PR_ATTACH_LONG_FILENAME among the
/// attachment's MAPI properties), not the 8.3 title.
@Suite struct TNEFLongNameTests {
    let judge = Judge()

    /// A TNEF file ([MS-OXTNEF]) with one attachment: title, data, and the MAPI properties
    /// holding the long and short file names.
    static func winmail(title: String, longName: String, data: [UInt8]) throws -> [UInt8] {
        try Files.python("""
            import struct
            def attr(level, ident, value):
                return struct.pack("<BII", level, ident, len(value)) + value + struct.pack("<H", sum(value) & 0xFFFF)
            def string(kind, ident, text):
                raw = text.encode() + b"\\0"
                return struct.pack("<HHII", kind, ident, 1, len(raw)) + raw + b"\\0" * ((4 - len(raw) % 4) % 4)
            props = struct.pack("<I", 3) + struct.pack("<HHI", 0x0003, 0x0E21, 7) + string(0x001E, 0x3707, \(Files.pythonString(longName))) + string(0x001E, 0x3704, \(Files.pythonString(title)))
            t = struct.pack("<IH", 0x223E9F78, 0x1234)
            t += attr(1, 0x00089006, struct.pack("<I", 0x00010000))
            t += attr(2, 0x00069002, struct.pack("<HIIIII", 1, 0xFFFFFFFF, 0, 0, 0, 0)[:14])
            t += attr(2, 0x00018010, \(Files.pythonString(title)).encode() + b"\\0")
            t += attr(2, 0x0006800F, open("in", "rb").read())
            t += attr(2, 0x00069005, props)
            open("out", "wb").write(t)
            """, inputs: ["in": data])
    }

    @Test("a file is judged under its long name and its title")
    func longName() throws {
        let script = Array("WScript.Echo(1);\r\n".utf8)
        let held = try judge.findings(Mail.attached("winmail.dat", try Self.winmail(title: "README.TXT", longName: "readme.js", data: script), type: "application/ms-tnef"))
        #expect(held.contains { $0.hasPrefix("risky-file-name:") && $0.contains("\"winmail.dat\" > \"readme.js\"") }, "\(held)")
        let plain = try Self.winmail(title: "MINUTES.TXT", longName: "Branch minutes.txt", data: Array("Minutes\r\n".utf8))
        #expect(try judge.findings(Mail.attached("winmail.dat", plain, type: "application/ms-tnef")).isEmpty)
        let part = try #require(try Inspector().inspect(bytes: Mail.attached("winmail.dat", plain, type: "application/ms-tnef")).allParts.first { $0.filename == "Branch minutes.txt" })
        #expect(part.otherNames == ["MINUTES.TXT"])
    }
}

/// OneNote sections carry files as FileDataStoreObjects ([MS-ONESTORE] 2.6.13). No tool on
/// Debian writes OneNote files, so the section is built from the specification: the format's
/// GUID, then one stored file between its header and footer GUIDs.
@Suite struct OneNoteTests {
    let judge = Judge()

    static func section(holding file: [UInt8]) throws -> [UInt8] {
        try Files.python("""
            import struct, uuid
            data = open("in", "rb").read()
            head = uuid.UUID("7B5C52E4-D88C-4DA7-AEB1-5378D02996D3").bytes_le + b"\\0" * 1008
            store = (uuid.UUID("BDE316E7-2665-4511-A4C4-8D4D0B7A9EAC").bytes_le + struct.pack("<QIQ", len(data), 0, 0) + data
                     + b"\\0" * ((8 - len(data) % 8) % 8) + uuid.UUID("71FBA722-0F79-4A0B-BB13-899256426B24").bytes_le)
            open("out", "wb").write(head + store + b"\\0" * 64)
            """, inputs: ["in": file])
    }

    @Test("a program embedded in a OneNote section is judged; a PDF there passes")
    func embeddedFiles() throws {
        let held = try judge.findings(Mail.attached("Invoice.one", try Self.section(holding: try Files.pe()), type: "application/onenote"))
        #expect(held.contains { $0.hasPrefix("executable-attachment:") && $0.contains("\"Invoice.one\" > \"(file embedded in the OneNote page 1)\"") }, "\(held)")
        #expect(try judge.findings(Mail.attached("Notes.one", try Self.section(holding: Files.pdf("")), type: "application/onenote")).isEmpty)
    }
}

/// A Word document whose relations link to a protocol that starts a program when it opens
/// (CVE-2022-30190, "Follina": `mhtml:` to `ms-msdt:`), with no macro at all.
@Suite struct ProgramLinkTests {
    let judge = Judge()

    static func document(linkTarget: String, type: String) throws -> [UInt8] {
        let w = #"xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main""#
        return try Files.officePackage(main: "word/document.xml", type: "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml", parts: [
            ("word/document.xml", #"<?xml version="1.0"?><w:document \#(w)><w:body><w:p><w:r><w:t>Minutes of the branch committee.</w:t></w:r></w:p></w:body></w:document>"#),
            ("word/_rels/document.xml.rels", #"<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId5" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/\#(type)" Target="\#(linkTarget)" TargetMode="External"/></Relationships>"#),
        ])
    }

    @Test("a relation to mhtml: or ms-msdt: is held as an Office program; a link to a web page passes")
    func follina() throws {
        let held = try judge.findings(Mail.attached("minutes.docx", try Self.document(linkTarget: "mhtml:http://203.0.113.9/a.html!x-usc:http://203.0.113.9/a.html", type: "oleObject")))
        #expect(held.contains { $0.hasPrefix("office-macro:") && $0.contains("starts a program") && $0.contains("mhtml:") }, "\(held)")
        let msdt = try judge.rules(Mail.attached("minutes.docx", try Self.document(linkTarget: "ms-msdt:/id PCWDiagnostic", type: "oleObject")))
        #expect(msdt.contains("office-macro"), "\(msdt)")
        #expect(try judge.findings(Mail.attached("minutes.docx", try Self.document(linkTarget: "https://www.union.example/minutes", type: "hyperlink"))).isEmpty)
    }
}

extension OneNoteTests {
    @Test("stored headers that claim the rest of the file neither hide the real file nor copy it again and again")
    func overlappingHeaders() throws {
        // 70 headers, each claiming everything after it, then the program's own.
        let fake: [UInt8] = [0xE7, 0x16, 0xE3, 0xBD, 0x65, 0x26, 0x11, 0x45, 0xA4, 0xC4, 0x8D, 0x4D, 0x0B, 0x7A, 0x9E, 0xAC]
        let program = try Files.pe()
        let section = try Self.section(holding: program)
        let prefix = Array(section[..<1024])
        var crafted = prefix
        for _ in 0..<70 { crafted += fake + [0x00, 0x00, 0x01, 0, 0, 0, 0, 0] + [UInt8](repeating: 0, count: 12) + [UInt8](repeating: 0x41, count: 64) }
        crafted += Array(section[1024...])
        let message = try Inspector().inspect(bytes: Mail.attached("Invoice.one", crafted, type: "application/onenote"))
        let carried = message.allParts.filter { ($0.filename ?? "").hasPrefix("(file embedded in the OneNote page") }
        #expect(carried.reduce(0) { $0 + $1.content.count } <= crafted.count)
        #expect(try judge.rules(Mail.attached("Invoice.one", crafted, type: "application/onenote")).contains("executable-attachment"))
    }
}

extension ProgramLinkTests {
    @Test("an object fetched from the web with a trailing ! is held; an ms-word: hyperlink passes; a macro sheet stored elsewhere is found by its type")
    func fetchedObjectsAndHyperlinks() throws {
        let held = try judge.rules(Mail.attached("minutes.docx", try Self.document(linkTarget: "http://203.0.113.9/a.html!", type: "oleObject")))
        #expect(held.contains("office-macro"), "\(held)")
        #expect(try judge.findings(Mail.attached("minutes.docx", try Self.document(linkTarget: "ms-word:ofe|u|https://union.sharepoint.example/minutes.docx", type: "hyperlink"))).isEmpty)
        let ns = #"xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main""#
        let hidden = try Files.officePackage(main: "xl/workbook.xml", type: "application/vnd.ms-excel.sheet.macroEnabled.main+xml", parts: [
            ("xl/workbook.xml", #"<?xml version="1.0"?><workbook \#(ns)><sheets><sheet name="Pay" sheetId="1"/></sheets></workbook>"#),
            ("xl/worksheets/sheet9.xml", #"<?xml version="1.0"?><xm:macrosheet xmlns:xm="http://schemas.microsoft.com/office/excel/2006/main"><sheetData/></xm:macrosheet>"#),
            ("[Content_Types].xml", #"<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.ms-excel.sheet.macroEnabled.main+xml"/><Override PartName="/xl/worksheets/sheet9.xml" ContentType="application/vnd.ms-excel.macrosheet+xml"/></Types>"#),
        ])
        #expect(try judge.findings(Mail.attached("pay.xlsm", hidden)).contains { $0.contains("Excel 4.0 macro sheet") })
    }
}
