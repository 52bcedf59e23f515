import ArgumentParser
import Foundation
import StewardEngine
import StewardPolicy
import StewardQuarantine

/// Options every quarantine and audit command takes: which config (hence which store), and who
/// is acting (for the audit trail).
struct StoreOptions: ParsableArguments {
    @Option(help: "The config file (steward.yaml); its store is used.")
    var config: String = "/etc/steward/steward.yaml"

    @Option(help: "Who is acting, for the audit trail (default: the login running the command).")
    var actor: String?

    var who: String {
        if let actor, !actor.isEmpty { return actor }
        let environment = ProcessInfo.processInfo.environment
        return environment["SUDO_USER"] ?? environment["USER"] ?? environment["LOGNAME"] ?? "admin"
    }

    func settings() -> StewardConfig {
        do {
            return try StewardConfig.load(from: URL(fileURLWithPath: config))
        } catch {
            Failure(description: error.description).exit()
        }
    }

    /// The policy the config names (for retention and who is told).
    func policy() -> Policy {
        do {
            return try PolicyHolder(directory: settings().policyDirectory).snapshot.evaluator.policy
        } catch {
            Failure(description: "the policy has problems:\n\(error)").exit()
        }
    }

    /// Runs `body` with the config's store open (PostgreSQL's pool running until it returns).
    func withStore<T, E: Error>(_ body: (any QuarantineStore) async throws(E) -> T) async throws(E) -> T {
        let store: any QuarantineStore
        do {
            store = try await settings().openStore()
        } catch {
            Failure(description: error.description).exit()
        }
        return try await store.withPoolRunning { () async throws(E) -> T in try await body(store) }
    }
}

/// A reason is required for every decision about a message: it goes on the audit trail.
func requireReason(_ reason: String?) throws -> String {
    guard let reason, !reason.trimmingCharacters(in: .whitespaces).isEmpty else {
        throw ValidationError("give a --reason: it is kept on the audit trail")
    }
    return reason
}

extension QuarantineError {
    func exit() -> Never { Failure(description: description).exit() }
}
