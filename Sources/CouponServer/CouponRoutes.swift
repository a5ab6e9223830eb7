import CouponAPI
import CouponCore
import CouponStore
import Foundation
import Hummingbird

/// `/v1/coupons`: issue, look up by code, read by id, ledger.
struct CouponRoutes<Store: CouponStore> {
    let store: Store
    let configuration: ServerConfiguration
    let failures: FailureLimiter
    let gate: IdempotencyGate

    func register(on group: RouterGroup<AppRequestContext>) {
        group.post("coupons", use: issue)
        group.post("coupons/lookup", use: lookup)
        group.get("coupons/:id", use: get)
        group.get("coupons/:id/ledger", use: ledger)
    }

    /// Issues one coupon; the code is in this answer only. Under an `Idempotency-Key` a retry
    /// gets the same answer (stored sealed) instead of a second coupon.
    @Sendable func issue(_ request: Request, context: AppRequestContext) async throws -> Response {
        let principal = try context.require(.admin)
        let raw = try await request.body.collect(upTo: configuration.limits.maxBody)
        let body = try JSONDecoder().decode(IssueBody.self, from: raw)
        let now = configuration.clock()
        let issue = try Self.issueRequest(body, configuration: configuration, now: now)
        let key = try gate.key(for: request, body: raw, principal: principal)
        let baseURL = configuration.publicBaseURL
        return try await gate.respond(key) { [store] in
            try await store.issue([issue], actor: principal.actor, now: now, idempotency: key) { issued in
                try .json(201, Coupon(issued[0].record, code: issued[0].code, baseURL: baseURL))
            }
        }
    }

    /// Checks an issue body: a positive amount, an expiry in the future, a short campaign name, a phone number.
    static func issueRequest(_ body: IssueBody, configuration: ServerConfiguration, now: Instant) throws
        -> IssueRequest
    {
        let initial = try body.initial.checkedMoney()
        guard initial.minorUnits > 0 else {
            throw APIError(.badRequest, .badAmount, "a coupon starts with more than nothing")
        }
        var expires: Instant? = nil
        if let expiry = body.expiry {
            if let date = expiry.date {
                expires = try configuration.endOfDay(date)
            } else if let days = expiry.days {
                guard (1...36500).contains(days) else {
                    throw APIError(.badRequest, .badExpiry, "days must be 1 to 36500")
                }
                expires = Instant(secondsSince1970: now.secondsSince1970 + Int64(days) * 86400)
            }
            if let expires, expires <= now { throw APIError(.badRequest, .badExpiry, "the expiry is in the past") }
        }
        let campaign = try body.campaign.map { try PlainText.check($0, field: "campaign", maxLength: 64) }
        if let phone = body.phone {
            let digits = phone.filter(\.isNumber)
            guard phone.first == "+", (8...15).contains(digits.count),
                phone.dropFirst().allSatisfy({ $0.isNumber || $0 == " " || $0 == "-" })
            else {
                throw APIError(.badRequest, .badPhone, "write a phone number in international form, +8613800000000")
            }
        }
        let onPhone = body.balanceOnPhone ?? false
        if onPhone, configuration.stateKeys?.active == nil {
            throw APIError(.serviceUnavailable, .unavailable, "this server holds no state signing key")
        }
        return IssueRequest(
            initial: initial, expiresAt: expires, campaign: campaign, phone: body.phone, balanceOnPhone: onPhone)
    }

    @Sendable func lookup(_ request: Request, context: AppRequestContext) async throws -> Coupon {
        let principal = try context.requireKey()
        let address = context.clientAddress(request, trustedProxies: configuration.trustedProxies)
        try failures.check(keyID: principal.keyID, address: address)
        let body = try await request.json(LookupBody.self, upTo: configuration.limits.maxBody)
        guard let code = try? QRPayload.code(from: body.code), let record = try await store.coupon(code: code) else {
            failures.failed(keyID: principal.keyID, address: address)
            // A malformed code and an unknown one get the same answer.
            throw APIError.notFound("coupon")
        }
        return Coupon(record, baseURL: configuration.publicBaseURL)
    }

    @Sendable func get(_ request: Request, context: AppRequestContext) async throws -> Coupon {
        _ = try context.requireKey()
        let id = try context.parameters.require("id")
        guard let record = try await store.coupon(id: id) else { throw APIError.notFound("coupon") }
        return Coupon(record, baseURL: configuration.publicBaseURL)
    }

    @Sendable func ledger(_ request: Request, context: AppRequestContext) async throws -> Ledger {
        _ = try context.require(.admin)
        let id = try context.parameters.require("id")
        guard try await store.coupon(id: id) != nil else { throw APIError.notFound("coupon") }
        // Newest first, as the API promises.
        let entries = try await store.ledger(couponID: id).reversed().map {
            LedgerLine(
                kind: $0.kind.rawValue, amount: Amount($0.amount), balanceBefore: Amount($0.balanceBefore),
                balanceAfter: Amount($0.balanceAfter), actor: $0.actor, settlementID: $0.settlementID,
                at: $0.at.iso8601)
        }
        return Ledger(entries: entries)
    }
}
