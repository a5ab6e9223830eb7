import Foundation
import HTTPTypes
import Hummingbird
import Mustache

/// The console's pages: swift-mustache templates (``ConsoleTemplates``) rendered with a page's
/// values, sent with the headers every console page carries.
struct ConsoleView: Sendable {
    let library: MustacheLibrary

    init() {
        var templates: [String: MustacheTemplate] = [:]
        for (name, text) in ConsoleTemplates.all {
            // The templates are part of this binary: one that does not parse is a bug caught by every test.
            do { templates[name] = try MustacheTemplate(string: text) } catch {
                preconditionFailure("console template \(name): \(error)")
            }
        }
        library = MustacheLibrary(templates: templates)
    }

    /// The Content-Security-Policy of every console page: scripts and styles only from this
    /// server's files, images also as `data:` (the one-time QR), no framing, forms to this server.
    static let policy =
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; "
        + "form-action 'self'; base-uri 'none'; frame-ancestors 'none'"

    static var headers: HTTPFields {
        var headers = security
        headers[.contentType] = "text/html; charset=utf-8"
        return headers
    }

    /// The headers of every console answer, redirects included.
    static var security: HTTPFields {
        [
            .cacheControl: "no-store", .contentSecurityPolicy: policy, HTTPField.Name("Referrer-Policy")!: "no-referrer",
            HTTPField.Name("X-Content-Type-Options")!: "nosniff", HTTPField.Name("X-Frame-Options")!: "DENY",
        ]
    }

    /// `template` rendered with `values` as a page with `status`.
    func page(_ template: String, _ values: [String: Any], status: HTTPResponse.Status = .ok, headers extra: HTTPFields = [:])
        -> Response
    {
        let html = library.render(values, withTemplate: template) ?? "template \(template) is missing"
        var headers = Self.headers
        headers.append(contentsOf: extra)
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(string: html)))
    }

    /// A page that says one thing (an error, a refusal) with a way back.
    func message(
        _ title: String, _ text: String, status: HTTPResponse.Status, session: PageSession?, back: String = "/console"
    ) -> Response {
        var values = session?.values ?? [:]
        values["title"] = title
        values["text"] = text
        values["back"] = back
        return page("message", values, status: status)
    }

    /// A redirect after a form (303: the browser then GETs `location`).
    static func redirect(_ location: String, headers extra: HTTPFields = [:]) -> Response {
        var headers = security
        headers[.location] = location
        headers.append(contentsOf: extra)
        return Response(status: .seeOther, headers: headers)
    }

    static func asset(_ text: String, type: String) -> Response {
        Response(
            status: .ok,
            headers: [
                .contentType: type, .cacheControl: "no-cache", HTTPField.Name("X-Content-Type-Options")!: "nosniff",
            ],
            body: .init(byteBuffer: ByteBuffer(string: text)))
    }
}

/// What every signed-in page shows: who is signed in, their role, the session's CSRF token.
struct PageSession: Sendable {
    var actor: String
    var isAdmin: Bool
    var csrf: String

    var values: [String: Any] { ["actor": actor, "admin": isAdmin, "csrf": csrf, "signedIn": true] }
}
