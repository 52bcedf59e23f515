import ArgumentParser
import Foundation

/// A failure the user can act on: the message goes to stderr, the exit code says what kind.
struct Failure: Error, CustomStringConvertible {
    var description: String
    var code: Int32 = 1
}

func printError(_ text: String) {
    FileHandle.standardError.write(Data((text + "\n").utf8))
}

extension Failure {
    /// Prints and exits: keeps ArgumentParser from adding its own text to ours.
    func exit() -> Never {
        printError("steward: " + description)
        Foundation.exit(code)
    }
}
