import CouponCore
import CouponStore
import Foundation
import Hummingbird

/// `/v1/stations`: registering a till gives it a key, shown once.
struct StationRoutes<Store: CouponStore> {
    let store: Store
    let configuration: ServerConfiguration

    func register(on group: RouterGroup<AppRequestContext>) {
        group.post("stations", use: create)
    }

    @Sendable func create(_ request: Request, context: AppRequestContext) async throws -> EditedResponse<StationKeyDTO>
    {
        _ = try context.require(.admin)
        let body = try await request.decode(as: StationBody.self, context: context)
        let name = body.name.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !name.isEmpty, name.count <= 64, name.allSatisfy({ $0.isLetter || $0.isNumber || "-_.".contains($0) })
        else {
            throw APIError(.badRequest, "bad_name", "a station name has 1 to 64 letters, digits, '-', '_' or '.'")
        }
        let (key, principal) = try await store.createKey(role: .station, station: name, now: configuration.clock())
        return EditedResponse(
            status: .created, response: StationKeyDTO(station: name, keyID: principal.keyID, key: key))
    }
}
