import Foundation
import StewardCore
import StewardInspection
import StewardPolicy
import StewardTestSupport
import Testing

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
