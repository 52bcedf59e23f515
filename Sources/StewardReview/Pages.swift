import Foundation
public import Hummingbird
import Mustache
import HTTPTypes

/// The Mustache templates (Templates/*.mustache, compiled into the binary) and the one
/// way pages are answered: HTML, escaped by Mustache (`{{…}}` escapes; the templates never use
/// triple braces except for SafeHTML's sanitized output), never cached by the browser.
public struct Pages: Sendable {
    let library: MustacheLibrary

    /// Parses every template once at start-up, so a broken template stops the app from starting
    /// (`serve` then runs the milter without it and says so).
    /// `templates` replaces the compiled-in ones (tests of a broken template).
    public init(templates: [String: String]? = nil) throws {
        var library = MustacheLibrary()
        for (name, text) in (templates ?? EmbeddedFiles.templates).sorted(by: { $0.key < $1.key }) {
            do {
                try library.register(text, named: name)
            } catch {
                throw TemplateError(template: name, problem: "\(error)")
            }
        }
        self.library = library
    }

    /// A template that does not parse, by name.
    public struct TemplateError: Error, CustomStringConvertible {
        public let template: String
        public let problem: String
        public var description: String { "the review page template \(template).mustache is broken: \(problem)" }
    }

    /// The page `template` filled from `model`.
    public func render(_ template: String, _ model: Any, status: HTTPResponse.Status = .ok) -> Response {
        guard let html = library.render(model, withTemplate: template) else {
            return Response(
                status: .internalServerError, headers: [.contentType: "text/plain; charset=utf-8"],
                body: .init(byteBuffer: ByteBuffer(string: "page template \(template) is missing")))
        }
        return Response(
            status: status, headers: [.contentType: "text/html; charset=utf-8", .cacheControl: "no-store"],
            body: .init(byteBuffer: ByteBuffer(string: html)))
    }
}

/// What every page's header and footer show (templates: `{{#frame}}…{{/frame}}`).
public struct Frame: Sendable {
    public var title: String
    /// The signed-in reviewer's name and login; nil on the sign-in pages.
    public var name: String?
    public var login: String?
    public var isAdmin: Bool
    /// Whether someone is signed in. A Bool, never nil: a missing value in a Mustache section
    /// is looked up in the page around it, and the sign-in pages have a `login` of their own
    /// (which once showed "Signed in as" and Sign out to nobody signed in).
    public var signedIn: Bool
    public var csrf: String
    /// One message shown once after an action ("Message 12 released.").
    public var flash: String?

    public init(title: String, reviewer: Reviewer?, csrf: String, flash: String? = nil) {
        self.title = title
        name = reviewer?.name
        login = reviewer?.login
        isAdmin = reviewer?.isAdmin ?? false
        signedIn = reviewer != nil
        self.csrf = csrf
        self.flash = flash
    }
}

extension Response {
    /// 303 See Other: after a form, the browser GETs the next page.
    static func seeOther(_ location: String) -> Response {
        Response(status: .seeOther, headers: [.location: location])
    }
}
