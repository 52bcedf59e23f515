import Foundation
import StewardTestSupport
import Testing

extension EndToEndTests.WithSteward {
    @Test("(f) a zip holding a Windows program renamed as a PDF is held, not delivered")
    func zipWithRenamedProgramIsHeld() throws {
        try EndToEndTests.requireLab()
        let program = try #require(FileManager.default.contents(atPath: "/usr/share/clamav-testfiles/clam.exe"), "install clamav-testfiles")
        let zipDirectory = try TemporaryDirectory("e2e-zip")
        try program.write(to: zipDirectory.url.appendingPathComponent("agenda.pdf"))
        let zipped = try Command.run("/bin/sh", ["-c", "cd '\(zipDirectory.path)' && zip -q minutes.zip agenda.pdf"])
        try #require(zipped.succeeded, "zip failed: \(zipped.output)\(zipped.error)")
        let zip = try Data(contentsOf: zipDirectory.url.appendingPathComponent("minutes.zip"))

        let lab = try PostfixLab(milter: .labSocket)
        defer { lab.stop() }
        let steward = try StewardServe(lab: lab)
        defer { steward.stop() }

        let message = SampleMessage.withAttachment(
            from: EndToEndTests.Address.external, to: EndToEndTests.Address.member, subject: "Minutes",
            filename: "minutes.zip", contentType: "application/zip", content: Array(zip))
        let submission = try lab.submit(Data(message.bytes), from: EndToEndTests.Address.external, to: [EndToEndTests.Address.member])
        #expect(!submission.tempFailed, "\(submission)\n\(steward.log)")
        #expect(try lab.waitForEmptyQueue(timeout: 60), "\(lab.diagnostics())")
        #expect(try lab.sinkMessages().isEmpty, "the message was delivered")

        let held = try steward.heldMessages()
        try #require(held.count == 1, "expected one held message, found \(held.count)\n\(steward.log)")
        let findings = held[0].findings ?? ""
        #expect(findings.contains("executable-attachment"), "findings: \(findings)")
        #expect(findings.contains("misleading-file-name"), "findings: \(findings)")
        #expect(findings.contains(#"minutes.zip\" > \"agenda.pdf"#) || findings.contains(#"minutes.zip" > "agenda.pdf"#), "findings: \(findings)")
    }
}
