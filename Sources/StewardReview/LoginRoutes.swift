import Foundation
import Hummingbird
import HummingbirdAuth
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

    struct CodeForm: Decodable {
        var login: String?
        var code: String?
    }

    struct CodePage {
        var frame: Frame
        var login: String
        var error: String?
    }

    func add(to router: Router<ReviewContext>) {
        router.get("/login") { request, context in
            if context.sessions.session?.login != nil, Self.isLive(context, app) { return Response.seeOther("/") }
            return app.loginPage(request, login: "")
        }
        router.post("/login") { request, context in
            let form = try await app.form(LoginForm.self, request)
            let login = (form.login ?? "").trimmingCharacters(in: .whitespaces).lowercased()
            let client = app.clientAddress(request, context)
            let keys = ["login:" + login, "client:" + client]
            let metadata: Logger.Metadata = ["login": "\(login)", "client": "\(client)"]
            // Counted before the password is hashed (see LoginThrottle), so a burst of parallel
            // attempts gets no more guesses than one attempt after another.
            if let refused = app.admit(keys, login: login, request: request, context: context, metadata: metadata) { return refused }
            let stored = Reviewer(login: login, directory: app.directory) == nil ? nil : try? await app.store.passwordHash(login: login)
            let password = form.password ?? ""
            let matches: Bool
            do {
                matches = try await app.passwordCheck.verify(password, hash: stored ?? app.decoyHash)
            } catch {
                app.throttle.abandon(keys)
                context.logger.warning("review sign-in refused: too many password checks waiting", metadata: metadata)
                return app.loginPage(request, login: login, error: LoginRoutes.wait, status: .serviceUnavailable)
            }
            let correct = matches && stored != nil && !password.isEmpty
            let stands = app.throttle.finish(keys, login: "login:" + login, succeeded: correct, now: app.now())
            guard correct, stands else {
                context.logger.notice("review sign-in failed", metadata: metadata)
                if correct { return app.loginPage(request, login: login, error: LoginRoutes.lockedOut, status: .tooManyRequests) }
                return app.loginPage(
                    request, login: login, error: "That e-mail address and password do not match. Please try again.", status: .unauthorized)
            }
            // A second factor, when the account has one or the server requires it.
            if try await app.store.secondFactor(login: login) != nil { return app.codePage(request, login: login) }
            if app.settings.requireTOTP {
                context.logger.notice("review sign-in refused: no second factor set up", metadata: metadata)
                return app.loginPage(request, login: login, error: LoginRoutes.needsSecondFactor, status: .forbidden)
            }
            return try await app.startSession(login: login, request: request, context: context)
        }
        // The second step: the form's token (checked by CSRFCheck) says the password was right
        // for this login within the last few minutes; a wrong code counts like a wrong password,
        // under its own key, which a right password does not clear.
        router.post("/login/code") { request, context in
            let form = try await app.form(CodeForm.self, request)
            let login = (form.login ?? "").lowercased()
            let client = app.clientAddress(request, context)
            let keys = ["code:" + login, "client:" + client]
            let metadata: Logger.Metadata = ["login": "\(login)", "client": "\(client)"]
            if let refused = app.admit(keys, login: login, request: request, context: context, metadata: metadata) { return refused }
            var correct = false
            do {
                if Reviewer(login: login, directory: app.directory) != nil, let factor = try await app.store.secondFactor(login: login) {
                    correct = try await SecondFactorCheck.verify(form.code ?? "", login: login, factor: factor, store: app.store, now: app.now())
                }
            } catch {
                app.throttle.abandon(keys)
                throw error
            }
            let stands = app.throttle.finish(keys, login: "code:" + login, succeeded: correct, now: app.now())
            guard correct, stands else {
                context.logger.notice("review sign-in failed: wrong second-factor code", metadata: metadata)
                if correct { return app.loginPage(request, login: login, error: LoginRoutes.lockedOut, status: .tooManyRequests) }
                return app.codePage(request, login: login, error: "That code is not right, or was already used. Please try the next one.", status: .unauthorized)
            }
            return try await app.startSession(login: login, request: request, context: context)
        }
        router.post("/logout") { request, context in
            context.sessions.clearSession()
            return Response.seeOther("/login")
        }
    }

    static let needsSecondFactor =
        "This server asks for a code from an authenticator app after the password, and your account has none yet. Please ask your mail administrator to set one up (steward user totp)."
    static let lockedOut = "Too many failed attempts. Please wait 15 minutes and try again, or ask your mail administrator."
    static let wait = "Sign-in is busy. Please wait a moment and try again."

    /// Whether the signed-in session is still within its idle limit.
    static func isLive(_ context: ReviewContext, _ app: ReviewApp) -> Bool {
        guard let session = context.sessions.session else { return false }
        return app.now().timeIntervalSince(session.lastSeen) <= app.idleLimit
    }
}

extension ReviewApp {
    /// The sign-in page: its form carries a token signed over the random value in the visitor's
    /// login cookie (set here when missing); nothing is stored on the server.
    func loginPage(_ request: Request, login: String, error: String? = nil, status: HTTPResponse.Status = .ok) -> Response {
        let sent = request.cookies[loginCookieName]?.value ?? ""
        let nonce = LoginToken.isNonce(sent) ? sent : LoginToken.newNonce()
        let csrf = loginToken.issue(nonce: nonce, purpose: LoginToken.signIn, now: now())
        var response = pages.render(
            "login", LoginRoutes.LoginPage(frame: Frame(title: "Sign in", reviewer: nil, csrf: csrf), login: login, error: error),
            status: status)
        response.setCookie(
            Cookie(
                name: loginCookieName, value: nonce, maxAge: Int(LoginToken.lifetime), path: "/", secure: settings.secureCookies,
                httpOnly: true, sameSite: .strict))
        return response
    }

    /// The second step of signing in: the code from the authenticator app (or a recovery code).
    /// Its token names the login whose password was right and lasts 5 minutes.
    func codePage(_ request: Request, login: String, error: String? = nil, status: HTTPResponse.Status = .ok) -> Response {
        let nonce = request.cookies[loginCookieName]?.value ?? ""
        let csrf = loginToken.issue(nonce: nonce, purpose: LoginToken.secondFactor(login), now: now(), lifetime: 5 * 60)
        return pages.render(
            "login-code", LoginRoutes.CodePage(frame: Frame(title: "Sign in: code", reviewer: nil, csrf: csrf), login: login, error: error),
            status: status)
    }

    /// Counts a sign-in attempt before anything is checked (`LoginThrottle`); the page that
    /// refuses it when the login or address is locked out or already has attempts in flight.
    func admit(_ keys: [String], login: String, request: Request, context: ReviewContext, metadata: Logger.Metadata) -> Response? {
        switch throttle.begin(keys, now: now()) {
        case .admitted:
            return nil
        case .locked:
            context.logger.notice("review sign-in refused: too many failures", metadata: metadata)
            return loginPage(request, login: login, error: LoginRoutes.lockedOut, status: .tooManyRequests)
        case .busy:
            context.logger.notice("review sign-in refused: attempts already being checked", metadata: metadata)
            return loginPage(request, login: login, error: LoginRoutes.wait, status: .tooManyRequests)
        }
    }

    /// A signed-in session with a new id, so an id planted before sign-in is worth nothing.
    func startSession(login: String, request: Request, context: ReviewContext) async throws -> Response {
        context.logger.notice("review sign-in", metadata: ["login": "\(login)", "client": "\(clientAddress(request, context))"])
        _ = try? await sessionStorage.delete(request: request)
        context.sessions.createSession(ReviewSession(login: login, lastSeen: now()), expiresIn: .seconds(idleLimit))
        return Response.seeOther("/")
    }
}
