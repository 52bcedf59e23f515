import ArgumentParser
import Foundation
import StewardEngine
import StewardPolicy

struct PolicyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "policy", abstract: "Work with policy files: lint, and a branch's candidate policy (shadow report, promote, discard).",
        subcommands: [Lint.self, ShadowReportCommand.self, PromoteCommand.self, DiscardCommand.self, BacktestCommand.self])

    struct Lint: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Check a policy directory; print each problem as FILE:LINE: PROBLEM.")

        @Argument(help: "The policy directory (holding directory.yaml, default.yaml, branches/).")
        var directory: String?

        @Option(help: "Lint the policy this config file names (its `policy:`), as `serve` would load it.")
        var config: String?

        func validate() throws {
            if (directory == nil) == (config == nil) { throw ValidationError("give a policy directory or --config FILE (one of them)") }
        }

        /// The directory to lint: the argument, or the `policy:` of the config file. systemd's
        /// ExecStartPre and ExecReload lint through the config, so they check the very
        /// directory `serve` loads, not a path repeated in the unit.
        private func policyDirectory() -> String {
            guard let config else { return directory ?? "" }
            do {
                return try StewardConfig.load(from: URL(fileURLWithPath: config)).policyDirectory.path
            } catch {
                Failure(description: error.description).exit()
            }
        }

        func run() throws {
            let directory = policyDirectory()
            let problems: [PolicyProblem]
            do {
                problems = Policy.lint(try PolicyDirectoryReader.read(URL(fileURLWithPath: directory)))
            } catch {
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
