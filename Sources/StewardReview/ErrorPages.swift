import Hummingbird
import HTTPTypes

/// Refusals (403, 404, 400…) as a page in plain words with the app's look and a way back,
/// rather than a bare status line.
struct ErrorPages<Context: RequestContext>: RouterMiddleware {
    let pages: Pages

    struct ErrorPage {
        var frame: Frame
        var heading: String
        var message: String
    }

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch let error as HTTPError {
            let heading: String =
                switch error.status {
                case .notFound: "Not found"
                case .forbidden: "Not allowed"
                case .badRequest: "That did not work"
                default: error.status.reasonPhrase
                }
            var response = pages.render(
                "error",
                ErrorPage(
                    frame: Frame(title: heading, reviewer: nil, csrf: ""), heading: heading,
                    message: error.body ?? error.status.reasonPhrase),
                status: error.status)
            for field in error.headers { response.headers.append(field) }
            return response
        }
    }
}
