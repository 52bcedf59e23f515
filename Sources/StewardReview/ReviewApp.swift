public import Foundation
public import Hummingbird
import HummingbirdAuth
import HummingbirdBcrypt
public import Logging
public import StewardEngine
import StewardPolicy
public import StewardQuarantine
import HTTPTypes
import StewardCore

/// The review app officials use in a browser (clauses 14 and 15): its parts, and the router
/// and application built from them. `steward serve` runs it beside the milter; `steward review`
/// alone.
public struct ReviewApp: Sendable {
    public let store: any QuarantineStore
    public let policy: PolicyHolder
    /// Releases go through the MTA; nil when none is configured (release is then refused).
    public let release: ReleaseService?
    public let settings: ReviewSettings
    public let pages: Pages
    public let throttle: LoginThrottle
    /// The clock (tests move it to expire sessions).
    public let now: @Sendable () -> Date
    let sessionStorage: SessionStorage<ReviewSession>
    /// Signed-in sessions only, capped (a visitor who has not signed in has none).
    public let sessions: SessionCap
    /// Signs the sign-in form's tokens (no server state before sign-in).
    let loginToken = LoginToken()
    /// Bounds the Bcrypt work done at once.
    let passwordCheck: PasswordCheck
    /// Compared against when a login has no password, so an unknown login takes as long as a
    /// known one and timing does not tell which logins exist.
    let decoyHash: String

    /// - Parameter bcryptCost: cost of the decoy hash; 12 in production like real passwords
    ///   (tests use a low cost to stay fast).
    public init(
        store: any QuarantineStore, policy: PolicyHolder, release: ReleaseService?, settings: ReviewSettings,
        bcryptCost: UInt8 = 12, throttle: LoginThrottle = LoginThrottle(), sessions: SessionCap = SessionCap(),
        passwordCheck: PasswordCheck = PasswordCheck(), now: @escaping @Sendable () -> Date = { Date() }
    ) async throws {
        self.store = store
        self.policy = policy
        self.release = release
        self.settings = settings
        self.throttle = throttle
        self.now = now
        self.sessions = sessions
        self.passwordCheck = passwordCheck
        pages = try Pages()
        sessionStorage = SessionStorage(
            sessions,
            configuration: SessionStorageConfiguration(
                sessionCookieParameters: SessionCookieParameters(
                    // `__Host-` makes browsers refuse the cookie unless Secure, host-only, path /.
                    name: settings.secureCookies ? "__Host-steward-session" : "steward-session",
                    path: "/", secure: settings.secureCookies,
                    // Lax: a link from a notice e-mail opens the page signed in; every form
                    // is protected by its CSRF token anyway.
                    sameSite: .lax),
                keyPrefix: "steward."))
        decoyHash = Bcrypt.hash(ReviewSession.newToken(), cost: bcryptCost)
    }

    /// The cookie that carries the sign-in form's random value (see `LoginToken`).
    var loginCookieName: String { settings.secureCookies ? "__Host-steward-login" : "steward-login" }

    /// Seconds of inactivity after which a session ends.
    var idleLimit: Double { Double(settings.sessionMinutes) * 60 }

    /// The directory as the policy now stands (a reload takes effect on the next request).
    var directory: UnionDirectory { policy.snapshot.evaluator.policy.directory }

    public func router() -> Router<ReviewContext> {
        let router = Router(context: ReviewContext.self)
        router.add(middleware: SecurityHeaders())
        router.add(middleware: ErrorPages(pages: pages))
        router.add(middleware: SessionMiddleware(sessionStorage: sessionStorage, defaultSessionExpiration: .seconds(idleLimit)))
        router.add(middleware: CSRFCheck(app: self))
        router.add(middleware: SessionGate(app: self))
        router.add(middleware: AssetRoutes())
        LoginRoutes(app: self).add(to: router)
        QueueRoutes(app: self).add(to: router)
        BulkRoutes(app: self).add(to: router)
        MessageRoutes(app: self).add(to: router)
        ContentRoutes(app: self).add(to: router)
        TrailRoutes(app: self).add(to: router)
        FiguresRoutes(app: self).add(to: router)
        ShadowRoutes(app: self).add(to: router)
        return router
    }

    /// The app listening on `settings.listen`, with the session store's tidying service.
    public func application(logger: Logger) -> some ApplicationProtocol {
        Application(
            router: router(),
            configuration: .init(address: .hostname(settings.host, port: settings.port), serverName: nil),
            services: [sessions],
            logger: logger)
    }

    /// Decodes a POSTed form (already collected by `CSRFCheck`).
    func form<T: Decodable>(_ type: T.Type, _ request: Request) async throws -> T {
        var request = request
        let body = try await request.collectBody(upTo: 1 << 20)
        do {
            return try URLEncodedFormDecoder().decode(type, from: String(buffer: body))
        } catch {
            throw HTTPError(.badRequest, message: "The form could not be read.")
        }
    }

    /// The browser's address, believing a trusted proxy's X-Forwarded-For.
    func clientAddress(_ request: Request, _ context: ReviewContext) -> String {
        ClientAddress.resolve(
            peer: context.remoteAddress?.ipAddress, forwardedFor: request.headers[.xForwardedFor],
            trustedProxies: settings.trustedProxies)
    }
}
