import Foundation
import HTTPTypes
import NIOCore
import Testing

@Suite("The public balance call and page")
struct PublicBalanceTests {
    @Test(
        "balance by code without a key; unknown and malformed codes look alike; the page keeps the code in the fragment"
    )
    func balance() async throws {
        var configured = try await TestServer()
        configured.configuration.publicBalanceLimit = 5
        let server = configured
        try await server.run { client in
            let issued = try await client.issue(30000, adminKey: server.adminKey)
            let payload = try #require(issued["qr_payload"] as? String)
            let ok = try await client.call(.post, "/v1/public/balance", key: nil, json: #"{"code": "\#(payload)"}"#)
            #expect(ok.status == 200)
            #expect(ok.body.amount("balance") == 30000)
            #expect(ok.body["id"] == nil && ok.body["code"] == nil)
            let unknown = try await client.call(
                .post, "/v1/public/balance", key: nil, json: #"{"code": "0000-0000-0000-0000-0000-000"}"#)
            let malformed = try await client.call(.post, "/v1/public/balance", key: nil, json: #"{"code": "nope"}"#)
            #expect(unknown.status == 404 && malformed.status == 404)
            #expect(unknown.body.errorCode() == malformed.body.errorCode())
            // Three calls so far; the sixth call in a minute from one address is refused.
            for _ in 0..<2 {
                let (allowed, _) = try await client.raw(
                    .post, "/v1/public/balance", key: nil, json: #"{"code": "nope"}"#)
                #expect(allowed == 404)
            }
            let (refused, body) = try await client.raw(
                .post, "/v1/public/balance", key: nil, json: #"{"code": "nope"}"#)
            #expect(refused == 429)
            #expect(String(decoding: body, as: UTF8.self).contains("rate_limited"))
            let again = try await client.client.execute(
                uri: "/v1/public/balance", method: .post, headers: [.contentType: "application/json"],
                body: ByteBuffer(string: #"{"code": "nope"}"#))
            #expect(again.status.code == 429)
            #expect(again.headers[.retryAfter] == "60", "a 429 says when to come back")

            let (status, page) = try await client.raw(.get, "/c", key: nil)
            #expect(status == 200)
            let html = String(decoding: page, as: UTF8.self)
            #expect(html.contains("<script src=\"/assets/balance.js\"></script>") && !html.contains("<script>"))
            let script = String(decoding: try await client.raw(.get, "/assets/balance.js", key: nil).body, as: UTF8.self)
            #expect(script.contains("location.hash") && script.contains("/v1/public/balance"))
        }
    }
}

@Suite("Guessing codes is rate-limited per key (and per address for calls without a valid key)")
struct FailureLimitTests {
    @Test("after the limit of failed lookups, lookups and settlements get 429; unknown and malformed alike")
    func limit() async throws {
        var setup = try await TestServer()
        setup.configuration.failureLimit = 5
        let server = setup
        try await server.run { client in
            let issued = try await client.issue(30000, adminKey: server.adminKey)
            let code = try #require(issued["code"] as? String)
            let guesses = [
                "K7QF-2M9X", "0000000000000000000000", "ZZZZ-ZZZZ-ZZZZ-ZZZZ-ZZZZ-ZZZ", "x", "K7QF2M9XABCDEFGHJKMNPQR",
            ]
            for guess in guesses {
                let answer = try await client.call(
                    .post, "/v1/coupons/lookup", key: server.stationKey, json: #"{"code": "\#(guess)"}"#)
                #expect(answer.status == 404)
                #expect(answer.body.errorCode() == "not_found")
            }
            let blocked = try await client.call(
                .post, "/v1/coupons/lookup", key: server.stationKey, json: #"{"code": "\#(code)"}"#)
            #expect(blocked.status == 429)
            #expect(blocked.body.errorCode() == "rate_limited")
            // The key's settlements are limited too; another key at the same address is not.
            let cake = #"{"coupon_code": "\#(code)", "items": [{"product_code": "6901234567892", "quantity": 1}]}"#
            #expect(try await client.call(.post, "/v1/settlements", key: server.stationKey, json: cake).status == 429)
            #expect(
                try await client.call(.post, "/v1/settlements", key: server.otherStationKey, json: cake).status == 201)
        }
    }
}
