import ArgumentParser
import Foundation
import StewardPolicy

struct PolicyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "policy", abstract: "Work with policy files.", subcommands: [Lint.self])

    struct Lint: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Check a policy directory; print each problem as FILE:LINE: PROBLEM.")

        @Argument(help: "The policy directory (holding directory.yaml, default.yaml, branches/).")
        var directory: String

        func run() throws {
            let problems: [PolicyProblem]
            do {
                problems = Policy.lint(try PolicyDirectoryReader.read(URL(fileURLWithPath: directory)))
            } catch let error as PolicyError {
                problems = error.problems
            }
            if problems.isEmpty {
                print("\(directory): no problems found")
                return
            }
            for problem in problems { print(problem.description) }
            throw ExitCode(1)
        }
    }
}
