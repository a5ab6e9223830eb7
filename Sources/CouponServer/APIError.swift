import CouponAPI
import CouponCore
import CouponStore
import Foundation
import Hummingbird
import NIOCore
import NIOHTTP1
import SignedState

/// An error the API reports as `{"error": {"code": "...", "message": "..."}}` with its status.
/// Every client mistake maps to one of these with a 4xx; anything else is a 500 and a bug.
public struct APIError: HTTPResponseError, Sendable {
    public let status: HTTPResponse.Status
    /// The body: code and message, and the unchanged balance or unknown products of a decline.
    public var body: ErrorBody
    /// Extra response headers (`Allow` on a 405).
    public var headers: HTTPFields = [:]

    public var code: ErrorCode { body.error.code }

    public init(_ status: HTTPResponse.Status, _ code: ErrorCode, _ message: String) {
        self.status = status
        body = ErrorBody(code: code, message: message)
    }

    /// The JSON body of this error.
    func jsonBody() throws -> Data {
        try JSONEncoder.api.encode(body)
    }

    public func response(from request: Request, context: some RequestContext) throws -> Response {
        let data = try jsonBody()
        var fields: HTTPFields = [.contentType: "application/json; charset=utf-8"]
        fields.append(contentsOf: headers)
        return Response(status: status, headers: fields, body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }

    static let unauthorized = APIError(
        .unauthorized, .unauthorized, "a valid API key is required (Authorization: Bearer ...)")
    /// 429 with `Retry-After` (seconds), as HTTP clients and Stripe's and Square's SDKs expect:
    /// the counting window is a minute.
    static func rateLimited(_ why: String) -> APIError {
        var error = APIError(.tooManyRequests, .rateLimited, why)
        error.headers[.retryAfter] = "60"
        return error
    }
    static func forbidden(_ why: String) -> APIError { APIError(.forbidden, .forbidden, why) }
    static func notFound(_ what: String) -> APIError { APIError(.notFound, .notFound, "no such \(what)") }

    /// The API's view of any error a handler threw.
    static func from(_ error: any Error) -> APIError? {
        switch error {
        case let error as APIError: return error
        case is IdempotencyKeyReused:
            return APIError(.unprocessableContent, .idempotencyKeyReused, IdempotencyKeyReused().description)
        case is IdempotencyReplayUnreadable:
            return APIError(.conflict, .idempotencyReplayUnreadable, IdempotencyReplayUnreadable().description)
        case let error as MoneyError: return APIError(.badRequest, .badAmount, error.description)
        case let error as AdminError:
            let status: HTTPResponse.Status =
                switch error {
                case .couponNotFound, .settlementNotFound: .notFound
                case .wrongState: .conflict
                case .currencyMismatch, .belowHeld, .refundTooLarge: .unprocessableContent
                case .emptyChange: .badRequest
                }
            return APIError(status, ErrorCode(rawValue: error.code), error.description)
        case let error as LimitError: return APIError(.unprocessableContent, .overLimit, error.description)
        case let error as PlainTextError:
            let code = ErrorCode(rawValue: "bad_" + (error.field.split(separator: " ").last.map(String.init) ?? "text"))
            return APIError(.badRequest, code, error.description)
        case let error as CouponCodeError: return APIError(.badRequest, .invalidCode, error.description)
        case let error as PhoneStateError:
            let status: HTTPResponse.Status = if case .malformed = error { .badRequest } else { .unprocessableContent }
            return APIError(status, ErrorCode(rawValue: error.code), error.description)
        case let error as PhoneStateMismatch: return APIError(.unprocessableContent, .stateMismatch, error.description)
        case let error as OfflineSaleRefused:
            return APIError(
                error.code == "unknown_coupon" ? .notFound : .unprocessableContent, ErrorCode(rawValue: error.code),
                error.description)
        case let error as BasketError: return APIError(.badRequest, .badBasket, error.description)
        case let error as SettlementError:
            let status: HTTPResponse.Status =
                switch error {
                case .notFound: .notFound
                case .otherStation: .forbidden
                case .exceedsHold: .unprocessableContent
                case .notHeld, .holdExpired: .conflict
                }
            return APIError(status, ErrorCode(rawValue: error.code), error.description)
        case _ where StoreError.unavailable(error) != nil:
            return APIError(.serviceUnavailable, .unavailable, StoreError.unavailable(error)!.description)
        case let error as NIOTooManyBytesError:
            let limit = error.maxBytes.map { " of \($0) bytes" } ?? ""
            return APIError(.contentTooLarge, .tooLarge, "the request body is over this route's limit\(limit)")
        case let error as HTTPParserError:
            return APIError(.badRequest, .badRequest, "the request is not valid HTTP/1.1 (\(error))")
        case let error as DecodingError:
            // A body that parses but lacks a field is the catalogue's missing_field, not malformed JSON.
            if case .keyNotFound = error { return APIError(.badRequest, .missingField, describe(error)) }
            return APIError(.badRequest, .malformedJSON, describe(error))
        case let error as HTTPError:
            let code =
                error.status == .badRequest
                ? ErrorCode.malformedJSON : error.status.code == 413 ? .tooLarge : .httpError
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
                .methodNotAllowed, .methodNotAllowed,
                "\(request.method.rawValue) is not allowed here; use \(allowed.joined(separator: ", "))")
            refusal.headers[.allow] = allowed.joined(separator: ", ")
            return try refusal.response(from: request, context: context)
        } catch {
            if let api = APIError.from(error) { return try api.response(from: request, context: context) }
            context.logger.error("internal error", metadata: ["error": "\(String(reflecting: type(of: error)))"])
            return try APIError(.internalServerError, .internalError, "internal error").response(
                from: request, context: context)
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
