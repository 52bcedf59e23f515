import Foundation
import Hummingbird
import HummingbirdAuth
import HummingbirdBcrypt
import NIOPosix
import StewardQuarantine
import Logging
import StewardEngine
import StewardPolicy
import HTTPTypes

/// Sign in and sign out. Passwords are checked against the Bcrypt hash in the store (set with
/// `steward user set-password`); after too many failures the login and the address are locked
/// out for a while; a successful sign-in starts a fresh session (new id, new CSRF token).
struct LoginRoutes {
    let app: ReviewApp

    struct LoginPage {
        var frame: Frame
        var login: String
        var error: String?
    }

    struct LoginForm: Decodable {
        var login: String?
        var password: String?
    }

    func add(to router: Router<ReviewContext>) {
        router.get("/login") { _, context in
            if context.sessions.session?.login != nil, Self.isLive(context, app) { return Response.seeOther("/") }
            let csrf = Self.anonymousSession(context, now: app.now())
            return app.pages.render("login", LoginPage(frame: Frame(title: "Sign in", reviewer: nil, csrf: csrf), login: ""))
        }
        router.post("/login") { request, context in
            let form = try await app.form(LoginForm.self, request)
            let login = (form.login ?? "").trimmingCharacters(in: .whitespaces).lowercased()
            let client = app.clientAddress(request, context)
            let keys = ["login:" + login, "client:" + client]
            let now = app.now()
            let csrf = context.sessions.session?.csrf ?? ""
            func refused(_ error: String, _ status: HTTPResponse.Status) -> Response {
                app.pages.render(
                    "login", LoginPage(frame: Frame(title: "Sign in", reviewer: nil, csrf: csrf), login: login, error: error), status: status)
            }
            if app.throttle.isLocked(keys, now: now) {
                context.logger.notice("review sign-in refused: too many failures", metadata: ["login": "\(login)", "client": "\(client)"])
                return refused(
                    "Too many failed attempts. Please wait 15 minutes and try again, or ask your mail administrator.", .tooManyRequests)
            }
            let stored = Reviewer(login: login, directory: app.directory) == nil ? nil : try? app.store.passwordHash(login: login)
            let password = form.password ?? ""
            let hash = stored ?? app.decoyHash
            // Bcrypt is slow on purpose; keep it off the event loop.
            let matches = try await NIOThreadPool.singleton.runIfActive { Bcrypt.verify(password, hash: hash) }
            guard matches, stored != nil, !password.isEmpty else {
                app.throttle.recordFailure(keys, now: now)
                context.logger.notice("review sign-in failed", metadata: ["login": "\(login)", "client": "\(client)"])
                return refused("That e-mail address and password do not match. Please try again.", .unauthorized)
            }
            app.throttle.recordSuccess(login: "login:" + login)
            context.logger.notice("review sign-in", metadata: ["login": "\(login)", "client": "\(client)"])
            // A new session id on sign-in, so an id planted before sign-in is worth nothing.
            _ = try? await app.sessionStorage.delete(request: request)
            context.sessions.createSession(ReviewSession(login: login, lastSeen: now), expiresIn: .seconds(app.idleLimit))
            return Response.seeOther("/")
        }
        router.post("/logout") { request, context in
            context.sessions.clearSession()
            return Response.seeOther("/login")
        }
    }

    /// Whether the signed-in session is still within its idle limit.
    static func isLive(_ context: ReviewContext, _ app: ReviewApp) -> Bool {
        guard let session = context.sessions.session else { return false }
        return app.now().timeIntervalSince(session.lastSeen) <= app.idleLimit
    }

    /// The CSRF token of this visitor's session, creating a signed-out session if needed.
    static func anonymousSession(_ context: ReviewContext, now: Date) -> String {
        if let session = context.sessions.session, session.login == nil { return session.csrf }
        let session = ReviewSession(lastSeen: now)
        context.sessions.createSession(session)
        return session.csrf
    }
}
