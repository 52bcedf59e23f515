/// A review app account's second factor: a TOTP secret (RFC 6238, for an authenticator app) and
/// the SHA-256 hashes of its unused recovery codes. The codes themselves are shown once, when
/// set up, and never stored.
public struct SecondFactor: Sendable, Hashable {
    /// The shared secret the authenticator app computes codes from.
    public var secret: String
    /// Hex SHA-256 of each recovery code not yet used.
    public var recoveryHashes: [String]
    /// The last 30-second time step whose code was accepted: a code is good once.
    public var lastStep: Int64

    public init(secret: String, recoveryHashes: [String], lastStep: Int64 = 0) {
        self.secret = secret
        self.recoveryHashes = recoveryHashes
        self.lastStep = lastStep
    }
}
