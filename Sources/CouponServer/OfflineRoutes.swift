import CouponAPI
import CouponCore
import CouponStore
import Foundation
import Hummingbird
import SignedState

/// Offline sales (the patent's first embodiment): a station's limits, what a till pins to sell
/// while the provider is out of reach, and the sales it forwards afterwards.
struct OfflineRoutes<Store: CouponStore> {
    let store: Store
    let configuration: ServerConfiguration
    let gate: IdempotencyGate

    func register(on group: RouterGroup<AppRequestContext>) {
        group.put("stations/:name/offline-limits", use: setLimit)
        group.get("station/offline", use: offline)
        group.post("settlements/offline", use: forward)
    }

    /// `PUT /v1/stations/{name}/offline-limits`: the limit in the amounts' currency (admin).
    @Sendable func setLimit(_ request: Request, context: AppRequestContext) async throws -> OfflineLimitBody {
        _ = try context.require(.admin)
        let name = try context.parameters.require("name")
        let body = try await request.json(OfflineLimitBody.self, upTo: configuration.limits.maxBody)
        let perSale = try body.perSale.checkedMoney(), perDay = try body.perDay.checkedMoney()
        guard perSale.currency == perDay.currency else {
            throw APIError(.badRequest, .badAmount, "per_sale and per_day are in one currency")
        }
        guard perSale.minorUnits > 0, perDay.minorUnits >= perSale.minorUnits else {
            throw APIError(.badRequest, .badAmount, "per_sale is more than nothing and per_day at least per_sale")
        }
        guard try await store.keys().contains(where: { $0.station == name && $0.revokedAt == nil }) else {
            throw APIError.notFound("station")
        }
        try await store.setOfflineLimit(
            station: name, currency: perSale.currency,
            limit: OfflineLimit(currency: perSale.currency, perSale: perSale.minorUnits, perDay: perDay.minorUnits))
        return body
    }

    /// `GET /v1/station/offline`: this station's limits, the state keys and the provider's clock.
    @Sendable func offline(_ request: Request, context: AppRequestContext) async throws -> StationOffline {
        let principal = try context.require(.station)
        let station = principal.station ?? principal.keyID
        let limits = try await store.offlineLimits(station: station).map {
            OfflineLimitBody(
                perSale: Amount(Money(minorUnits: $0.perSale, currency: $0.currency)),
                perDay: Amount(Money(minorUnits: $0.perDay, currency: $0.currency)))
        }
        let keys = (configuration.stateKeys?.entries ?? []).map {
            PublicKeyInfo(id: $0.id, publicKey: $0.publicKeyBase64, status: $0.status.rawValue)
        }
        return StationOffline(station: station, limits: limits, keys: keys, serverTime: configuration.clock().iso8601)
    }

    /// `POST /v1/settlements/offline`: a sale a till made offline, applied once under its key.
    @Sendable func forward(_ request: Request, context: AppRequestContext) async throws -> Response {
        let principal = try context.require(.station)
        let raw = try await request.body.collect(upTo: configuration.limits.maxBasketBody)
        let body = try JSONDecoder().decode(OfflineSaleBody.self, from: raw)
        guard let key = try gate.key(for: request, body: raw, principal: principal) else {
            throw APIError(.badRequest, .missingField, "a forwarded offline sale needs its Idempotency-Key")
        }
        let code = try QRPayload.code(from: body.couponCode)
        guard let token = QRPayload.state(from: body.couponCode) else {
            throw APIError(.badRequest, .stateMalformed, "an offline sale names the state it was made on: CODE.STATE")
        }
        let state = try StateToken.verify(token, keys: configuration.stateKeys ?? KeyRing())
        let sale = try Self.sale(body, code: code, state: state, station: principal.station ?? principal.keyID)
        let links = configuration.balanceLinks
        let received = configuration.clock()
        let render: @Sendable (OfflineOutcome) throws -> StoredResponse = { outcome in
            var settlement = Settlement(outcome.settlement, links: links)
            settlement.phoneState = outcome.signedBalance.flatMap(PhoneStateBody.init)
            settlement.staleState = outcome.staleState
            return try .json(
                201,
                OfflineSettlement(
                    settlement: settlement, shortfall: Amount(outcome.shortfall),
                    blocked: outcome.shortfall.minorUnits > 0, madeAt: sale.madeAt.iso8601,
                    receivedAt: received.iso8601))
        }
        return try await gate.respond(key) { [store] in
            try await store.applyOfflineSale(sale, now: received, idempotency: key, render: render)
        }
    }

    /// The sale a body describes: lines at the till's prices that add up to its total.
    static func sale(_ body: OfflineSaleBody, code: CouponCode, state: PhoneState, station: String) throws
        -> OfflineSale
    {
        let total = try body.total.checkedMoney()
        guard !body.items.isEmpty, body.items.count <= 100 else {
            throw APIError(.badRequest, .badBasket, "an offline sale has 1 to 100 lines")
        }
        var lines: [(product: Product, quantity: Int)] = []
        var sum: Int64 = 0
        for item in body.items {
            let price = try item.unitPrice.checkedMoney()
            guard (1...999).contains(item.quantity) else {
                throw APIError(.badRequest, .badQuantity, "a quantity is 1 to 999")
            }
            guard price.currency == total.currency else {
                throw APIError(.badRequest, .badAmount, "every line is in the total's currency")
            }
            let (line, lineOverflow) = price.minorUnits.multipliedReportingOverflow(by: Int64(item.quantity))
            let (next, sumOverflow) = sum.addingReportingOverflow(line)
            guard !lineOverflow, !sumOverflow else { throw APIError(.badRequest, .badAmount, "the sale overflows") }
            sum = next
            let name = try PlainText.check(item.name, field: "name", maxLength: 200)
            lines.append((Product(code: try ProductCode(item.productCode), name: name, price: price), item.quantity))
        }
        guard sum == total.minorUnits, total.minorUnits > 0 else {
            throw APIError(.badRequest, .badAmount, "the total is not the sum of the lines")
        }
        guard let madeAt = Instant(iso8601: body.madeAt) else {
            throw APIError(.badRequest, .badDate, "made_at is an ISO 8601 time, 2026-12-06T10:00:00Z")
        }
        return OfflineSale(code: code, state: state, station: station, lines: lines, total: total, madeAt: madeAt)
    }
}
