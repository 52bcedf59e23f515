import Foundation
import Hummingbird
import HummingbirdAuth
import StewardEngine
import HTTPTypes

/// Lets a request past only with a live signed-in session: resolves the reviewer from the
/// directory as it stands now, ends sessions idle longer than `idle`, and keeps active ones
/// alive. Without a session a page request is sent to `/login` (303) and anything else gets
/// 403. The sign-in page and the stylesheet are the only ways in without one.
struct SessionGate: RouterMiddleware {
    typealias Context = ReviewContext
    let app: ReviewApp

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let path = request.uri.path
        if path == "/login" || path == "/login/code" || path.hasPrefix("/assets/") { return try await next(request, context) }
        let now = app.now()
        var context = context
        if let session = context.sessions.session, let login = session.login {
            if now.timeIntervalSince(session.lastSeen) > app.idleLimit {
                context.sessions.clearSession()
            } else if let reviewer = Reviewer(login: login, directory: app.directory) {
                context.identity = reviewer
                context.sessions.withLockedSession { data in
                    data?.lastSeen = now
                    // Sliding expiry: the stored session lives `idle` past the last request.
                    data?.expiresIn = .seconds(app.idleLimit)
                }
                return try await next(request, context)
            } else {
                context.sessions.clearSession()
            }
        }
        if request.method == .get || request.method == .head {
            return .seeOther("/login")
        }
        throw HTTPError(.forbidden, message: "Please sign in again.")
    }
}

/// Checks the CSRF token on every POST (hidden `csrf` field): the session's token, or on the
/// sign-in form (which has no session) a `LoginToken` signed over the login cookie's value. A
/// form posted from another site, or from a stale page of an ended session, is refused with 403.
struct CSRFCheck: RouterMiddleware {
    typealias Context = ReviewContext
    let app: ReviewApp

    struct Field: Decodable {
        var csrf: String?
        var login: String?
    }

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard request.method == .post else { return try await next(request, context) }
        var request = request
        // Collected once here; handlers read the same buffer again.
        let body = try await request.collectBody(upTo: 1 << 20)
        let field = try? URLEncodedFormDecoder().decode(Field.self, from: String(buffer: body))
        let sent = field?.csrf
        if let purpose = LoginToken.purpose(ofPath: request.uri.path, login: field?.login) {
            let nonce = request.cookies[app.loginCookieName]?.value ?? ""
            guard let sent, app.loginToken.verify(sent, nonce: nonce, purpose: purpose, now: app.now()) else {
                throw HTTPError(.forbidden, message: "This sign-in form has expired. Please reload the page and try again.")
            }
            return try await next(request, context)
        }
        guard let expected = context.sessions.session?.csrf, let sent, Self.same(sent, expected) else {
            throw HTTPError(.forbidden, message: "This form has expired. Please go back, reload the page and try again.")
        }
        return try await next(request, context)
    }

    /// Compares without stopping at the first difference, so timing tells nothing.
    static func same(_ a: String, _ b: String) -> Bool {
        let x = Array(a.utf8), y = Array(b.utf8)
        guard x.count == y.count else { return false }
        return zip(x, y).reduce(UInt8(0)) { $0 | ($1.0 ^ $1.1) } == 0
    }
}
