import CouponCore
import Foundation
import Testing

@Suite("The provider's HTTP API over a real socket")
struct PatentStoryTests {
    @Test("the patent's story: 300.00 coupon, 100.00 cake approved, 250.00 declined, 200.00 approved")
    func patentStory() async throws {
        let server = try await TestServer()
        try await server.run { client in
            let issued = try await client.call(
                .post, "/v1/coupons", key: server.adminKey, json: #"{"initial": {"amount": 30000, "currency": "CNY"}}"#)
            #expect(issued.status == 201)
            let code = try #require(issued.body["code"] as? String)
            let payload = try #require(issued.body["qr_payload"] as? String)
            #expect(payload == "https://cpn.example/c#" + code)
            #expect(issued.body.amount("balance") == 30000)

            // The station sends what the QR holds and the cake's EAN-13.
            let cake = try await client.call(
                .post, "/v1/settlements", key: server.stationKey,
                json: #"{"coupon_code": "\#(payload)", "items": [{"product_code": "6901234567892", "quantity": 1}]}"#)
            #expect(cake.status == 201)
            #expect(cake.body.amount("total") == 10000)
            #expect(cake.body.amount("balance_after") == 20000)
            #expect(cake.body["status"] as? String == "captured")
            #expect((cake.body["lines"] as? [[String: Any]])?.first?["name"] as? String == "蛋糕 Cake")

            let gift = try await client.call(
                .post, "/v1/settlements", key: server.stationKey,
                json: #"{"coupon_code": "\#(code)", "items": [{"product_code": "GIFT-250", "quantity": 1}]}"#)
            #expect(gift.status == 402)
            #expect(gift.body.errorCode() == "insufficient_balance")
            #expect(gift.body.amount("balance") == 20000)

            // The same cake as its GTIN-14, twice: 200.00, all that is left.
            let twice = try await client.call(
                .post, "/v1/settlements", key: server.stationKey,
                json: #"{"coupon_code": "\#(code)", "items": [{"product_code": "06901234567892", "quantity": 2}]}"#)
            #expect(twice.status == 201)
            #expect(twice.body.amount("balance_after") == 0)

            let id = try #require(issued.body["id"] as? String)
            let coupon = try await client.call(.get, "/v1/coupons/\(id)", key: server.stationKey)
            #expect(coupon.body.amount("balance") == 0)
            #expect(coupon.body["code"] == nil)
            let ledger = try await client.call(.get, "/v1/coupons/\(id)/ledger", key: server.adminKey)
            #expect(
                (ledger.body["entries"] as? [[String: Any]])?.map { $0["kind"] as? String } == [
                    "capture", "hold", "capture", "hold", "issue",
                ])
        }
        #expect(try await server.store.audit().isEmpty)
    }

    @Test("hold, then capture part of it; void; another station's settlement is forbidden")
    func twoPhase() async throws {
        let server = try await TestServer()
        try await server.run { client in
            let issued = try await client.issue(30000, adminKey: server.adminKey)
            let code = try #require(issued["code"] as? String)
            let held = try await client.call(
                .post, "/v1/settlements", key: server.stationKey,
                json:
                    #"{"coupon_code": "\#(code)", "items": [{"product_code": "6901234567892", "quantity": 2}], "capture": false}"#
            )
            #expect(held.status == 201)
            #expect(held.body["status"] as? String == "held")
            #expect(held.body["hold_expires_at"] is String)
            let id = try #require(held.body["id"] as? String)
            #expect(
                try await client.call(.post, "/v1/settlements/\(id)/capture", key: server.otherStationKey).status == 403
            )
            #expect(try await client.call(.get, "/v1/settlements/\(id)", key: server.otherStationKey).status == 403)
            let captured = try await client.call(
                .post, "/v1/settlements/\(id)/capture", key: server.stationKey,
                json: #"{"amount": {"amount": 15000, "currency": "CNY"}}"#)
            #expect(captured.status == 200)
            #expect(captured.body.amount("charged") == 15000)
            let again = try await client.call(.post, "/v1/settlements/\(id)/void", key: server.stationKey)
            #expect(again.status == 409)
            #expect(again.body.errorCode() == "settlement_not_held")

            let second = try await client.call(
                .post, "/v1/settlements", key: server.stationKey,
                json:
                    #"{"coupon_code": "\#(code)", "items": [{"product_code": "6901234567892", "quantity": 1}], "capture": false}"#
            )
            let secondID = try #require(second.body["id"] as? String)
            let voided = try await client.call(.post, "/v1/settlements/\(secondID)/void", key: server.stationKey)
            #expect(voided.body["status"] as? String == "voided")
            let coupon = try await client.call(
                .post, "/v1/coupons/lookup", key: server.stationKey, json: #"{"code": "\#(code)"}"#)
            #expect(coupon.body.amount("balance") == 15000)
            #expect(coupon.body.amount("held") == 0)
        }
    }
}
