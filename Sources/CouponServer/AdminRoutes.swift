import CouponAPI
import CouponCore
import CouponStore
import Foundation
import Hummingbird

/// The issuer's side of the API (admin keys): batch issue, load, adjust, block, reissue, refund.
struct AdminRoutes<Store: CouponStore> {
    let store: Store
    let configuration: ServerConfiguration
    let gate: IdempotencyGate

    func register(on group: RouterGroup<AppRequestContext>) {
        group.post("coupons/batch", use: batch)
        group.post("coupons/:id/load", use: load)
        group.post("coupons/:id/adjust", use: adjust)
        group.post("coupons/:id/block", use: block)
        group.post("coupons/:id/unblock", use: unblock)
        group.post("coupons/:id/reissue", use: reissue)
        group.post("coupons/:id/forget-phone", use: forgetPhone)
        group.post("settlements/:id/refund", use: refund)
    }

    struct CouponList: ResponseEncodable {
        var coupons: [Coupon]
    }

    /// `POST /v1/coupons/batch`: `{count, initial, expiry?, campaign?}` or `{coupons: [...]}`, up to
    /// 10,000, in one transaction: all are issued or none.
    /// Under an `Idempotency-Key` a retry gets the same answer (stored sealed) instead of a second batch.
    @Sendable func batch(_ request: Request, context: AppRequestContext) async throws -> Response {
        let principal = try context.require(.admin)
        let raw = try await request.body.collect(upTo: configuration.limits.maxBulkBody)
        let body = try JSONDecoder().decode(BatchBody.self, from: raw)
        let now = configuration.clock()
        var bodies: [IssueBody]
        if let coupons = body.coupons {
            guard body.count == nil, body.initial == nil else {
                throw APIError(.badRequest, .badBatch, "give either coupons or count and initial, not both")
            }
            bodies = coupons
            if let campaign = body.campaign {
                for index in bodies.indices where bodies[index].campaign == nil { bodies[index].campaign = campaign }
            }
            if let onPhone = body.balanceOnPhone {
                for index in bodies.indices where bodies[index].balanceOnPhone == nil {
                    bodies[index].balanceOnPhone = onPhone
                }
            }
        } else {
            guard let count = body.count, let initial = body.initial else {
                throw APIError(.badRequest, .missingField, "give count and initial, or coupons")
            }
            guard count >= 1 else { throw APIError(.badRequest, .badBatch, "count is at least 1") }
            guard count <= configuration.limits.maxBatch else {
                throw APIError(.badRequest, .badBatch, "at most \(configuration.limits.maxBatch) coupons per call")
            }
            bodies = Array(
                repeating: IssueBody(
                    initial: initial, expiry: body.expiry, campaign: body.campaign, phone: nil,
                    balanceOnPhone: body.balanceOnPhone),
                count: count)
        }
        guard (1...configuration.limits.maxBatch).contains(bodies.count) else {
            throw APIError(.badRequest, .badBatch, "a batch has 1 to \(configuration.limits.maxBatch) coupons")
        }
        let requests = try bodies.map {
            try CouponRoutes<Store>.issueRequest($0, configuration: configuration, now: now)
        }
        let key = try gate.key(for: request, body: raw, principal: principal)
        let baseURL = configuration.publicBaseURL
        return try await gate.respond(key) { [store] in
            try await store.issue(requests, actor: principal.actor, now: now, idempotency: key) { issued in
                try .json(201, CouponList(coupons: issued.map { Coupon($0.record, code: $0.code, baseURL: baseURL) }))
            }
        }
    }

    @Sendable func load(_ request: Request, context: AppRequestContext) async throws -> Response {
        let principal = try context.require(.admin)
        let raw = try await request.body.collect(upTo: configuration.limits.maxBody)
        let body = try JSONDecoder().decode(LoadBody.self, from: raw)
        let reference = try Self.note(body.reference, field: "reference")
        let id = try context.parameters.require("id")
        let amount = try body.amount.checkedMoney()
        let key = try gate.key(for: request, body: raw, principal: principal)
        let render = couponResponse
        return try await gate.respond(key) { [store, configuration] in
            try await store.load(
                couponID: id, amount: amount, reference: reference, actor: principal.actor, now: configuration.clock(),
                idempotency: key, render: render)
        }
    }

    @Sendable func adjust(_ request: Request, context: AppRequestContext) async throws -> Response {
        let principal = try context.require(.admin)
        let raw = try await request.body.collect(upTo: configuration.limits.maxBody)
        let body = try JSONDecoder().decode(AdjustBody.self, from: raw)
        let reason = try Self.note(body.reason, field: "reason")
        let id = try context.parameters.require("id")
        let amount = try body.amount.checkedMoney(allowNegative: true)
        let key = try gate.key(for: request, body: raw, principal: principal)
        let render = couponResponse
        return try await gate.respond(key) { [store, configuration] in
            try await store.adjust(
                couponID: id, amount: amount, reason: reason, actor: principal.actor, now: configuration.clock(),
                idempotency: key, render: render)
        }
    }

    /// How a changed coupon is answered (and stored for replays).
    var couponResponse: @Sendable (CouponRecord) throws -> StoredResponse {
        let baseURL = configuration.publicBaseURL
        return { record in
            try .json(200, Coupon(record, baseURL: baseURL))
        }
    }

    /// A reference or reason for the ledger: 1 to 200 characters on one line.
    static func note(_ text: String, field: String) throws -> String {
        do {
            return try PlainText.check(text, field: field, maxLength: 200)
        } catch {
            throw APIError(.badRequest, ErrorCode(rawValue: "bad_\(field)"), error.description)
        }
    }

    @Sendable func block(_ request: Request, context: AppRequestContext) async throws -> Response {
        try await setBlocked(true, request: request, context: context)
    }

    @Sendable func unblock(_ request: Request, context: AppRequestContext) async throws -> Response {
        try await setBlocked(false, request: request, context: context)
    }

    /// Under an `Idempotency-Key` a retry replays the first answer instead of 409 `wrong_state`.
    func setBlocked(_ blocked: Bool, request: Request, context: AppRequestContext) async throws -> Response {
        let principal = try context.require(.admin)
        let raw = try await request.body.collect(upTo: configuration.limits.maxBody)
        let id = try context.parameters.require("id")
        let key = try gate.key(for: request, body: raw, principal: principal)
        let render = couponResponse
        return try await gate.respond(key) { [store, configuration] in
            try await store.setBlocked(
                couponID: id, blocked: blocked, actor: principal.actor, now: configuration.clock(), idempotency: key,
                render: render)
        }
    }

    /// Erases the coupon's phone number (its holder asked): personal data kept no longer than
    /// needed. Asking again is no error; the ledger records each request and who made it.
    @Sendable func forgetPhone(_ request: Request, context: AppRequestContext) async throws -> Response {
        let principal = try context.require(.admin)
        let raw = try await request.body.collect(upTo: configuration.limits.maxBody)
        let id = try context.parameters.require("id")
        let key = try gate.key(for: request, body: raw, principal: principal)
        let render = couponResponse
        return try await gate.respond(key) { [store, configuration] in
            try await store.forgetPhone(
                couponID: id, actor: principal.actor, now: configuration.clock(), idempotency: key, render: render)
        }
    }

    /// A lost phone: a new code and QR; the old code stops working at once. The new code is shown
    /// here only; under an `Idempotency-Key` a retry gets the same code back (stored sealed)
    /// instead of replacing it again.
    @Sendable func reissue(_ request: Request, context: AppRequestContext) async throws -> Response {
        let principal = try context.require(.admin)
        let raw = try await request.body.collect(upTo: configuration.limits.maxBody)
        let id = try context.parameters.require("id")
        let key = try gate.key(for: request, body: raw, principal: principal)
        let baseURL = configuration.publicBaseURL
        return try await gate.respond(key) { [store, configuration] in
            try await store.reissue(couponID: id, actor: principal.actor, now: configuration.clock(), idempotency: key)
            {
                issued in
                try .json(200, Coupon(issued.record, code: issued.code, baseURL: baseURL))
            }
        }
    }

    @Sendable func refund(_ request: Request, context: AppRequestContext) async throws -> Response {
        let principal = try context.require(.admin)
        let raw = try await request.body.collect(upTo: configuration.limits.maxBasketBody)
        let body = try JSONDecoder().decode(RefundBody.self, from: raw)
        var lines: [(code: ProductCode, quantity: Int)] = []
        for line in body.lines {
            let code = try ProductCode(line.productCode)
            guard (1...999).contains(line.quantity) else {
                throw APIError(.badRequest, .badQuantity, "a refund quantity is 1 to 999")
            }
            if let index = lines.firstIndex(where: { $0.code == code }) {
                lines[index].quantity += line.quantity
            } else {
                lines.append((code, line.quantity))
            }
        }
        let id = try context.parameters.require("id")
        let key = try gate.key(for: request, body: raw, principal: principal)
        let links = configuration.balanceLinks
        let render: @Sendable (SettlementRecord) throws -> StoredResponse = { record in
            try .json(200, Settlement(record, links: links))
        }
        return try await gate.respond(key) { [store, configuration, lines] in
            try await store.refund(
                settlementID: id, lines: lines, actor: principal.actor, now: configuration.clock(), idempotency: key,
                render: render)
        }
    }
}
