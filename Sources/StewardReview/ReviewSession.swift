public import Foundation

/// What the session cookie stands for, kept in server memory (a restart signs everyone out).
/// Only a signed-in person has one: the sign-in form is protected by a signed `LoginToken`.
public struct ReviewSession: Codable, Sendable {
    /// The signed-in account; nil before sign-in.
    public var login: String?
    /// The token every form of this session carries (hidden `csrf` field).
    public var csrf: String
    /// The last request, for idle expiry.
    public var lastSeen: Date
    /// Messages whose content this session opened with a reason, and when: the HTML frame of
    /// a message may be fetched only shortly after an audited "show content".
    public var contentOpened: [Int64: Date]
    /// A line shown once on the next page ("Message 12 released.").
    public var flash: String?

    public init(login: String? = nil, csrf: String = ReviewSession.newToken(), lastSeen: Date, contentOpened: [Int64: Date] = [:]) {
        self.login = login
        self.csrf = csrf
        self.lastSeen = lastSeen
        self.contentOpened = contentOpened
    }

    /// 32 random bytes from the system's CSPRNG, hex.
    public static func newToken() -> String {
        var generator = SystemRandomNumberGenerator()
        return (0..<32).map { _ in String(format: "%02x", UInt8.random(in: 0...255, using: &generator)) }.joined()
    }
}
