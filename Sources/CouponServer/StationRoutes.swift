import CouponAPI
import CouponCore
import CouponStore
import Foundation
import Hummingbird

/// `/v1/stations`: registering a till gives it a key, shown once.
struct StationRoutes<Store: CouponStore> {
    let store: Store
    let configuration: ServerConfiguration
    let gate: IdempotencyGate

    func register(on group: RouterGroup<AppRequestContext>) {
        group.post("stations", use: create)
    }

    /// Under an `Idempotency-Key` a retry gets the same key back (stored sealed) instead of a second one.
    @Sendable func create(_ request: Request, context: AppRequestContext) async throws -> Response {
        let admin = try context.require(.admin)
        let raw = try await request.body.collect(upTo: configuration.limits.maxBody)
        let body = try JSONDecoder().decode(StationBody.self, from: raw)
        let name = body.name.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !name.isEmpty, name.count <= 64, name.allSatisfy({ $0.isLetter || $0.isNumber || "-_.".contains($0) })
        else {
            throw APIError(.badRequest, .badName, "a station name has 1 to 64 letters, digits, '-', '_' or '.'")
        }
        let render: @Sendable (String, Principal) throws -> StoredResponse = { key, principal in
            try .json(201, StationKey(station: name, keyID: principal.keyID, key: key))
        }
        let idempotency = try gate.key(for: request, body: raw, principal: admin)
        return try await gate.respond(idempotency) { [store, configuration] in
            try await store.createKey(
                role: .station, station: name, name: nil, now: configuration.clock(), idempotency: idempotency,
                render: render)
        }
    }
}
