import Foundation
import Hummingbird
import HummingbirdAuth
import StewardCore
import StewardEngine
import StewardInspection
import StewardQuarantine
import HTTPTypes
import Logging

/// A message's content, only on purpose (clause 14): `POST /messages/{id}/content` with a
/// reason records the view on the audit trail, then shows text parts escaped in `<pre>` and
/// each HTML part, sanitized by `SafeHTML`, in a sandboxed frame loaded from
/// `GET /messages/{id}/content/{part}`. That frame has its own strict policy (no script, no
/// remote image or style, nothing but inline CSS and data: images) and is served only to a
/// session that has just opened the message's content with a reason. `POST /messages/{id}/download`
/// hands over the original as a `.eml` file, on the same terms (a reason, on the trail).
struct ContentRoutes {
    let app: ReviewApp

    /// How long after "show content" the HTML frames of that message may be loaded.
    static let frameWindow: TimeInterval = 10 * 60

    static var pagePolicy: String { SecurityHeaders<ReviewContext>.pagePolicy + "; frame-src 'self'" }
    static var framePolicy: String {
        "default-src 'none'; img-src data:; style-src 'unsafe-inline'; frame-ancestors 'self'; sandbox"
    }

    struct ReasonForm: Decodable { var reason: String? }

    struct Part {
        var index: Int
        var title: String
        var text: String?
        var html: Bool
    }

    struct ContentPage {
        var frame: Frame
        var id: Int64
        var reason: String
        var parts: [Part]
    }

    func add(to router: Router<ReviewContext>) {
        router.post("/messages/:id/content") { request, context in
            let reviewer = try context.requireIdentity()
            let message = try await app.decidableMessage(context)
            guard let reason = try await reason(request, context, toDo: "see the content") else { return Response.seeOther("/messages/\(message.id)") }
            let raw = try await app.decisions.openContent(id: message.id, actor: reviewer.login, reason: reason, detail: "review app")
            let now = app.now()
            context.sessions.withLockedSession { $0?.contentOpened[message.id] = now }
            let parts = Self.readableParts(raw, inspector: app.policy.snapshot.inspector).map { index, part in
                Part(
                    index: index, title: part.filename.map { "Attached text \"\($0)\"" } ?? (part.contentType == "text/html" ? "Formatted text" : "Text"),
                    text: part.contentType == "text/html" ? nil : part.text ?? "", html: part.contentType == "text/html")
            }
            var response = app.pages.render(
                "content",
                ContentPage(
                    frame: app.frame(title: "Content of message #\(message.id)", context: context), id: message.id, reason: reason,
                    parts: parts))
            response.headers[.contentSecurityPolicy] = Self.pagePolicy
            return response
        }
        // The original message as a .eml file: reading it, so the same rights and a reason on
        // the trail (recorded as an export to the official's browser) first.
        router.post("/messages/:id/download") { request, context in
            let reviewer = try context.requireIdentity()
            let message = try await app.decidableMessage(context)
            guard let reason = try await reason(request, context, toDo: "download the message") else { return Response.seeOther("/messages/\(message.id)") }
            let raw: [UInt8]
            do {
                raw = try await app.decisions.export(id: message.id, actor: reviewer.login, reason: reason, to: "download from the review app").raw
            } catch let error as QuarantineError {
                context.sessions.withLockedSession { $0?.flash = "Nothing was downloaded: \(error.description)" }
                return Response.seeOther("/messages/\(message.id)")
            }
            context.logger.notice("review download", metadata: ["message": "\(message.id)", "login": "\(reviewer.login)"])
            return Response(
                status: .ok,
                headers: [
                    .contentType: "message/rfc822", .cacheControl: "no-store",
                    .contentDisposition: "attachment; filename=\"steward-message-\(message.id).eml\"",
                ],
                body: .init(byteBuffer: ByteBuffer(bytes: raw)))
        }
        router.get("/messages/:id/content/:part") { _, context in
            let message = try await app.decidableMessage(context)
            guard let opened = context.sessions.session?.contentOpened[message.id],
                app.now().timeIntervalSince(opened) < Self.frameWindow
            else { throw HTTPError(.forbidden, message: "Open the content from the message page, with a reason.") }
            guard let raw = try await app.store.raw(id: message.id), let index = context.parameters.get("part", as: Int.self),
                let part = Self.readableParts(raw, inspector: app.policy.snapshot.inspector).first(where: { $0.0 == index })?.1,
                part.contentType == "text/html"
            else { throw HTTPError(.notFound, message: "There is no such part.") }
            let html = SafeHTML.sanitize(part.text ?? "")
            return Response(
                status: .ok,
                headers: [
                    .contentType: "text/html; charset=utf-8", .cacheControl: "no-store", .contentSecurityPolicy: Self.framePolicy,
                ],
                body: .init(byteBuffer: ByteBuffer(string: html)))
        }
    }

    /// The form's reason, trimmed; nil, with a line on the next page saying it is needed, when
    /// none was given (then nothing is read and nothing recorded).
    private func reason(_ request: Request, _ context: ReviewContext, toDo what: String) async throws -> String? {
        let reason = (try await app.form(ReasonForm.self, request).reason ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
        if reason.isEmpty { context.sessions.withLockedSession { $0?.flash = "Give a reason to \(what): it is kept on the audit trail." } }
        return reason.isEmpty ? nil : reason
    }

    /// The parts a person reads, numbered by their place among all parts: text and HTML
    /// bodies, and attached plain text. Attached files of other types are listed on the
    /// message page, never rendered.
    static func readableParts(_ raw: [UInt8], inspector: Inspector) -> [(Int, MessagePart)] {
        guard let inspected = try? inspector.inspect(bytes: raw, documentText: false) else { return [] }
        return inspected.allParts.enumerated().compactMap { index, part in
            guard part.origin == .leaf || part.origin == .uuencoded, part.text != nil,
                part.contentType == "text/plain" || part.contentType == "text/html"
            else { return nil }
            // An attached HTML file is a file, not a body: shown as text, never rendered.
            if part.filename != nil && part.contentType == "text/html" {
                var asText = part
                asText.contentType = "text/plain"
                return (index, asText)
            }
            return (index, part)
        }
    }
}
