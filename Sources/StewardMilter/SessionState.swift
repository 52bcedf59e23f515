import StewardCore

/// What one MTA connection has told Steward so far: the client, and the message in progress.
/// A plain value whose steps are driven by the libmilter callbacks; it does no I/O, so the
/// order of events (several messages per connection, an abort mid-message) is tested alone.
struct SessionState {
    enum Phase: Equatable {
        /// Between messages: nothing collected.
        case idle
        /// After MAIL FROM: envelope and headers being collected.
        case headers
        /// After the end of headers: the body is arriving.
        case body
    }

    private(set) var phase: Phase = .idle
    /// Connection-level facts, kept across messages.
    private(set) var connection = Envelope()
    /// The envelope of the message in progress.
    private(set) var envelope = Envelope()
    /// Headers of the message in progress, in order, raw values kept.
    private(set) var headers: [RawHeader] = []
    /// Messages completed on this connection.
    private(set) var messagesSeen = 0

    mutating func connect(clientName: String?, clientAddress: String?, daemonName: String?, mtaHostName: String?) {
        connection.clientName = clientName
        connection.clientAddress = clientAddress
        connection.daemonName = daemonName
        connection.mtaHostName = mtaHostName
    }

    mutating func helo(_ name: String) {
        connection.helo = name
    }

    /// MAIL FROM starts a new message; anything left from an unfinished one is dropped.
    mutating func mailFrom(_ sender: String, authUser: String?, queueID: String?) {
        envelope = connection
        envelope.sender = EmailAddress.normalize(sender)
        envelope.authUser = authUser.flatMap { $0.isEmpty ? nil : $0 }
        envelope.queueID = queueID
        envelope.recipients = []
        headers = []
        phase = .headers
    }

    mutating func rcptTo(_ recipient: String) {
        envelope.recipients.append(EmailAddress.normalize(recipient))
    }

    /// Records a header and returns its bytes as they go into the message: `Name:value` CRLF.
    /// With leading space kept the value is exact; otherwise one space is put back. Folded lines
    /// arrive with bare LF from Postfix and are written with CRLF like the rest of the message.
    mutating func header(name: String, value: [UInt8], leadingSpaceKept: Bool) -> [UInt8] {
        var raw = leadingSpaceKept || value.isEmpty ? [] : [UInt8(ascii: " ")]
        var previous: UInt8 = 0
        for byte in value {
            if byte == UInt8(ascii: "\n") && previous != UInt8(ascii: "\r") { raw.append(UInt8(ascii: "\r")) }
            raw.append(byte)
            previous = byte
        }
        headers.append(RawHeader(name: name, rawValue: raw))
        return Array(name.utf8) + [UInt8(ascii: ":")] + raw + [13, 10]
    }

    /// The blank line between headers and body.
    mutating func endOfHeaders() -> [UInt8] {
        phase = .body
        return [13, 10]
    }

    /// The message is complete: returns its envelope (with the queue id now known) and goes idle.
    mutating func endOfMessage(queueID: String?) -> Envelope {
        if let queueID, !queueID.isEmpty { envelope.queueID = queueID }
        let finished = envelope
        reset()
        messagesSeen += 1
        return finished
    }

    /// The MTA gave up on this message (RSET, client gone): drop it, keep the connection.
    mutating func abort() {
        reset()
    }

    var messageInProgress: Bool { phase != .idle }

    private mutating func reset() {
        envelope = connection
        headers = []
        phase = .idle
    }
}
