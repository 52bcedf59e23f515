public import Foundation
import Crypto

/// The sign-in form's CSRF protection without any server state for a visitor who has not signed
/// in: the browser gets a random value in a cookie, and the form a token signed (HMAC-SHA256,
/// with a key that lives only in this process's memory) over that value, what the form is for
/// and when the token ends. Another site can make a browser post the form but can neither read
/// the cookie nor sign a token for it; a restart or the end of `lifetime` just asks the visitor
/// to reload the page.
public struct LoginToken: Sendable {
    /// How long a sign-in form stays usable.
    public static let lifetime: TimeInterval = 15 * 60

    /// 32 random bytes (kept as bytes: swift-crypto's SymmetricKey is not Sendable).
    private let key: [UInt8]

    /// The purpose of the sign-in form's token.
    public static let signIn = "sign-in"

    init() {
        var generator = SystemRandomNumberGenerator()
        key = (0..<32).map { _ in UInt8.random(in: 0...255, using: &generator) }
    }

    /// The token purpose a POST to `path` must carry, for the forms posted before sign-in.
    static func purpose(ofPath path: String, login: String?) -> String? {
        switch path {
        case "/login": signIn
        case "/login/code": secondFactor(login ?? "")
        default: nil
        }
    }

    /// The purpose of the second step's token: the password of `login` was right.
    public static func secondFactor(_ login: String) -> String { "second-factor\u{0}" + login.lowercased() }

    /// A fresh random value for the cookie (32 bytes, hex).
    public static func newNonce() -> String { ReviewSession.newToken() }

    /// Whether `text` looks like a value `newNonce` made (so a cookie of any other shape is replaced).
    public static func isNonce(_ text: String) -> Bool {
        text.utf8.count == 64 && text.utf8.allSatisfy { (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) || (UInt8(ascii: "a")...UInt8(ascii: "f")).contains($0) }
    }

    /// A token for the form: `expiry.mac`, bound to the cookie's `nonce` and to `purpose`
    /// (`sign-in`, or `second-factor` and the login whose password was right).
    public func issue(nonce: String, purpose: String, now: Date, lifetime: TimeInterval = LoginToken.lifetime) -> String {
        let expiry = Int64(now.addingTimeInterval(lifetime).timeIntervalSince1970)
        return "\(expiry).\(mac(nonce: nonce, purpose: purpose, expiry: expiry))"
    }

    /// Whether `token` was issued by this process for `nonce` and `purpose` and has not expired.
    public func verify(_ token: String, nonce: String, purpose: String, now: Date) -> Bool {
        let pieces = token.split(separator: ".", omittingEmptySubsequences: false)
        guard pieces.count == 2, let expiry = Int64(pieces[0]), Double(expiry) >= now.timeIntervalSince1970,
            Self.isNonce(nonce)
        else { return false }
        return CSRFCheck.same(String(pieces[1]), mac(nonce: nonce, purpose: purpose, expiry: expiry))
    }

    private func mac(nonce: String, purpose: String, expiry: Int64) -> String {
        let message = Data("steward-login\u{0}\(nonce)\u{0}\(purpose)\u{0}\(expiry)".utf8)
        return HMAC<SHA256>.authenticationCode(for: message, using: SymmetricKey(data: key)).map { String(format: "%02x", $0) }.joined()
    }
}
