import CouponAPI
import CouponCore
import CouponStore
import Foundation
import Hummingbird
import SignedState

/// `/v1/settlements`: the patent's steps 4 to 7 over HTTP.
struct SettlementRoutes<Store: CouponStore> {
    let store: Store
    let configuration: ServerConfiguration
    let gate: IdempotencyGate
    let metrics: ServerMetrics
    let failures: FailureLimiter

    func register(on group: RouterGroup<AppRequestContext>) {
        group.post("settlements", use: create)
        group.get("settlements", use: byIdempotencyKey)
        group.get("settlements/:id", use: get)
        group.post("settlements/:id/capture", use: capture)
        group.post("settlements/:id/void", use: void)
    }

    @Sendable func create(_ request: Request, context: AppRequestContext) async throws -> Response {
        let start = ContinuousClock.now
        let key = context.principal?.keyID
        let address = context.clientAddress(request, trustedProxies: configuration.trustedProxies)
        do {
            try failures.check(keyID: key, address: address)
            let (response, outcome) = try await settle(request, context: context)
            if case .declined(.unknownCoupon) = outcome?.decision { failures.failed(keyID: key, address: address) }
            let seconds = Self.seconds(since: start)
            switch outcome?.decision {
            case .none: metrics.record(result: "replayed", reason: "", seconds: seconds)
            case .approved: metrics.record(result: "approved", reason: "", seconds: seconds)
            case .declined(let reason): metrics.record(result: "declined", reason: reason.code, seconds: seconds)
            }
            if let settlement = outcome?.settlement {
                context.logger.info(
                    "settlement",
                    metadata: ["settlement_id": "\(settlement.id)", "status": "\(settlement.status.rawValue)"])
            }
            return response
        } catch {
            if error is CouponCodeError { failures.failed(keyID: key, address: address) }
            metrics.record(
                result: "rejected", reason: APIError.from(error)?.code.rawValue ?? "internal",
                seconds: Self.seconds(since: start))
            throw error
        }
    }

    static func seconds(since start: ContinuousClock.Instant) -> Double {
        let elapsed = ContinuousClock.now - start
        return Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
    }

    /// Settles, and says what happened (nil when the answer was a replay).
    func settle(_ request: Request, context: AppRequestContext) async throws -> (Response, SettlementOutcome?) {
        let principal = try context.require(.station)
        let raw = try await request.body.collect(upTo: configuration.limits.maxBasketBody)
        let body = try JSONDecoder().decode(SettlementBody.self, from: raw)
        let code = try QRPayload.code(from: body.couponCode)
        let basket = try Basket(body.items.map { (code: $0.productCode, quantity: $0.quantity) })
        // A phone-balance coupon's QR carries its signed state after the code: a state that does
        // not verify (changed, forged, a retired key's) is refused before anything is looked up.
        let presented = try QRPayload.state(from: body.couponCode).map { token in
            try StateToken.verify(token, keys: configuration.stateKeys ?? KeyRing())
        }
        let settle = SettleRequest(
            code: code, basket: basket, station: principal.station ?? principal.keyID, partial: body.partial ?? false,
            capture: body.capture ?? true, holdSeconds: configuration.holdSeconds, presentedState: presented)
        let now = configuration.clock()
        guard let key = try gate.key(for: request, body: raw, principal: principal) else {
            let outcome = try await store.settle(settle, now: now)
            return (Response(stored: try render(outcome)), outcome)
        }
        let render: @Sendable (SettlementOutcome) throws -> StoredResponse = self.render
        let result = try await gate.run(key) {
            try await store.settle(settle, now: now, idempotency: key, render: render)
        }
        if case .fresh(let outcome, _) = result { return (result.httpResponse, outcome) }
        return (result.httpResponse, nil)
    }

    /// The response a settlement request gets, as stored for replays: 201 with the settlement, or
    /// the decline's error.
    @Sendable func render(_ outcome: SettlementOutcome) throws -> StoredResponse {
        let phoneState = outcome.signedBalance.flatMap(PhoneStateBody.init)
        let stale: Bool? = outcome.signedBalance == nil ? nil : outcome.staleState
        if let settlement = outcome.settlement {
            var dto = Settlement(settlement, links: configuration.balanceLinks)
            dto.phoneState = phoneState
            dto.staleState = stale
            return try .json(201, dto)
        }
        guard case .declined(let reason) = outcome.decision else {
            throw APIError(.internalServerError, .internalError, "approved without a settlement")
        }
        var error = Self.declined(reason, balance: outcome.balance)
        error.body.phoneState = phoneState
        error.body.staleState = stale
        return StoredResponse(status: Int(error.status.code), body: [UInt8](try error.jsonBody()))
    }

    @Sendable func render(_ settlement: SettlementRecord) throws -> StoredResponse {
        let dto = Settlement(settlement, links: configuration.balanceLinks)
        return try .json(200, dto)
    }

    /// A capture's or void's answer as stored under its key: the settlement, or the refusal's error.
    @Sendable func render(_ result: Result<SettlementRecord, SettlementError>) throws -> StoredResponse {
        switch result {
        case .success(let settlement): return try render(settlement)
        case .failure(let error):
            let api = APIError.from(error) ?? APIError(.conflict, ErrorCode(rawValue: error.code), error.description)
            return StoredResponse(status: Int(api.status.code), body: [UInt8](try api.jsonBody()))
        }
    }

    /// A decline: 402 with the reason's code, and the unchanged balance for the "not paid" slip.
    /// An unknown product is the caller's mistake (422) and lists the codes.
    static func declined(_ reason: DeclineReason, balance: Money?) -> APIError {
        let balance = balance.map(Amount.init)
        if case .unknownProduct(let codes) = reason {
            var error = APIError(.unprocessableContent, ErrorCode(rawValue: reason.code), reason.description)
            error.body.balance = balance
            error.body.unknownProducts = codes.map(\.value)
            return error
        }
        var error = APIError(
            .init(code: 402, reasonPhrase: "Payment Required"), ErrorCode(rawValue: reason.code), reason.description)
        error.body.balance = balance
        return error
    }

    /// `GET /v1/settlements?idempotency_key=K`: the response first sent for this station's request
    /// under K, replayed byte for byte; 404 when no request under K was completed. A station that
    /// crashed or lost its connection after sending a hold asks this on restart.
    @Sendable func byIdempotencyKey(_ request: Request, context: AppRequestContext) async throws -> Response {
        let principal = try context.require(.station, orAdmin: true)
        guard let key = request.uri.queryParameters.get("idempotency_key"), !key.isEmpty else {
            throw APIError(.badRequest, .missingField, "give the request's idempotency_key")
        }
        guard let stored = try await store.storedResponse(scope: principal.station ?? principal.keyID, key: key)
        else {
            throw APIError(.notFound, .notFound, "no completed request under this Idempotency-Key")
        }
        return Response(stored: stored, replayed: true)
    }

    @Sendable func get(_ request: Request, context: AppRequestContext) async throws -> Settlement {
        let principal = try context.require(.station, orAdmin: true)
        guard let settlement = try await store.settlement(id: try context.parameters.require("id")) else {
            throw APIError.notFound("settlement")
        }
        if principal.role == .station, settlement.station != principal.station {
            throw APIError.forbidden("the settlement belongs to another station")
        }
        return Settlement(settlement, links: configuration.balanceLinks)
    }

    @Sendable func capture(_ request: Request, context: AppRequestContext) async throws -> Response {
        let principal = try context.require(.station, orAdmin: true)
        // The body is optional: none captures everything held.
        let raw = try await request.body.collect(upTo: configuration.limits.maxBody)
        let body =
            raw.readableBytes == 0 ? CaptureBody(amount: nil) : try JSONDecoder().decode(CaptureBody.self, from: raw)
        let id = try context.parameters.require("id")
        let amount = try body.amount?.checkedMoney()
        let now = configuration.clock()
        guard let key = try gate.key(for: request, body: raw, principal: principal) else {
            let settlement = try await store.capture(
                settlementID: id, amount: amount, station: principal.station, now: now)
            return Response(stored: try render(settlement))
        }
        let render: @Sendable (Result<SettlementRecord, SettlementError>) throws -> StoredResponse = self.render
        return try await gate.run(key) {
            try await store.capture(
                settlementID: id, amount: amount, station: principal.station, now: now, idempotency: key,
                render: render
            ).httpResponse
        }
    }

    @Sendable func void(_ request: Request, context: AppRequestContext) async throws -> Response {
        let principal = try context.require(.station, orAdmin: true)
        let raw = try await request.body.collect(upTo: configuration.limits.maxBody)
        let id = try context.parameters.require("id")
        let now = configuration.clock()
        guard let key = try gate.key(for: request, body: raw, principal: principal) else {
            return Response(
                stored: try render(try await store.void(settlementID: id, station: principal.station, now: now)))
        }
        let render: @Sendable (Result<SettlementRecord, SettlementError>) throws -> StoredResponse = self.render
        return try await gate.run(key) {
            try await store.void(
                settlementID: id, station: principal.station, now: now, idempotency: key, render: render
            )
            .httpResponse
        }
    }
}
