import CouponCore
import Foundation
import HTTPTypes
import Testing

/// Every client-mistake error code of docs/api.md, provoked over the real socket: the status and
/// the code the client can act on (the other codes are asserted where their features are tested).
@Suite("Error codes: each one provoked over HTTP")
struct ErrorCatalogTests {
    @Test("400s: each malformed request names its field")
    func badRequests() async throws {
        let server = try await TestServer()
        try await server.run { client in
            let admin = server.adminKey
            let issued = try await client.issue(1000, adminKey: admin)
            let id = try #require(issued["id"] as? String)
            let cases: [(String, String, String, String)] = [
                ("/v1/coupons/batch", "{}", "missing_field", "a batch of no size"),
                (
                    "/v1/coupons", #"{"initial": {"amount": 100, "currency": "CNY"}, "campaign": ""}"#,
                    "bad_campaign", "an empty campaign"
                ),
                (
                    "/v1/coupons", #"{"initial": {"amount": 100, "currency": "CNY"}, "phone": "12345"}"#, "bad_phone",
                    "a phone number without +"
                ),
                (
                    "/v1/coupons/batch", #"{"count": 0, "initial": {"amount": 100, "currency": "CNY"}}"#, "bad_batch",
                    "a batch of none"
                ),
                ("/v1/stations", #"{"name": "till 9!"}"#, "bad_name", "a station name with a space"),
                (
                    "/v1/coupons/\(id)/load", #"{"amount": {"amount": 100, "currency": "CNY"}, "reference": " "}"#,
                    "bad_reference", "a blank load reference"
                ),
                (
                    "/v1/coupons/\(id)/adjust", #"{"amount": {"amount": -100, "currency": "CNY"}, "reason": ""}"#,
                    "bad_reason", "an adjustment without a reason"
                ),
                (
                    "/v1/settlements/stl_nothing/refund", #"{"lines": [{"product_code": "GIFT-250", "quantity": 0}]}"#,
                    "bad_quantity", "a refund of nothing"
                ),
            ]
            for (path, body, code, what) in cases {
                let answer = try await client.call(.post, path, key: admin, json: body)
                #expect(answer.status == 400, "\(what)")
                #expect(answer.body.errorCode() == code, "\(what): \(answer.body)")
            }
            let limit = try await client.call(.get, "/v1/products?limit=0", key: admin)
            #expect(limit.status == 400)
            #expect(limit.body.errorCode() == "bad_limit")
            let key = try await client.raw(
                .post, "/v1/coupons/\(id)/block", key: admin, idempotencyKey: "two words")
            #expect(key.status == 400)
            #expect(String(decoding: key.body, as: UTF8.self).contains("bad_idempotency_key"))
        }
    }

    @Test("404, 409 and 422: unknown ids, a hold past its time, amounts the coupon cannot take")
    func stateErrors() async throws {
        var setup = try await TestServer()
        let clock = TestClock()
        setup.configuration.clock = clock.now
        let server = setup
        try await server.run { client in
            let admin = server.adminKey, station = server.stationKey
            let issued = try await client.issue(30000, adminKey: admin)
            let id = try #require(issued["id"] as? String)
            let code = try #require(issued["code"] as? String)

            let missing = try await client.call(
                .post, "/v1/coupons/cpn_nothing/load", key: admin,
                json: #"{"amount": {"amount": 100, "currency": "CNY"}, "reference": "r1"}"#)
            #expect(missing.status == 404)
            #expect(missing.body.errorCode() == "coupon_not_found")
            let noSettlement = try await client.call(
                .post, "/v1/settlements/stl_nothing/refund", key: admin,
                json: #"{"lines": [{"product_code": "GIFT-250", "quantity": 1}]}"#)
            #expect(noSettlement.status == 404)
            #expect(noSettlement.body.errorCode() == "settlement_not_found")

            let dollars = try await client.call(
                .post, "/v1/coupons/\(id)/load", key: admin,
                json: #"{"amount": {"amount": 100, "currency": "USD"}, "reference": "r2"}"#)
            #expect(dollars.status == 422)
            #expect(dollars.body.errorCode() == "currency_mismatch")
            let tooLarge = try await client.call(
                .post, "/v1/coupons/\(id)/adjust", key: admin,
                json: #"{"amount": {"amount": -40000, "currency": "CNY"}, "reason": "typo"}"#)
            #expect(tooLarge.status == 422)
            #expect(tooLarge.body.errorCode() == "adjustment_too_large")

            let unknown = try await client.call(
                .post, "/v1/settlements", key: station,
                json: #"{"coupon_code": "\#(code)", "items": [{"product_code": "NO-SUCH", "quantity": 1}]}"#)
            #expect(unknown.status == 422)
            #expect(unknown.body.errorCode() == "unknown_product")
            #expect((unknown.body["unknown_products"] as? [String]) == ["NO-SUCH"])

            let held = try await client.call(
                .post, "/v1/settlements", key: station,
                json:
                    #"{"coupon_code": "\#(code)", "items": [{"product_code": "6901234567892", "quantity": 1}], "capture": false}"#
            )
            #expect(held.status == 201)
            let settlement = try #require(held.body["id"] as? String)
            let over = try await client.call(
                .post, "/v1/settlements/\(settlement)/capture", key: station,
                json: #"{"amount": {"amount": 20000, "currency": "CNY"}}"#)
            #expect(over.status == 422)
            #expect(over.body.errorCode() == "capture_exceeds_hold")
            clock.advance(days: 1)
            let late = try await client.call(.post, "/v1/settlements/\(settlement)/capture", key: station, json: "{}")
            #expect(late.status == 409)
            #expect(late.body.errorCode() == "hold_expired")
            let coupon = try await client.call(
                .post, "/v1/coupons/lookup", key: station, json: #"{"code": "\#(code)"}"#)
            #expect(coupon.body.amount("balance") == 30000)
        }
        #expect(try await server.store.audit().isEmpty)
    }
}
