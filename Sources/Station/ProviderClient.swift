import AsyncHTTPClient
import Foundation
import NIOCore
import NIOFoundationCompat

/// The station's side of the provider's API: hold, capture, void and read settlements, each
/// state change under an `Idempotency-Key` so a retry after a timeout or lost answer is safe.
public struct ProviderClient: Sendable {
    public var baseURL: String
    public var key: String
    /// Time allowed for one attempt.
    public var timeout: TimeAmount = .seconds(10)
    /// Attempts per call when the server cannot be reached or fails (5xx); backoff doubles from 200 ms.
    public var attempts = 3
    /// The CA (PEM) the server's certificate must chain to; nil: the system's store.
    public var caFile: String?

    public init(baseURL: String, key: String, caFile: String? = nil) {
        self.baseURL = baseURL.hasSuffix("/") ? String(baseURL.dropLast()) : baseURL
        self.key = key
        self.caFile = caFile
    }

    /// Prices the basket and holds its amount on the coupon (`capture: false`).
    public func hold(couponCode: String, items: [(code: String, quantity: Int)], idempotencyKey: String)
        async throws(StationError) -> Settlement
    {
        struct Item: Encodable {
            var product_code: String
            var quantity: Int
        }
        struct Body: Encodable {
            var coupon_code: String
            var items: [Item]
            var capture = false
        }
        let body = Body(
            coupon_code: couponCode, items: items.map { Item(product_code: $0.code, quantity: $0.quantity) })
        return try await send("POST", "/v1/settlements", body: body, idempotencyKey: idempotencyKey)
    }

    /// Captures all of a hold.
    public func capture(settlementID: String, idempotencyKey: String) async throws(StationError) -> Settlement {
        try await send(
            "POST", "/v1/settlements/\(settlementID)/capture", body: nil as String?, idempotencyKey: idempotencyKey)
    }

    /// Releases a hold.
    public func void(settlementID: String, idempotencyKey: String) async throws(StationError) -> Settlement {
        try await send(
            "POST", "/v1/settlements/\(settlementID)/void", body: nil as String?, idempotencyKey: idempotencyKey)
    }

    /// The settlement as the provider has it now.
    public func settlement(id: String) async throws(StationError) -> Settlement {
        try await send("GET", "/v1/settlements/\(id)", body: nil as String?, idempotencyKey: nil)
    }

    /// What the hold sent under `idempotencyKey` did: its settlement, a decline (thrown), or nil
    /// when the server never completed it (nothing was held).
    public func holdOutcome(idempotencyKey: String) async throws(StationError) -> Settlement? {
        let escaped = idempotencyKey.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? idempotencyKey
        do {
            return try await send(
                "GET", "/v1/settlements?idempotency_key=\(escaped)", body: nil as String?, idempotencyKey: nil)
        } catch .refused(404, _, _) {
            return nil
        }
    }

    func send<Body: Encodable>(_ method: String, _ path: String, body: Body?, idempotencyKey: String?)
        async throws(StationError) -> Settlement
    {
        var request = HTTPClientRequest(url: baseURL + path)
        request.method = .init(rawValue: method)
        request.headers.add(name: "Authorization", value: "Bearer \(key)")
        request.headers.add(name: "Content-Type", value: "application/json")
        if let idempotencyKey { request.headers.add(name: "Idempotency-Key", value: idempotencyKey) }
        var bodyBytes: [UInt8] = []
        if let body {
            do { bodyBytes = Array(try JSONEncoder().encode(body)) } catch {
                throw .badInput("cannot encode the request: \(error)")
            }
        }
        let http: HTTPClient
        do {
            http = try ClientTLS.client(caFile: caFile, connect: .seconds(2), read: .seconds(10))
        } catch {
            throw .badInput(error.description)
        }
        var lastProblem = ""
        for attempt in 0..<max(1, attempts) {
            if attempt > 0 {
                try? await Task.sleep(for: .milliseconds(200 << (attempt - 1)))
            }
            if !bodyBytes.isEmpty { request.body = .bytes(ByteBuffer(bytes: bodyBytes)) }
            let status: Int
            let data: Data
            do {
                let response = try await http.execute(request, timeout: timeout)
                status = Int(response.status.code)
                data = Data(buffer: try await response.body.collect(upTo: 4 << 20))
            } catch {
                lastProblem = "\(baseURL): \(Self.describe(error))"
                continue
            }
            let inFlight = status == 409 && String(decoding: data, as: UTF8.self).contains("idempotency_in_flight")
            if status >= 500 || inFlight {
                lastProblem = "\(method) \(path) answered \(status)"
                continue
            }
            return try Self.interpret(status: status, data: data, path: path)
        }
        throw .server(lastProblem)
    }

    static func interpret(status: Int, data: Data, path: String) throws(StationError) -> Settlement {
        if (200..<300).contains(status) {
            do { return try JSONDecoder().decode(Settlement.self, from: data) } catch {
                throw .server("the answer to \(path) is not a settlement: \(error)")
            }
        }
        guard let problem = try? JSONDecoder().decode(WireError.self, from: data) else {
            throw .server("\(path) answered \(status) without an error body")
        }
        if status == 402 || problem.error.code == "unknown_product" {
            throw .declined(code: problem.error.code, message: problem.error.message, balance: problem.balance)
        }
        throw .refused(status: status, code: problem.error.code, message: problem.error.message)
    }

    static func describe(_ error: any Error) -> String {
        if let error = error as? HTTPClientError, error == .deadlineExceeded || error == .readTimeout {
            return "timed out"
        }
        let text = "\(error)"
        if text.contains("connectionRefused") || text.contains("Connection refused") { return "connection refused" }
        return text
    }
}
