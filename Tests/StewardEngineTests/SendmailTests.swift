import Foundation
@testable import StewardEngine
import StewardTestSupport
import Testing

/// The MTA's sendmail command failing in the ways it does: Steward reports it (the release is
/// recorded as failed, the notice stays pending) and keeps running.
@Suite struct SendmailTests {
    /// A sendmail that exits 75 (EX_TEMPFAIL, as Postfix's does when postdrop cannot write)
    /// before reading any of its input. With the input on a pipe, swift-subprocess 1.0.2 stopped
    /// the whole process here (fatalError over a pipe it had not closed): a crashed test run.
    @Test("a sendmail that exits 75 without reading its input is an error, not a crash")
    func exitsBeforeReading() async throws {
        let directory = try TemporaryDirectory("sendmail")
        let script = directory.path("sendmail")
        try "#!/bin/sh\necho 'postdrop: warning: unable to look up public/pickup' >&2\nexit 75\n".write(toFile: script, atomically: true, encoding: .utf8)
        chmod(script, 0o755)
        // Larger than a pipe's buffer, so a writer would block or fail on a pipe.
        let message = Array(repeating: UInt8(ascii: "x"), count: 1 << 20)
        for _ in 1...3 {
            await #expect {
                // A generous bound: a loaded test machine (the whole suite in parallel) once took
                // over 20 s to see this script end; the point here is the error, not the time.
                try await Sendmail(path: script, timeoutSeconds: 300).send(message, from: "steward@union.example", to: ["a@union.example"])
            } throws: { error in
                "\(error)".contains("exited with status 75") && "\(error)".contains("postdrop")
            }
        }
    }

    @Test("a sendmail that reads the message gets all of it, byte for byte")
    func deliversTheBytes() async throws {
        let directory = try TemporaryDirectory("sendmail")
        let script = directory.path("sendmail")
        let copy = directory.path("copy")
        try "#!/bin/sh\ncat > '\(copy)'\n".write(toFile: script, atomically: true, encoding: .utf8)
        chmod(script, 0o755)
        let message = (0..<300_000).map { UInt8(truncatingIfNeeded: $0 &* 31) }
        try await Sendmail(path: script).send(message, from: "", to: ["a@union.example"])
        #expect(Array(try Data(contentsOf: URL(fileURLWithPath: copy))) == message)
    }
}
