import Foundation

/// Hands a message to the MTA through its `sendmail` command (Postfix's or Sendmail's), the
/// same way local programs submit mail: `sendmail -i -f SENDER -- RECIPIENT...`.
public struct Sendmail: Sendable {
    public var path: String
    public var arguments: [String]
    /// Bounded so a stuck MTA cannot hang a release or a notice.
    public var timeoutSeconds: Double

    public init(path: String, arguments: [String] = [], timeoutSeconds: Double = 60) {
        self.path = path
        self.arguments = arguments
        self.timeoutSeconds = timeoutSeconds
    }

    /// Submits `message` (CRLF or LF line ends; the MTA normalises them). `sender` empty means
    /// the null sender `<>`.
    public func send(_ message: [UInt8], from sender: String, to recipients: [String]) throws(SendmailError) {
        guard !recipients.isEmpty else { throw SendmailError(message: "no recipients") }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: path)
        process.arguments = arguments + ["-i", "-f", sender.isEmpty ? "<>" : sender, "--"] + recipients
        let input = Pipe()
        let errorFile = FileManager.default.temporaryDirectory.appendingPathComponent("steward-sendmail-\(UUID().uuidString)")
        _ = FileManager.default.createFile(atPath: errorFile.path, contents: nil)
        defer { try? FileManager.default.removeItem(at: errorFile) }
        do {
            // Output to a file, not a pipe: nothing can block on a full pipe.
            let errors = try FileHandle(forWritingTo: errorFile)
            defer { try? errors.close() }
            process.standardInput = input
            process.standardOutput = errors
            process.standardError = errors
            try process.run()
            try input.fileHandleForWriting.write(contentsOf: message)
            try input.fileHandleForWriting.close()
        } catch {
            if process.isRunning { process.terminate() }
            throw SendmailError(message: "cannot run \(path): \(error.localizedDescription)")
        }
        let deadline = Date().addingTimeInterval(timeoutSeconds)
        while process.isRunning && Date() < deadline { usleep(10_000) }
        if process.isRunning {
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
            throw SendmailError(message: "\(path) did not finish within \(Int(timeoutSeconds)) s")
        }
        guard process.terminationStatus == 0 else {
            let said = (try? String(contentsOf: errorFile, encoding: .utf8)) ?? ""
            throw SendmailError(message: "\(path) exited with status \(process.terminationStatus): \(said.trimmingCharacters(in: .whitespacesAndNewlines))")
        }
    }
}

public struct SendmailError: Error, Sendable, CustomStringConvertible {
    public var message: String
    public var description: String { message }
}
