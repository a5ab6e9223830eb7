import CouponCore
import CouponStore
import Foundation
import Hummingbird

/// `/v1/settlements`: the patent's steps 4 to 7 over HTTP.
struct SettlementRoutes<Store: CouponStore> {
    let store: Store
    let configuration: ServerConfiguration

    func register(on group: RouterGroup<AppRequestContext>) {
        group.post("settlements", use: create)
        group.get("settlements/:id", use: get)
        group.post("settlements/:id/capture", use: capture)
        group.post("settlements/:id/void", use: void)
    }

    @Sendable func create(_ request: Request, context: AppRequestContext) async throws -> EditedResponse<SettlementDTO>
    {
        let principal = try context.require(.station)
        let body = try await request.decode(as: SettlementBody.self, context: context)
        let code = try QRPayload.code(from: body.couponCode)
        let basket = try Basket(body.items.map { (code: $0.productCode, quantity: $0.quantity) })
        let outcome = try await store.settle(
            SettleRequest(
                code: code, basket: basket, station: principal.station ?? principal.keyID,
                partial: body.partial ?? false,
                capture: body.capture ?? true, holdSeconds: configuration.holdSeconds),
            now: configuration.clock())
        guard let settlement = outcome.settlement else {
            guard case .declined(let reason) = outcome.decision else {
                throw APIError(.internalServerError, "internal", "approved without a settlement")
            }
            throw Self.declined(reason, balance: outcome.balance)
        }
        return EditedResponse(status: .created, response: SettlementDTO(settlement))
    }

    /// A decline: 402 with the reason's code, and the unchanged balance for the "not paid" slip.
    /// An unknown product is the caller's mistake (422) and lists the codes.
    static func declined(_ reason: DeclineReason, balance: Money?) -> APIError {
        var details: [String: JSONValue] = [:]
        if let balance {
            details["balance"] = .object([
                "amount": .int(balance.minorUnits), "currency": .string(balance.currency.code),
            ])
        }
        if case .unknownProduct(let codes) = reason {
            details["unknown_products"] = .array(codes.map { .string($0.value) })
            return APIError(.unprocessableContent, reason.code, reason.description, details: details)
        }
        return APIError(
            .init(code: 402, reasonPhrase: "Payment Required"), reason.code, reason.description, details: details)
    }

    @Sendable func get(_ request: Request, context: AppRequestContext) async throws -> SettlementDTO {
        let principal = try context.require(.station, orAdmin: true)
        guard let settlement = try await store.settlement(id: try context.parameters.require("id")) else {
            throw APIError.notFound("settlement")
        }
        if principal.role == .station, settlement.station != principal.station {
            throw APIError.forbidden("the settlement belongs to another station")
        }
        return SettlementDTO(settlement)
    }

    @Sendable func capture(_ request: Request, context: AppRequestContext) async throws -> SettlementDTO {
        let principal = try context.require(.station, orAdmin: true)
        // The body is optional: none captures everything held.
        let buffer = try await request.body.collect(upTo: 64 * 1024)
        let body =
            buffer.readableBytes == 0
            ? CaptureBody(amount: nil) : try JSONDecoder().decode(CaptureBody.self, from: buffer)
        let settlement = try await store.capture(
            settlementID: try context.parameters.require("id"), amount: try body.amount?.money(),
            station: principal.station,
            now: configuration.clock())
        return SettlementDTO(settlement)
    }

    @Sendable func void(_ request: Request, context: AppRequestContext) async throws -> SettlementDTO {
        let principal = try context.require(.station, orAdmin: true)
        let settlement = try await store.void(
            settlementID: try context.parameters.require("id"), station: principal.station, now: configuration.clock())
        return SettlementDTO(settlement)
    }
}
