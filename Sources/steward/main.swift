import ArgumentParser
import Foundation

// Exit codes are part of the stable surface: 0 success, 1 a message or file could not be
// processed, 2 usage error (ArgumentParser's own default for usage errors is 64).
do {
    var command = try Steward.parseAsRoot()
    try command.run()
} catch {
    let code = Steward.exitCode(for: error)
    if code == .validationFailure {
        FileHandle.standardError.write(Data((Steward.fullMessage(for: error) + "\n").utf8))
        exit(2)
    }
    Steward.exit(withError: error)
}
