import Foundation
public import StewardPolicy
public import StewardQuarantine
import HummingbirdBcrypt

/// Review app passwords: Bcrypt hashes (hummingbird-auth's Bcrypt) kept in the quarantine store.
public enum PasswordHashing {
    /// Cost 12 in production (about a quarter of a second per check on a small server).
    public static func hash(_ password: String, cost: UInt8 = 12) -> String {
        Bcrypt.hash(password, cost: cost)
    }
}

/// Setting an account's password (`steward user set-password`): only for an official in the
/// directory or a review admin, with a password that passes `PasswordRules`.
public enum Accounts {
    public static var minimumLength: Int { PasswordRules.minimumLength }

    public struct Problem: Error, CustomStringConvertible, Sendable {
        public var description: String
    }

    /// Stores the hash of `password` for `login` (lower-cased), with a `password-set` audit
    /// entry by `actor`. The password itself is never stored or logged.
    @discardableResult
    public static func setPassword(
        _ password: String, login: String, directory: UnionDirectory, store: any QuarantineStore, actor: String, cost: UInt8 = 12
    ) async throws -> Reviewer {
        let login = login.trimmingCharacters(in: .whitespaces).lowercased()
        guard let reviewer = Reviewer(login: login, directory: directory) else {
            throw Problem(description: "\(login) is not an official in the directory nor listed under review_admins; only they can sign in to the review app")
        }
        if let problem = PasswordRules.problem(with: password, login: login) { throw Problem(description: problem) }
        try await store.setPasswordHash(
            PasswordHashing.hash(password, cost: cost), login: login,
            audit: NewAuditEntry(actor: actor, action: .passwordSet, detail: login))
        return reviewer
    }
}
