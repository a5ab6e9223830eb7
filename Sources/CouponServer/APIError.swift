import CouponCore
import CouponStore
import Foundation
import Hummingbird
import NIOCore
import NIOHTTP1

/// An error the API reports as `{"error": {"code": "...", "message": "..."}}` with its status.
/// Every client mistake maps to one of these with a 4xx; anything else is a 500 and a bug.
public struct APIError: HTTPResponseError, Sendable {
    public let status: HTTPResponse.Status
    public let code: String
    public let message: String
    /// Extra fields next to `error` (the unchanged balance of a declined settlement, say).
    public var details: [String: JSONValue] = [:]
    /// Extra response headers (`Allow` on a 405).
    public var headers: HTTPFields = [:]

    public init(_ status: HTTPResponse.Status, _ code: String, _ message: String, details: [String: JSONValue] = [:]) {
        self.status = status
        self.code = code
        self.message = message
        self.details = details
    }

    /// The JSON body of this error.
    func jsonBody() throws -> Data {
        var object: [String: JSONValue] = details
        object["error"] = .object(["code": .string(code), "message": .string(message)])
        return try JSONEncoder.api.encode(JSONValue.object(object))
    }

    public func response(from request: Request, context: some RequestContext) throws -> Response {
        let data = try jsonBody()
        var fields: HTTPFields = [.contentType: "application/json; charset=utf-8"]
        fields.append(contentsOf: headers)
        return Response(status: status, headers: fields, body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }

    static let unauthorized = APIError(
        .unauthorized, "unauthorized", "a valid API key is required (Authorization: Bearer ...)")
    static func forbidden(_ why: String) -> APIError { APIError(.forbidden, "forbidden", why) }
    static func notFound(_ what: String) -> APIError { APIError(.notFound, "not_found", "no such \(what)") }

    /// The API's view of any error a handler threw.
    static func from(_ error: any Error) -> APIError? {
        switch error {
        case let error as APIError: return error
        case is IdempotencyKeyReused:
            return APIError(.unprocessableContent, "idempotency_key_reused", IdempotencyKeyReused().description)
        case is IdempotencyReplayUnreadable:
            return APIError(.conflict, "idempotency_replay_unreadable", IdempotencyReplayUnreadable().description)
        case let error as MoneyError: return APIError(.badRequest, "bad_amount", error.description)
        case let error as AdminError:
            let status: HTTPResponse.Status =
                switch error {
                case .couponNotFound, .settlementNotFound: .notFound
                case .wrongState: .conflict
                case .currencyMismatch, .belowHeld, .refundTooLarge: .unprocessableContent
                case .emptyChange: .badRequest
                }
            return APIError(status, error.code, error.description)
        case let error as LimitError: return APIError(.unprocessableContent, "over_limit", error.description)
        case let error as PlainTextError:
            let code = "bad_" + (error.field.split(separator: " ").last.map(String.init) ?? "text")
            return APIError(.badRequest, code, error.description)
        case let error as CouponCodeError: return APIError(.badRequest, "invalid_code", error.description)
        case let error as BasketError: return APIError(.badRequest, "bad_basket", error.description)
        case let error as SettlementError:
            let status: HTTPResponse.Status =
                switch error {
                case .notFound: .notFound
                case .otherStation: .forbidden
                case .exceedsHold: .unprocessableContent
                case .notHeld, .holdExpired: .conflict
                }
            return APIError(status, error.code, error.description)
        case _ where StoreError.unavailable(error) != nil:
            return APIError(.serviceUnavailable, "unavailable", StoreError.unavailable(error)!.description)
        case let error as NIOTooManyBytesError:
            let limit = error.maxBytes.map { " of \($0) bytes" } ?? ""
            return APIError(.contentTooLarge, "too_large", "the request body is over this route's limit\(limit)")
        case let error as HTTPParserError:
            return APIError(.badRequest, "bad_request", "the request is not valid HTTP/1.1 (\(error))")
        case is DecodingError: return APIError(.badRequest, "malformed_json", describe(error as! DecodingError))
        case let error as HTTPError:
            let code =
                error.status == .badRequest ? "malformed_json" : error.status.code == 413 ? "too_large" : "http_error"
            return APIError(error.status, code, error.body ?? error.status.reasonPhrase)
        default: return nil
        }
    }

    private static func describe(_ error: DecodingError) -> String {
        switch error {
        case .keyNotFound(let key, _): "missing field '\(key.stringValue)'"
        case .typeMismatch(_, let context), .valueNotFound(_, let context):
            "wrong type at '\(context.codingPath.map(\.stringValue).joined(separator: "."))'"
        case .dataCorrupted(let context):
            context.codingPath.isEmpty
                ? "the body is not valid JSON"
                : "bad value at '\(context.codingPath.map(\.stringValue).joined(separator: "."))'"
        @unknown default: "the body could not be decoded"
        }
    }
}

/// Turns every thrown error into the API's JSON error shape; an unexpected one is logged and
/// answered 500 without its details.
struct ErrorMiddleware: RouterMiddleware {
    typealias Context = AppRequestContext
    let routes: RouteTable

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws
        -> Response
    {
        do {
            return try await next(request, context)
        } catch let error as HTTPError where error.status == .notFound {
            let allowed = routes.methods(for: request.uri.path)
            guard !allowed.isEmpty else {
                return try APIError.notFound("route: \(request.method.rawValue) \(request.uri.path)").response(
                    from: request, context: context)
            }
            var refusal = APIError(
                .methodNotAllowed, "method_not_allowed",
                "\(request.method.rawValue) is not allowed here; use \(allowed.joined(separator: ", "))")
            refusal.headers[.allow] = allowed.joined(separator: ", ")
            return try refusal.response(from: request, context: context)
        } catch {
            if let api = APIError.from(error) { return try api.response(from: request, context: context) }
            context.logger.error("internal error", metadata: ["error": "\(String(reflecting: type(of: error)))"])
            return try APIError(.internalServerError, "internal", "internal error").response(
                from: request, context: context)
        }
    }
}

/// A JSON value, for free-form response fields.
public indirect enum JSONValue: Codable, Sendable, Equatable {
    case string(String)
    case int(Int64)
    case bool(Bool)
    case object([String: JSONValue])
    case array([JSONValue])
    case null

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        switch self {
        case .string(let v): try container.encode(v)
        case .int(let v): try container.encode(v)
        case .bool(let v): try container.encode(v)
        case .object(let v): try container.encode(v)
        case .array(let v): try container.encode(v)
        case .null: try container.encodeNil()
        }
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if container.decodeNil() {
            self = .null
        } else if let v = try? container.decode(Bool.self) {
            self = .bool(v)
        } else if let v = try? container.decode(Int64.self) {
            self = .int(v)
        } else if let v = try? container.decode(String.self) {
            self = .string(v)
        } else if let v = try? container.decode([JSONValue].self) {
            self = .array(v)
        } else {
            self = .object(try container.decode([String: JSONValue].self))
        }
    }
}

extension JSONEncoder {
    static var api: JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return encoder
    }
}
