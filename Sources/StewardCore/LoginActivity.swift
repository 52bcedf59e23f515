/// How much one login has sent in the last hour, this message included: what the store counted
/// (clause 12's rate per login). The engine reads it from the store and hands it to the pure
/// evaluator as a value.
public struct LoginActivity: Sendable, Hashable, Codable {
    /// The SASL login the counts belong to.
    public var login: String
    /// Messages from the login in the last hour, this one included.
    public var messages: Int
    /// Envelope recipients of those messages, added up.
    public var recipients: Int

    public init(login: String, messages: Int, recipients: Int) {
        self.login = login
        self.messages = messages
        self.recipients = recipients
    }
}
