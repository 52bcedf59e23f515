public import StewardCore

/// Where a message goes relative to the union (clause 11 covers internal and external mail).
///
/// Mail is from *inside* the union when the client authenticated, connected from one of the
/// union's networks, or submitted it locally (no client address). Mail not from inside is
/// incoming; mail from inside is internal when every recipient is in a union domain (or a
/// subdomain), outgoing otherwise.
public struct DirectionResolver: Sendable {
    public let directory: UnionDirectory

    public init(directory: UnionDirectory) { self.directory = directory }

    public func isInside(_ envelope: Envelope) -> Bool {
        if let user = envelope.authUser, !user.isEmpty { return true }
        guard let client = envelope.clientAddress, !client.isEmpty else { return true }
        return directory.isInsideNetwork(client)
    }

    public func direction(of envelope: Envelope) -> Direction {
        guard isInside(envelope) else { return .incoming }
        return envelope.recipients.allSatisfy(directory.isUnionAddress) ? .internal : .outgoing
    }
}
