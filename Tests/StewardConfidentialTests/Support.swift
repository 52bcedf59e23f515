import Foundation
import StewardCore
import StewardInspection
import StewardPolicy
import StewardTestSupport
import Testing
import StewardEngine

/// Real documents built once per test run by `make_documents.py` (python3), and helpers that
/// put them in messages and judge those messages with the shipped policy.
enum Docs {
    private static let built: Result<TemporaryDirectory, TestFailure> = {
        do {
            let directory = try TemporaryDirectory("confidential-docs")
            let script = PackagePaths.root.appendingPathComponent("Tests/StewardConfidentialTests/make_documents.py").path
            let result = try Command.run("python3", [script, directory.path], timeout: 120, combineOutput: true)
            guard result.succeeded else { return .failure(TestFailure("make_documents.py failed: \(result.output)")) }
            return .success(directory)
        } catch {
            return .failure(TestFailure("cannot build the test documents: \(error)"))
        }
    }()

    static func bytes(_ name: String) throws -> [UInt8] {
        let directory = try built.get()
        return Array(try Data(contentsOf: URL(fileURLWithPath: directory.path(name))))
    }

    static func path(_ name: String) throws -> String { try built.get().path(name) }
}

enum Mail {
    static let member = "chris.lee@london.union.example"
    static let colleague = "bob@london.union.example"
    static let outsider = "carol@partner.example"

    static func base64(_ bytes: [UInt8]) -> String {
        Data(bytes).base64EncodedString(options: [.lineLength76Characters, .endLineWithCarriageReturn, .endLineWithLineFeed])
    }

    /// A message: headers, then either one body (`bodyHeaders` + `body`) or multipart/mixed parts.
    static func message(
        subject: String = "Notes", extraHeaders: [String] = [], bodyHeaders: [String] = ["Content-Type: text/plain; charset=utf-8"],
        body: String = "Hello,\r\nplease see the notes.\r\n", attachments: [(name: String, type: String, bytes: [UInt8])] = []
    ) -> [UInt8] {
        var lines = [
            "From: Chris Lee <\(member)>", "To: Carol <\(outsider)>", "Subject: \(subject)",
            "Date: Sat, 21 Nov 2026 10:00:00 +0000", "Message-ID: <test@london.union.example>", "MIME-Version: 1.0",
        ] + extraHeaders
        if attachments.isEmpty {
            lines += bodyHeaders + ["", body]
        } else {
            let boundary = "=_b_1"
            lines += ["Content-Type: multipart/mixed; boundary=\"\(boundary)\"", "", "--\(boundary)"] + bodyHeaders + ["", body]
            for attachment in attachments {
                lines += [
                    "--\(boundary)",
                    "Content-Type: \(attachment.type); name=\"\(attachment.name)\"",
                    "Content-Disposition: attachment; filename=\"\(attachment.name)\"",
                    "Content-Transfer-Encoding: base64", "", base64(attachment.bytes),
                ]
            }
            lines.append("--\(boundary)--")
        }
        return Array((lines.joined(separator: "\r\n") + "\r\n").utf8)
    }

    static let policy: Policy = {
        // The shipped policy: what users get.
        try! Policy.parse(PolicyDirectoryReader.read(PackagePaths.policies))
    }()

    static func inspect(_ bytes: [UInt8]) throws -> InspectedMessage {
        try Inspector().inspect(bytes: bytes)
    }

    /// The verdict for a message sent by a London member to `to` (authenticated, so outgoing
    /// when any recipient is outside).
    static func judge(_ bytes: [UInt8], to: [String] = [outsider], policy: Policy = policy) throws -> Verdict {
        let envelope = Envelope(sender: member, recipients: to, authUser: "clee", clientAddress: "127.0.0.1")
        return Evaluator(policy: policy).evaluate(try inspect(bytes), envelope: envelope)
    }

    static func confidential(_ verdict: Verdict) -> [Finding] { verdict.findings.filter { $0.kind == "confidential" } }
}
