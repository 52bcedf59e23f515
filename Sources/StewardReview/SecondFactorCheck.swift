public import Foundation
import Crypto
import HummingbirdOTP
public import StewardPolicy
public import StewardQuarantine

/// The review app's second factor: TOTP codes from an authenticator app (hummingbird-auth's
/// HummingbirdOTP, RFC 6238: 6 digits, 30-second steps, SHA-1 as every app expects), and
/// one-time recovery codes for a lost phone. Officials read members' confidential mail, so a
/// stolen password alone should not be enough (M365 and Google require MFA for the same job).
public enum SecondFactorCheck {
    public static let issuer = "Steward"
    public static let recoveryCodeCount = 10

    /// What `steward user totp` shows once: the URI for the app (or its QR code), and the
    /// recovery codes. Only the secret and the codes' hashes are stored.
    public struct Setup: Sendable {
        public var uri: String
        public var recoveryCodes: [String]
    }

    /// A new secret and new recovery codes for `login` (replacing any before), on the audit trail.
    public static func setUp(login: String, directory: UnionDirectory, store: any QuarantineStore, actor: String) async throws -> Setup {
        let login = login.trimmingCharacters(in: .whitespaces).lowercased()
        guard Reviewer(login: login, directory: directory) != nil else {
            throw Accounts.Problem(description: "\(login) is not an official in the directory nor listed under review_admins; only they can sign in to the review app")
        }
        // 160 random bits, as hex text: HummingbirdOTP keys the HMAC with the secret's UTF-8 bytes.
        let secret = String(ReviewSession.newToken().prefix(40))
        let codes = (0..<recoveryCodeCount).map { _ in newRecoveryCode() }
        try await store.setSecondFactor(
            SecondFactor(secret: secret, recoveryHashes: codes.map(recoveryHash)), login: login,
            audit: NewAuditEntry(actor: actor, action: .secondFactorSet, detail: login))
        return Setup(uri: TOTP(secret: secret).createAuthenticatorURL(label: "\(issuer):\(login)", issuer: issuer), recoveryCodes: codes)
    }

    /// Removes `login`'s second factor (a lost phone and no recovery code left), on the audit trail.
    public static func remove(login: String, store: any QuarantineStore, actor: String) async throws {
        let login = login.trimmingCharacters(in: .whitespaces).lowercased()
        try await store.setSecondFactor(nil, login: login, audit: NewAuditEntry(actor: actor, action: .secondFactorSet, detail: "\(login) removed"))
    }

    /// Whether `typed` is a good code for `login` now, using it up: the authenticator's code
    /// for this 30-second step or the one either side (clocks drift), never a step already used;
    /// or one of the unused recovery codes.
    public static func verify(_ typed: String, login: String, factor: SecondFactor, store: any QuarantineStore, now: Date) async throws -> Bool {
        let code = typed.filter { !$0.isWhitespace && $0 != "-" }.lowercased()
        guard !code.isEmpty else { return false }
        if code.count == 6, code.allSatisfy(\.isASCII), let number = Int(code) {
            let totp = TOTP(secret: factor.secret)
            let current = Int64(now.timeIntervalSince1970 / 30)
            for step in [current - 1, current, current + 1] where totp.compute(date: Date(timeIntervalSince1970: Double(step) * 30)) == number {
                return try await store.useSecondFactor(login: login, step: step, recoveryHash: nil)
            }
            return false
        }
        return try await store.useSecondFactor(login: login, step: nil, recoveryHash: recoveryHash(code))
    }

    /// Ten characters from an alphabet without look-alikes, shown as `abcde-fghij` (about 49 bits).
    static func newRecoveryCode() -> String {
        let alphabet = Array("abcdefghjkmnpqrstuvwxyz23456789")
        var generator = SystemRandomNumberGenerator()
        let characters = (0..<10).map { _ in alphabet.randomElement(using: &generator)! }
        return String(characters[0..<5]) + "-" + String(characters[5...])
    }

    /// A recovery code's stored form: SHA-256 of the code as typed without dashes or spaces.
    /// A fast hash is enough: the codes are random, not chosen by people.
    static func recoveryHash(_ code: String) -> String {
        let normalized = code.filter { !$0.isWhitespace && $0 != "-" }.lowercased()
        return SHA256.hash(data: Data(normalized.utf8)).map { String(format: "%02x", $0) }.joined()
    }
}
