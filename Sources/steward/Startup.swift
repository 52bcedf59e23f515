import Foundation
import Logging
import StewardEngine
import StewardPolicy
import StewardQuarantine

/// What `serve` and `review` both need before they start: the config, logging, the policy and
/// the store. Any problem ends the process with a message saying what to fix.
struct Startup {
    let settings: StewardConfig
    let logger: Logger
    let policy: PolicyHolder
    let store: any QuarantineStore

    init(config: String) {
        do {
            settings = try StewardConfig.load(from: URL(fileURLWithPath: config))
        } catch {
            Failure(description: error.description).exit()
        }
        logger = LogSetup.bootstrap(level: settings.logLevel)
        do {
            policy = try PolicyHolder(directory: settings.policyDirectory)
        } catch {
            Failure(description: "the policy has problems; not starting:\n" + error.description).exit()
        }
        // Before anything else runs: wait here for the store (and PostgreSQL's pool) to open.
        let settings = settings
        switch ThreadBridge.run({ () async -> Result<any QuarantineStore, QuarantineError> in
            do throws(QuarantineError) { return .success(try await settings.openStore()) } catch { return .failure(error) }
        }) {
        case .success(let opened): store = opened
        case .failure(let error): Failure(description: error.description).exit()
        }
    }

    /// SIGHUP: reloads the policy and puts the reload on the audit trail (clause 13) with who
    /// asked, the new policy's digest, the files that changed and their diff; a policy with a
    /// problem is refused and the last good one stays in force. `serve` and `review`.
    func reloadPolicy(requestedBy who: String) async {
        do {
            let change = try policy.reload()
            _ = try? await store.appendAudit(NewAuditEntry(
                actor: who, action: .policyReload, detail: change.auditDetail(directory: settings.policyDirectory.path)))
            logger.notice("policy reloaded", metadata: [
                "policy.directory": "\(settings.policyDirectory.path)", "policy.digest": "\(change.digest)",
                "policy.changed": "\(change.changedFiles.joined(separator: ","))", "policy.requested_by": "\(who)",
            ])
        } catch {
            logger.error("policy reload refused; the last good policy stays in force", metadata: [
                "policy.problems": "\(error)", "policy.requested_by": "\(who)",
            ])
        }
    }
}
