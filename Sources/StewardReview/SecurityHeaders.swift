import Hummingbird
import HTTPTypes

/// Headers on every answer: a strict Content-Security-Policy (no script, no remote anything,
/// forms only to this app, never framed), no MIME sniffing, no Referer leaving the app.
/// A route that needs another policy (the sandboxed message frame) sets its own first.
struct SecurityHeaders<Context: RequestContext>: RouterMiddleware {
    static var pagePolicy: String {
        "default-src 'none'; style-src 'self'; img-src 'self' data:; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
    }

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        var response = try await next(request, context)
        if response.headers[.contentSecurityPolicy] == nil {
            response.headers[.contentSecurityPolicy] = Self.pagePolicy
        }
        response.headers[.xContentTypeOptions] = "nosniff"
        response.headers[.referrerPolicy] = "no-referrer"
        return response
    }
}

extension HTTPField.Name {
    static var referrerPolicy: Self { Self("Referrer-Policy")! }
    static var xForwardedFor: Self { Self("X-Forwarded-For")! }
    static var xForwardedProto: Self { Self("X-Forwarded-Proto")! }
}
