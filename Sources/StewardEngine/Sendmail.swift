import Foundation
import Subprocess
#if canImport(System)
import System
#else
import SystemPackage
#endif

/// Hands a message to the MTA through its `sendmail` command (Postfix's or Sendmail's), the
/// same way local programs submit mail: `sendmail -i -f SENDER -- RECIPIENT...`.
///
/// Run through swift-subprocess: the child starts with an empty signal mask and default
/// handlers (Foundation's `Process` passed on `serve`'s blocked SIGTERM/SIGHUP/SIGINT), and a
/// cancelled send (a shutdown past its time) ends the child instead of leaving it behind.
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
    public func send(_ message: [UInt8], from sender: String, to recipients: [String]) async throws(SendmailError) {
        guard !recipients.isEmpty else { throw SendmailError(message: "no recipients") }
        let arguments = arguments + ["-i", "-f", sender.isEmpty ? "<>" : sender, "--"] + recipients
        let (path, timeout) = (path, timeoutSeconds)
        // The message reaches sendmail's standard input from a file, not a pipe: a sendmail that
        // exits before reading it all (status 75, say) left swift-subprocess 1.0.2 with a pipe it
        // had not closed, and it stops the whole process over that (fatalError). The file is
        // private (0600) and unlinked at once; the descriptor is closed once the child has it.
        let input: FileDescriptor
        do {
            input = try Self.unlinkedFile(holding: message)
        } catch {
            throw SendmailError(message: "cannot hand the message to \(path): \(error)")
        }
        let outcome: Result<(status: TerminationStatus, said: String?)?, any Error>
        do {
            // The run races a timer: whichever ends first cancels the other (a cancelled run
            // kills the child).
            let result = try await withThrowingTaskGroup(of: (status: TerminationStatus, said: String?)?.self) { group in
                group.addTask {
                    let record = try await run(
                        .path(FilePath(path)), arguments: Arguments(arguments),
                        input: .fileDescriptor(input, closeAfterSpawningProcess: true),
                        output: .discarded, error: .string(limit: 4096))
                    return (record.terminationStatus, record.standardError)
                }
                group.addTask {
                    try await Task.sleep(for: .seconds(timeout))
                    return nil
                }
                defer { group.cancelAll() }
                return try await group.next() ?? nil
            }
            outcome = .success(result)
        } catch {
            outcome = .failure(error)
        }
        switch outcome {
        case .failure(let error as CancellationError):
            throw SendmailError(message: "\(path) was stopped before it finished (\(error))")
        case .failure(let error):
            throw SendmailError(message: "cannot run \(path): \(error)")
        case .success(nil):
            throw SendmailError(message: "\(path) did not finish within \(Int(timeout)) s")
        case .success(let (status, said)?):
            let said = (said ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
            switch status {
            case .exited(0): return
            case .exited(let code): throw SendmailError(message: "\(path) exited with status \(code): \(said)")
            case .signaled(let signal): throw SendmailError(message: "\(path) was killed by signal \(signal): \(said)")
            }
        }
    }
}

extension Sendmail {
    /// A descriptor, at offset 0, of a private temporary file holding `bytes`; the file has no
    /// name left by the time this returns.
    static func unlinkedFile(holding bytes: [UInt8]) throws -> FileDescriptor {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("steward-sendmail-\(UUID().uuidString)").path
        let descriptor = try FileDescriptor.open(
            FilePath(path), .readWrite, options: [.create, .exclusiveCreate], permissions: [.ownerReadWrite])
        unlink(path)
        do {
            _ = try descriptor.writeAll(bytes)
            _ = try descriptor.seek(offset: 0, from: .start)
        } catch {
            try? descriptor.close()
            throw error
        }
        return descriptor
    }
}

public struct SendmailError: Error, Sendable, CustomStringConvertible {
    public var message: String
    public var description: String { message }
}
