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
        var response: Response
        do {
            response = try await next(request, context)
        } catch let error as HTTPError {
            // Errors get the same headers as pages (a 404 page is still a page).
            response = Response(
                status: error.status, headers: [.contentType: "text/plain; charset=utf-8"],
                body: .init(byteBuffer: ByteBuffer(string: error.body ?? error.status.reasonPhrase)))
        }
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
