import CouponAPI
import CouponCore
import CouponStore
import Crypto
import Foundation
import HTTPTypes
import Hummingbird

/// Reads a request's `Idempotency-Key` and keeps track of the ones being worked on, so a duplicate
/// that arrives while the first is still in flight gets 409 instead of waiting.
actor IdempotencyGate {
    private var inFlight: Set<IdempotencyKey> = []

    /// The request's key, scoped to the caller's station (or key), with a hash of method, path and body.
    /// - Throws: 400 `bad_idempotency_key` for an empty, over-long or non-printable key.
    nonisolated func key(for request: Request, body: ByteBuffer, principal: Principal) throws -> IdempotencyKey? {
        guard let value = request.headers[HTTPField.Name("Idempotency-Key")!] else { return nil }
        guard (1...255).contains(value.count), value.unicodeScalars.allSatisfy({ $0.value >= 0x21 && $0.value <= 0x7E })
        else {
            throw APIError(
                .badRequest, .badIdempotencyKey, "an Idempotency-Key has 1 to 255 printable ASCII characters")
        }
        var hasher = SHA256()
        hasher.update(data: Data("\(request.method.rawValue) \(request.uri.path)\n".utf8))
        hasher.update(data: Data(buffer: body))
        let hash = hasher.finalize().hex
        return IdempotencyKey(scope: principal.station ?? principal.keyID, key: value, requestHash: hash)
    }

    /// Runs `work` with `key` marked in flight; a second arrival meanwhile is refused with 409.
    func run<Value: Sendable>(_ key: IdempotencyKey, _ work: @Sendable () async throws -> Value) async throws -> Value {
        let slot = IdempotencyKey(scope: key.scope, key: key.key, requestHash: "")
        guard !inFlight.contains(slot) else {
            throw APIError(
                .conflict, .idempotencyInFlight, "a request with this Idempotency-Key is still being processed")
        }
        inFlight.insert(slot)
        defer { inFlight.remove(slot) }
        return try await work()
    }

    /// `work`'s response: directly when the request has no key, else under the key (409 while a
    /// duplicate is in flight, the stored bytes on a replay).
    func respond<Value: Sendable>(_ key: IdempotencyKey?, _ work: @Sendable () async throws -> Idempotent<Value>)
        async throws -> Response
    {
        guard let key else { return Response(stored: try await work().response) }
        return try await run(key) { try await work().httpResponse }
    }
}

extension StoredResponse {
    /// `value` as the API's JSON with `status`: how every answer that may be replayed is rendered.
    static func json(_ status: Int, _ value: some Encodable) throws -> StoredResponse {
        StoredResponse(status: status, body: [UInt8](try JSONEncoder.api.encode(value)))
    }
}

extension Response {
    /// A stored (or freshly rendered) JSON response.
    init(stored: StoredResponse, replayed: Bool = false) {
        var headers: HTTPFields = [.contentType: "application/json; charset=utf-8"]
        if replayed { headers[HTTPField.Name("Idempotent-Replayed")!] = "true" }
        self.init(
            status: HTTPResponse.Status(code: stored.status), headers: headers,
            body: .init(byteBuffer: ByteBuffer(bytes: stored.body)))
    }
}

extension Idempotent {
    var httpResponse: Response {
        switch self {
        case .fresh(_, let stored): Response(stored: stored)
        case .replay(let stored): Response(stored: stored, replayed: true)
        }
    }
}
