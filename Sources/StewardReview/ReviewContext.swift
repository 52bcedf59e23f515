public import Hummingbird
public import HummingbirdAuth
public import NIOCore

/// Every request's context: its session (HummingbirdAuth sessions) and, once the session gate
/// has run, the signed-in reviewer.
public struct ReviewContext: AuthRequestContext, SessionRequestContext, RemoteAddressRequestContext {
    public var coreContext: CoreRequestContextStorage
    public var identity: Reviewer?
    public let sessions: SessionContext<ReviewSession>
    /// The TCP peer (nil in router tests, which have no socket).
    public let remoteAddress: SocketAddress?

    public init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        identity = nil
        sessions = .init()
        remoteAddress = source.channel.remoteAddress
    }
}
