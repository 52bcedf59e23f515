import ArgumentParser
import Foundation

// Exit codes are part of the stable surface: 0 success, 1 a message or file could not be
// processed, 2 usage error (ArgumentParser's own default for usage errors is 64).
// A child that exits before reading all it was given (sendmail refusing a message) must give
// an error to handle, not end Steward: SIGPIPE is ignored, as MTAs and milters do. Children
// start with the default again (swift-subprocess resets signal dispositions).
signal(SIGPIPE, SIG_IGN)
do {
    var command = try Steward.parseAsRoot()
    // The quarantine, audit and user commands await the store; the rest run as they are. No
    // top-level await: `serve` takes its signals before any thread exists (ProcessSignals), and
    // an async main may start Swift's threads first.
    if let command = command as? any AsyncParsableCommand {
        let box = AsyncCommand(command)
        try Blocking.run { try await box.run() }
    } else {
        try command.run()
    }
} catch {
    let code = Steward.exitCode(for: error)
    if code == .validationFailure {
        FileHandle.standardError.write(Data((Steward.fullMessage(for: error) + "\n").utf8))
        exit(2)
    }
    Steward.exit(withError: error)
}

/// An async command handed to the task that runs it; parsed on this thread and used only there.
final class AsyncCommand: @unchecked Sendable {
    private var command: any AsyncParsableCommand
    init(_ command: any AsyncParsableCommand) { self.command = command }
    func run() async throws { try await Self.run(&command) }
    /// Opens the existential so that the async `run` is the one called, not ParsableCommand's.
    private static func run<Command: AsyncParsableCommand>(_ command: inout Command) async throws { try await command.run() }
}
