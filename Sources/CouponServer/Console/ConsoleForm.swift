import CouponCore
import Crypto
import Foundation
import Hummingbird
import MultipartKit

/// A submitted console form's fields (`application/x-www-form-urlencoded` or
/// `multipart/form-data`, the latter through vapor's MultipartKit).
struct ConsoleForm: Sendable {
    var fields: [String: String]

    subscript(_ name: String) -> String? {
        fields[name].map { $0.trimmingCharacters(in: .whitespacesAndNewlines) }.flatMap { $0.isEmpty ? nil : $0 }
    }

    /// The field, which must be there. - Throws: ``ConsoleRefusal`` naming it.
    func require(_ name: String, _ label: String) throws -> String {
        guard let value = self[name] else { throw ConsoleRefusal.bad("Fill in \(label).") }
        return value
    }

    static func read(_ request: Request, limit: Int) async throws -> ConsoleForm {
        let body = try await request.body.collect(upTo: limit)
        let type = request.headers[.contentType] ?? ""
        if type.hasPrefix("multipart/form-data") {
            guard let boundary = type.split(separator: ";").lazy.map({ $0.trimmingCharacters(in: .whitespaces) })
                .first(where: { $0.hasPrefix("boundary=") })?.dropFirst(9)
            else { throw ConsoleRefusal.bad("The form came without its multipart boundary.") }
            let bytes = [UInt8](buffer: body)
            let parts: [String: String]
            do {
                parts = try FormDataDecoder().decode(
                    [String: String].self, from: bytes, boundary: String(boundary).replacingOccurrences(of: "\"", with: ""))
            } catch {
                throw ConsoleRefusal.bad("The form could not be read: \(error)")
            }
            return ConsoleForm(fields: parts)
        }
        guard type.hasPrefix("application/x-www-form-urlencoded") else {
            throw ConsoleRefusal.bad("A console form is sent as a form, not as \(type.isEmpty ? "nothing" : type).")
        }
        var fields: [String: String] = [:]
        for pair in String(buffer: body).split(separator: "&") {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            func decode(_ text: Substring) -> String? {
                text.replacingOccurrences(of: "+", with: " ").removingPercentEncoding
            }
            guard let name = decode(parts[0]) else { throw ConsoleRefusal.bad("The form is not well encoded.") }
            fields[name] = parts.count > 1 ? decode(parts[1]) ?? "" : ""
        }
        return ConsoleForm(fields: fields)
    }

    /// A hash of the form without its CSRF token: the same idempotency key with another form is
    /// refused. A field left empty counts as absent (it means the same to every handler).
    func hash(path: String) -> String {
        var hasher = SHA256()
        hasher.update(data: Data("POST \(path)\n".utf8))
        for (name, value) in fields.sorted(by: { $0.key < $1.key }) where name != "csrf" && self[name] != nil {
            hasher.update(data: Data("\(name)=\(value)\n".utf8))
        }
        return Array(hasher.finalize()).hex
    }
}

/// A console request refused with a page that says why.
struct ConsoleRefusal: Error, Sendable {
    var status: HTTPResponse.Status
    var title: String
    var text: String
    var back: String? = nil

    static func bad(_ text: String, back: String? = nil) -> ConsoleRefusal {
        ConsoleRefusal(status: .badRequest, title: "Not done", text: text, back: back)
    }
    static let csrf = ConsoleRefusal(
        status: .forbidden, title: "Form refused",
        text: "This form was not sent from a page of this console session (its CSRF token is missing or wrong). Reload the page and try again.")
    static let viewer = ConsoleRefusal(
        status: .forbidden, title: "Not allowed", text: "Your console role is viewer: you can look, not change.")
}
