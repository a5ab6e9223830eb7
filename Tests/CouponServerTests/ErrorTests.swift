import Foundation
import Testing

@Suite("Bad requests get a specific 4xx, never a 500")
struct ErrorTests {
    @Test func authentication() async throws {
        let server = try await TestServer()
        try await server.run { client in
            let body = #"{"initial": {"amount": 100, "currency": "CNY"}}"#
            #expect(try await client.call(.post, "/v1/coupons", key: nil, json: body).status == 401)
            let wrong = try await client.call(.post, "/v1/coupons", key: "ck_wrong", json: body)
            #expect(wrong.status == 401)
            #expect(wrong.body.errorCode() == "unauthorized")
            // A station may not issue; an admin may not settle as a station.
            #expect(try await client.call(.post, "/v1/coupons", key: server.stationKey, json: body).status == 403)
            let settle = #"{"coupon_code": "X", "items": [{"product_code": "A", "quantity": 1}]}"#
            #expect(try await client.call(.post, "/v1/settlements", key: server.adminKey, json: settle).status == 403)
            #expect(try await client.call(.get, "/healthz", key: nil).status == 200)
        }
    }

    @Test func malformedInput() async throws {
        let server = try await TestServer()
        try await server.run { client in
            let cases: [(String, String, Int, String)] = [
                ("/v1/coupons", "{not json", 400, "malformed_json"),
                ("/v1/coupons", #"{"initial": {"amount": -5, "currency": "CNY"}}"#, 400, "bad_amount"),
                ("/v1/coupons", #"{"initial": {"amount": 100, "currency": "XYZ"}}"#, 400, "bad_amount"),
                ("/v1/coupons", #"{"initial": {"amount": "lots", "currency": "CNY"}}"#, 400, "malformed_json"),
                ("/v1/coupons", #"{}"#, 400, "missing_field"),
                (
                    "/v1/coupons",
                    #"{"initial": {"amount": 100, "currency": "CNY"}, "expiry": {"date": "2020-01-01"}}"#, 400,
                    "bad_expiry"
                ),
            ]
            for (uri, json, status, code) in cases {
                let response = try await client.call(.post, uri, key: server.adminKey, json: json)
                #expect(response.status == status, "\(json)")
                #expect(response.body.errorCode() == code, "\(json)")
            }
            let issued = try await client.issue(1000, adminKey: server.adminKey)
            let code = try #require(issued["code"] as? String)
            let settlements: [(String, Int, String)] = [
                (
                    #"{"coupon_code": "ABCD", "items": [{"product_code": "GIFT-250", "quantity": 1}]}"#, 400,
                    "invalid_code"
                ),
                (#"{"coupon_code": "\#(code)", "items": []}"#, 400, "bad_basket"),
                (
                    #"{"coupon_code": "\#(code)", "items": [{"product_code": "GIFT-250", "quantity": 0}]}"#, 400,
                    "bad_basket"
                ),
                (
                    #"{"coupon_code": "\#(code)", "items": [{"product_code": "NOPE", "quantity": 1}]}"#, 422,
                    "unknown_product"
                ),
            ]
            for (json, status, errorCode) in settlements {
                let response = try await client.call(.post, "/v1/settlements", key: server.stationKey, json: json)
                #expect(response.status == status, "\(json)")
                #expect(response.body.errorCode() == errorCode, "\(json)")
                // The code is never echoed back.
                #expect(!String(describing: response.body).contains(code))
            }
            #expect(try await client.call(.get, "/v1/coupons/cpn_nope", key: server.adminKey).status == 404)
            #expect(try await client.call(.get, "/v1/settlements/stl_nope", key: server.stationKey).status == 404)
            // A malformed code and an unknown one get the same answer from the lookup.
            #expect(
                try await client.call(
                    .post, "/v1/coupons/lookup", key: server.stationKey, json: #"{"code": "\#(code.dropLast())"}"#
                ).status == 404)
        }
    }
}
