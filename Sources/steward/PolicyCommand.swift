import ArgumentParser
import Foundation
import StewardEngine
import StewardPolicy
import StewardQuarantine

struct PolicyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "policy", abstract: "Work with policy files: lint, reload and history, and a branch's candidate policy (shadow report, promote, discard, backtest).",
        subcommands: [Lint.self, Reload.self, History.self, ShadowReportCommand.self, PromoteCommand.self, DiscardCommand.self, BacktestCommand.self])

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

    struct Reload: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Lint the policy, then have the running `steward serve` load it (SIGHUP), on the record.",
            discussion: """
                Who asked goes on the audit trail with the policy's digest and what changed: --actor, \
                else SUDO_USER, else the login. Under systemd (the unit's ExecReload, i.e. \
                `systemctl reload steward`) the record says `systemctl reload`, as systemd does not \
                say who called it: run `sudo steward policy reload` to have your login recorded.
                """)

        @OptionGroup var store: StoreOptions
        @Option(help: "The process to signal (default: the running serve's, noted beside the release key).")
        var pid: Int32?

        func run() throws {
            let settings = store.settings()
            let problems: [PolicyProblem]
            do {
                problems = Policy.lint(try PolicyDirectoryReader.read(settings.policyDirectory))
            } catch {
                problems = error.problems
            }
            guard problems.isEmpty else {
                for problem in problems { print(problem.description) }
                Failure(description: "the policy has problems; nothing was reloaded").exit()
            }
            guard let target = pid ?? ReloadRequest.servePID(settings: settings) else {
                Failure(description: "no running steward serve found; give --pid").exit()
            }
            let environment = ProcessInfo.processInfo.environment
            let underSystemd = environment["INVOCATION_ID"] != nil && environment["SUDO_USER"] == nil && store.actor == nil
            let who = underSystemd ? "systemctl reload" : store.who
            do {
                try ReloadRequest.write(by: who, settings: settings)
            } catch {
                Failure(description: "cannot leave the reload note beside \(settings.releaseSecretPath): \(error.localizedDescription)").exit()
            }
            guard kill(target, SIGHUP) == 0 else {
                Failure(description: "cannot signal process \(target): \(String(cString: strerror(errno)))").exit()
            }
            print("policy reload asked of process \(target) by \(who) (steward policy history shows the result)")
        }
    }

    struct History: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "List the policy reloads on the audit trail: when, who asked, the digest, what changed.")

        @OptionGroup var store: StoreOptions

        func run() async throws {
            let trail: [AuditEntry]
            do { trail = try await store.withStore { quarantine throws(QuarantineError) in try await quarantine.auditTrail(messageID: nil) } } catch { error.exit() }
            let reloads = trail.filter { $0.entry.action == .policyReload }
            if reloads.isEmpty { print("no policy reloads on the audit trail") }
            for item in reloads {
                print("\(item.sequence) \(item.entry.at.formatted(.iso8601)) \(shown(item.entry.actor))")
                for line in (item.entry.detail ?? "").components(separatedBy: PolicyChange.lineMark) {
                    print("    " + shown(line))
                }
            }
        }
    }
}
