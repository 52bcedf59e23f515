import Foundation
import StewardCore
import StewardInspection
import StewardPolicy
import StewardTestSupport
import Testing
import StewardEngine

/// Inspects a message and judges it with the shipped Policies/ (or with changed defaults and
/// branch files), for an incoming message to a London member.
struct Judge {
    var limits: InspectionLimits?
    var branchFile: String?
    var defaultsFile: String?

    func verdict(_ bytes: [UInt8]) throws -> Verdict {
        var files = try PolicyDirectoryReader.read(PackagePaths.policies)
        if let branchFile {
            files.removeAll { $0.path.hasSuffix("branches/london.yaml") }
            files.append(PolicyFile(path: "Policies/branches/london.yaml", text: branchFile))
        }
        if let defaultsFile {
            files.removeAll { $0.path.hasSuffix("/default.yaml") }
            files.append(PolicyFile(path: "Policies/default.yaml", text: defaultsFile))
        }
        let policy = try Policy.parse(files)
        let message = try Inspector(limits: limits ?? policy.inspectionLimits).inspect(bytes: bytes)
        let envelope = Envelope(sender: "carol@partner.example", recipients: ["bob@london.union.example"], clientAddress: "198.51.100.7")
        return Evaluator(policy: policy).evaluate(message, envelope: envelope)
    }

    /// Rule id and detail of each finding.
    func findings(_ bytes: [UInt8]) throws -> [String] {
        try verdict(bytes).findings.map { "\($0.rule): \($0.detail)" }
    }

    func rules(_ bytes: [UInt8]) throws -> Set<String> {
        Set(try verdict(bytes).findings.map(\.rule))
    }
}

/// Messages as mail clients write them.
enum Mail {
    struct Attachment {
        var filename: String
        var bytes: [UInt8]
        var contentType = "application/octet-stream"
        /// Header lines naming the file, when the test needs a particular encoding of the name.
        var nameHeaders: [String]?
        var disposition = "attachment"
    }

    static func message(_ attachments: [Attachment], text: String = "Please see the attached.", extraHeaders: [String] = []) -> [UInt8] {
        var lines = [
            "From: Carol <carol@partner.example>", "To: bob@london.union.example", "Subject: papers",
            "Date: Sat, 21 Nov 2026 10:00:00 +0000", "Message-ID: <\(UUID().uuidString)@partner.example>",
            "MIME-Version: 1.0",
            "Content-Type: multipart/mixed; boundary=\"b1\"",
        ] + extraHeaders + ["", "--b1", "Content-Type: text/plain; charset=utf-8", "", text]
        for attachment in attachments {
            lines.append("--b1")
            lines += attachment.nameHeaders ?? [
                "Content-Type: \(attachment.contentType); name=\"\(attachment.filename)\"",
                "Content-Disposition: \(attachment.disposition); filename=\"\(attachment.filename)\"",
            ]
            lines += ["Content-Transfer-Encoding: base64", "", base64(attachment.bytes)]
        }
        lines.append("--b1--")
        return Array(lines.joined(separator: "\r\n").utf8) + [13, 10]
    }

    static func attached(_ filename: String, _ bytes: [UInt8], type: String = "application/octet-stream") -> [UInt8] {
        message([Attachment(filename: filename, bytes: bytes, contentType: type)])
    }

    static func base64(_ bytes: [UInt8]) -> String {
        Data(bytes).base64EncodedString(options: [.lineLength76Characters, .endLineWithCarriageReturn, .endLineWithLineFeed])
    }
}

/// Real files made by real tools (Python's zipfile and tarfile, zip, 7z, xorriso) and taken
/// from Debian's clamav-testfiles.
enum Files {
    static let clamDirectory = "/usr/share/clamav-testfiles"

    static func clam(_ name: String) throws -> [UInt8] {
        let url = URL(fileURLWithPath: clamDirectory).appendingPathComponent(name)
        guard let data = FileManager.default.contents(atPath: url.path) else {
            throw TestFailure("\(url.path) is missing: install clamav-testfiles (scripts/install-deps)")
        }
        return Array(data)
    }

    /// A small Windows program (ClamAV's harmless test executable).
    static func pe() throws -> [UInt8] { try clam("clam.exe") }

    /// Runs a Python script in a fresh directory holding `inputs`; returns the file `output`.
    static func python(_ script: String, inputs: [String: [UInt8]] = [:], output: String = "out") throws -> [UInt8] {
        try run(["python3", "-c", script], inputs: inputs, output: output)
    }

    /// Runs a command in a fresh directory holding `inputs`; returns the file `output`.
    static func run(_ command: [String], inputs: [String: [UInt8]] = [:], output: String) throws -> [UInt8] {
        let directory = try TemporaryDirectory("attach")
        for (name, bytes) in inputs {
            let url = directory.url.appendingPathComponent(name)
            try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            try Data(bytes).write(to: url)
        }
        let result = try Command.run("/bin/sh", ["-c", "cd '\(directory.path)' && \"$@\"", "sh"] + command, timeout: 60, combineOutput: true)
        guard result.succeeded else { throw TestFailure("\(command.joined(separator: " ")) failed: \(result.output)") }
        guard let data = FileManager.default.contents(atPath: directory.url.appendingPathComponent(output).path) else {
            throw TestFailure("\(command.joined(separator: " ")) made no \(output): \(result.output)")
        }
        return Array(data)
    }

    /// A zip of the given members (Python's zipfile, deflated).
    static func zip(_ members: [(String, [UInt8])]) throws -> [UInt8] {
        var inputs: [String: [UInt8]] = [:]
        var names: [String] = []
        for (index, member) in members.enumerated() {
            inputs["in\(index)"] = member.1
            names.append(member.0)
        }
        let list = names.enumerated().map { "(\"in\($0.offset)\", \(pythonString($0.element)))" }.joined(separator: ", ")
        return try python("""
            import zipfile
            with zipfile.ZipFile("out", "w", zipfile.ZIP_DEFLATED) as z:
                for src, name in [\(list)]:
                    z.write(src, name)
            """, inputs: inputs)
    }

    /// An Office Open XML package (Python's zipfile): content types naming `main`, the package
    /// relation to it, and `parts` as given.
    static func officePackage(main: String, type: String, parts: [(String, String)]) throws -> [UInt8] {
        let all = [
            ("[Content_Types].xml", #"<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/\#(main)" ContentType="\#(type)"/></Types>"#),
            ("_rels/.rels", #"<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="\#(main)"/></Relationships>"#),
        ] + parts
        var inputs: [String: [UInt8]] = [:]
        for (index, part) in all.enumerated() { inputs["part\(index)"] = Array(part.1.utf8) }
        let names = all.enumerated().map { "(\"part\($0.offset)\", \(pythonString($0.element.0)))" }.joined(separator: ", ")
        return try python("""
            import zipfile
            with zipfile.ZipFile("out", "w", zipfile.ZIP_DEFLATED) as z:
                for src, name in [\(names)]:
                    z.write(src, name)
            """, inputs: inputs)
    }

    static func pythonString(_ text: String) -> String {
        "\"" + text.unicodeScalars.map { $0.isASCII && $0 != "\"" && $0 != "\\" ? String($0) : String(format: "\\U%08x", $0.value) }.joined() + "\""
    }

    /// An OOXML document (docx/xlsx/pptx layout), optionally with a macro part.
    static func ooxml(kind: String = "word", macro: Bool) throws -> [UInt8] {
        let main = kind == "word" ? "word/document.xml" : kind == "xl" ? "xl/workbook.xml" : "ppt/presentation.xml"
        var members: [(String, [UInt8])] = [
            ("[Content_Types].xml", Array("""
                <?xml version="1.0" encoding="UTF-8" standalone="yes"?>
                <Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/\(main)" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>
                """.utf8)),
            ("_rels/.rels", Array("""
                <?xml version="1.0" encoding="UTF-8" standalone="yes"?>
                <Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="\(main)"/></Relationships>
                """.utf8)),
            (main, Array("<?xml version=\"1.0\"?><w:document xmlns:w=\"http://schemas.openxmlformats.org/wordprocessingml/2006/main\"><w:body><w:p><w:r><w:t>Branch meeting agenda</w:t></w:r></w:p></w:body></w:document>".utf8)),
        ]
        if macro { members.append(("\(kind)/vbaProject.bin", ole(streams: ["_VBA_PROJECT", "dir", "Module1"]))) }
        return try zip(members)
    }

    /// The start of an OLE2 compound file whose directory names the given streams (enough for
    /// what Steward looks at: the signature and the UTF-16LE directory entry names).
    static func ole(streams: [String]) -> [UInt8] {
        var bytes: [UInt8] = [0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1] + [UInt8](repeating: 0, count: 504)
        for name in ["Root Entry"] + streams {
            var entry: [UInt8] = name.utf16.flatMap { unit -> [UInt8] in [UInt8(unit & 0xFF), UInt8(unit >> 8)] } + [0, 0]
            entry += [UInt8](repeating: 0, count: 128 - entry.count)
            bytes += entry
        }
        return bytes
    }

    /// A real OLE2 compound file ([MS-CFB] version 3: 512-byte sectors, FAT, directory, and
    /// streams under 4096 bytes in the mini stream, as Office writes them) holding `streams`.
    static func compoundFile(_ streams: [(String, [UInt8])]) throws -> [UInt8] {
        var inputs: [String: [UInt8]] = [:]
        for (index, stream) in streams.enumerated() { inputs["in\(index)"] = stream.1 }
        let list = streams.enumerated().map { "(\(pythonString($0.element.0)), \"in\($0.offset)\")" }.joined(separator: ", ")
        return try python("""
            import struct
            streams = [(name, open(path, "rb").read()) for name, path in [\(list)]]
            SS, CUTOFF, END, FREE = 512, 4096, 0xFFFFFFFE, 0xFFFFFFFF
            sectors, fat = [], []
            def alloc(data):
                if not data: return END
                count = (len(data) + SS - 1) // SS
                data += b"\\0" * (count * SS - len(data))
                start = len(sectors)
                for i in range(count):
                    sectors.append(data[i * SS:(i + 1) * SS])
                    fat.append(start + i + 1 if i < count - 1 else END)
                return start
            mini, minifat, starts = b"", [], {}
            for name, data in streams:
                if len(data) < CUTOFF:
                    count = (len(data) + 63) // 64
                    starts[name] = len(mini) // 64 if count else END
                    minifat += [len(mini) // 64 + i + 1 if i < count - 1 else END for i in range(count)]
                    mini += data + b"\\0" * (count * 64 - len(data))
            for name, data in streams:
                if len(data) >= CUTOFF: starts[name] = alloc(data)
            mini_start = alloc(mini)
            minifat_bytes = b"".join(struct.pack("<I", x) for x in minifat)
            minifat_start = alloc(minifat_bytes)
            entries = [("Root Entry", 5, mini_start, len(mini))] + [(n, 2, starts[n], len(d)) for n, d in streams]
            def entry(i, name, kind, start, size):
                encoded = name.encode("utf-16-le") + b"\\0\\0"
                right = i + 1 if 1 <= i < len(entries) - 1 else FREE
                child = 1 if i == 0 and len(entries) > 1 else FREE
                return (encoded + b"\\0" * (64 - len(encoded)) + struct.pack("<HBB", len(encoded), kind, 1)
                        + struct.pack("<III", FREE, right, child) + b"\\0" * 36 + struct.pack("<IQ", start, size))
            directory_start = alloc(b"".join(entry(i, *e) for i, e in enumerate(entries)))
            nfat = 1
            while len(sectors) + nfat > nfat * SS // 4: nfat += 1
            fat_start = len(sectors)
            fat += [0xFFFFFFFD] * nfat
            table = b"".join(struct.pack("<I", x) for x in fat)
            table += b"\\xff" * (nfat * SS - len(table))
            sectors += [table[i * SS:(i + 1) * SS] for i in range(nfat)]
            difat = [fat_start + i for i in range(nfat)] + [FREE] * (109 - nfat)
            header = (b"\\xD0\\xCF\\x11\\xE0\\xA1\\xB1\\x1A\\xE1" + b"\\0" * 16 + struct.pack("<HHHHH", 0x3E, 3, 0xFFFE, 9, 6)
                      + b"\\0" * 6 + struct.pack("<IIIIIIIII", 0, nfat, directory_start, 0, CUTOFF,
                      minifat_start, (len(minifat_bytes) + SS - 1) // SS, END, 0)
                      + b"".join(struct.pack("<I", x) for x in difat))
            open("out", "wb").write(header + b"".join(sectors))
            """, inputs: inputs)
    }

    static func pdf(_ body: String) -> [UInt8] {
        Array("""
            %PDF-1.4
            1 0 obj << /Type /Catalog /Pages 2 0 R \(body) >> endobj
            2 0 obj << /Type /Pages /Kids [] /Count 0 >> endobj
            trailer << /Root 1 0 R >>
            %%EOF

            """.utf8)
    }
}

struct TestFailure: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
