/// What the MTA tells Steward about a message besides its bytes: the SMTP envelope and the
/// milter macros that matter for policy.
public struct Envelope: Sendable, Hashable, Codable {
    /// Envelope sender (MAIL FROM), without angle brackets; empty for the null sender `<>`.
    public var sender: String
    /// Envelope recipients (RCPT TO), Bcc included: the envelope decides, not the To header.
    public var recipients: [String]
    /// SASL login (`{auth_authen}`), nil when the client did not authenticate.
    public var authUser: String?
    /// Client IP address (`{client_addr}`), nil for locally submitted mail.
    public var clientAddress: String?
    /// Client host name (`{client_name}`).
    public var clientName: String?
    /// Postfix queue id (macro `i`).
    public var queueID: String?
    /// The MTA's service name (`{daemon_name}`).
    public var daemonName: String?
    /// The MTA's host name (macro `j`).
    public var mtaHostName: String?
    /// HELO/EHLO name the client gave.
    public var helo: String?

    public init(
        sender: String = "", recipients: [String] = [], authUser: String? = nil,
        clientAddress: String? = nil, clientName: String? = nil, queueID: String? = nil,
        daemonName: String? = nil, mtaHostName: String? = nil, helo: String? = nil
    ) {
        self.sender = sender
        self.recipients = recipients
        self.authUser = authUser
        self.clientAddress = clientAddress
        self.clientName = clientName
        self.queueID = queueID
        self.daemonName = daemonName
        self.mtaHostName = mtaHostName
        self.helo = helo
    }
}

/// Where a message goes relative to the union.
public enum Direction: String, Sendable, Hashable, Codable, CaseIterable {
    /// From outside the union to the union.
    case incoming
    /// From the union (authenticated or its own networks) to at least one outside recipient.
    case outgoing
    /// From the union to union recipients only.
    case `internal`
}
