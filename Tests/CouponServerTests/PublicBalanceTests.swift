import Foundation
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

            let (status, page) = try await client.raw(.get, "/c", key: nil)
            #expect(status == 200)
            let html = String(decoding: page, as: UTF8.self)
            #expect(html.contains("location.hash") && html.contains("/v1/public/balance"))
        }
    }
}
