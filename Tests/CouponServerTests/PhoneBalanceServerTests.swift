import CouponCore
import CouponServer
import CouponStore
import Foundation
import SignedState
import Testing

/// The patent's first embodiment over the real socket: a coupon whose QR carries its balance,
/// signed; every refusal of a presented state with its code; the outbox for the phones.
@Suite("Balance on the phone over HTTP: signed states, stale states, refusals, the outbox")
struct PhoneBalanceServerTests {
    static func issuePhoneCoupon(_ client: TestServer.Client, admin: String, minorUnits: Int = 30000) async throws
        -> [String: Any]
    {
        let answer = try await client.call(
            .post, "/v1/coupons", key: admin,
            json: #"{"initial": {"amount": \#(minorUnits), "currency": "CNY"}, "balance_on_phone": true}"#)
        #expect(answer.status == 201, "\(answer.body)")
        return answer.body
    }

    static func settle(_ client: TestServer.Client, station: String, payload: String, product: String) async throws
        -> (status: Int, body: [String: Any])
    {
        try await client.call(
            .post, "/v1/settlements", key: station,
            json: #"{"coupon_code": "\#(payload)", "items": [{"product_code": "\#(product)", "quantity": 1}]}"#)
    }

    @Test("the patent's example: 300.00, the cake, the old QR settles against the true balance, 250.00 declined")
    func patentStory() async throws {
        let server = try await TestServer()
        try await server.store.putProduct(
            Product(code: try ProductCode("TEA"), name: "Tea", price: Money(minorUnits: 1000, currency: .cny)))
        try await server.run { client in
            let keys = try await client.call(.get, "/v1/public/keys", key: nil)
            let listed = try #require(keys.body["keys"] as? [[String: Any]])
            #expect(keys.status == 200 && listed.count == 1 && listed[0]["status"] as? String == "active")
            #expect(keys.body["server_time"] is String)

            let coupon = try await Self.issuePhoneCoupon(client, admin: server.adminKey)
            let first = try #require(coupon["qr_payload"] as? String)
            let code = try #require(coupon["code"] as? String)
            // The code stays after '#', the state after it: no server sees either in a URL.
            let bare = code.replacingOccurrences(of: "-", with: "")
            #expect(first.hasPrefix("https://cpn.example/c#" + bare + "."))
            #expect((coupon[path: "phone_state", "sequence"] as? Int) == 1)
            let state1 = try StateToken.verify(try #require(QRPayload.state(from: first)), keys: server.ring)
            #expect(state1.balance.minorUnits == 30000 && state1.couponID == coupon["id"] as? String)

            let cake = try await Self.settle(client, station: server.stationKey, payload: first, product: "6901234567892")
            #expect(cake.status == 201, "\(cake.body)")
            #expect(cake.body.amount("balance_after") == 20000)
            #expect(cake.body["stale_state"] as? Bool == false)
            #expect((cake.body[path: "phone_state", "sequence"] as? Int) == 2)
            #expect(((cake.body[path: "phone_state", "balance"] as? [String: Any])?["amount"] as? Int) == 20000)

            // The old QR (state 1) still settles, against the provider's balance; the answer says so.
            let tea = try await Self.settle(client, station: server.stationKey, payload: first, product: "TEA")
            #expect(tea.status == 201, "\(tea.body)")
            #expect(tea.body["stale_state"] as? Bool == true)
            #expect(tea.body.amount("balance_after") == 19000)
            let current = try #require(tea.body[path: "phone_state", "token"] as? String)
            #expect(try StateToken.verify(current, keys: server.ring).balance.minorUnits == 19000)

            // The gift box is declined with the balance and the current state; nothing changes.
            let gift = try await Self.settle(
                client, station: server.stationKey, payload: code + "." + current, product: "GIFT-250")
            #expect(gift.status == 402 && gift.body.errorCode() == "insufficient_balance")
            #expect(gift.body.amount("balance") == 19000)
            #expect((gift.body[path: "phone_state", "sequence"] as? Int) == 3)

            // The outbox: only the newest state waits, with the code, for admins only.
            let refused = try await client.call(.post, "/v1/outbox/claim", key: server.stationKey, json: "{}")
            #expect(refused.status == 403)
            #expect(try await client.call(.get, "/v1/outbox", key: server.adminKey).body["pending"] as? Int == 1)
            let metrics = String(decoding: try await client.raw(.get, "/metrics", key: server.adminKey).body, as: UTF8.self)
            #expect(metrics.contains("coupon_outbox_pending 1"), "\(metrics)")
            #expect(!metrics.contains(code) && !metrics.contains(code.replacingOccurrences(of: "-", with: "")))
            let claim = try await client.call(.post, "/v1/outbox/claim", key: server.adminKey, json: #"{"limit": 10}"#)
            let messages = try #require(claim.body["messages"] as? [[String: Any]])
            #expect(claim.status == 200 && messages.count == 1)
            #expect(messages.first?["code"] as? String == code)
            #expect(messages.first?["qr_payload"] as? String == "https://cpn.example/c#\(bare).\(current)")
            let id = try #require(messages.first?["id"] as? String)
            let done = try await client.call(.post, "/v1/outbox/delivered", key: server.adminKey, json: #"{"ids": ["\#(id)"]}"#)
            #expect(done.status == 200 && done.body["delivered"] as? Int == 1 && done.body["pending"] as? Int == 0)
            let again = try await client.call(.post, "/v1/outbox/delivered", key: server.adminKey, json: #"{"ids": ["\#(id)"]}"#)
            #expect(again.body["delivered"] as? Int == 0)
            let bad = try await client.call(.post, "/v1/outbox/claim", key: server.adminKey, json: #"{"limit": 0}"#)
            #expect(bad.status == 400 && bad.body.errorCode() == "bad_limit")
        }
        #expect(try await server.store.audit().isEmpty)
    }

    @Test("a changed, forged, foreign, malformed or unknown-key state is refused with its code; nothing is charged")
    func refusals() async throws {
        let server = try await TestServer()
        try await server.run { client in
            let coupon = try await Self.issuePhoneCoupon(client, admin: server.adminKey)
            let other = try await Self.issuePhoneCoupon(client, admin: server.adminKey, minorUnits: 99900)
            let code = try #require(coupon["code"] as? String)
            let token = try #require(QRPayload.state(from: coupon["qr_payload"] as? String ?? ""))
            let foreign = try #require(QRPayload.state(from: other["qr_payload"] as? String ?? ""))
            // The balance changed in the QR, the signature kept (characters 35-36 are in the balance).
            var bytes = Array(token)
            bytes[36] = bytes[36] == "Z" ? "Y" : "Z"
            let tampered = String(bytes)
            let strangerRing = KeyRing.generate()
            let stranger = try StateToken.sign(
                PhoneState(
                    couponID: try #require(coupon["id"] as? String), balance: Money(minorUnits: 999_900, currency: .cny),
                    expiresAt: nil, sequence: 9, signedAt: Instant.now, keyID: try #require(strangerRing.active?.id)),
                with: try #require(strangerRing.active))
            let cases: [(String, Int, String)] = [
                (code + "." + tampered, 422, "state_bad_signature"),
                (code + "." + foreign, 422, "state_mismatch"),
                (code + "." + stranger, 422, "state_unknown_key"),
                (code + ".NOT-A-STATE", 400, "state_malformed"),
                (code + "." + token.dropLast(2), 400, "state_malformed"),
            ]
            for (payload, status, error) in cases {
                let answer = try await Self.settle(
                    client, station: server.stationKey, payload: payload, product: "6901234567892")
                #expect(answer.status == status && answer.body.errorCode() == error, "\(error): \(answer.body)")
            }
            let after = try await client.call(
                .get, "/v1/coupons/\(try #require(coupon["id"] as? String))", key: server.adminKey)
            #expect(after.body.amount("balance") == 30000)
        }
        #expect(try await server.store.audit().isEmpty)
    }

    @Test("key rotation: the previous key's states verify until it is retired, then they are refused")
    func rotation() async throws {
        var ring = KeyRing.generate()
        var server = try await TestServer(ring: ring)
        let oldKey = try #require(ring.active?.id)
        let issued = try await server.store.issue(
            [IssueRequest(initial: Money(minorUnits: 30000, currency: .cny), balanceOnPhone: true)], actor: "admin",
            now: Instant.now, idempotency: nil, render: { _ in StoredResponse(status: 201, body: []) })
        guard case .fresh(let coupons, _) = issued else { Issue.record("replayed"); return }
        let payload = QRPayload.link(
            baseURL: "https://cpn.example", code: coupons[0].code, state: coupons[0].record.signedBalance?.token)
        let newKey = ring.rotate()
        server.configuration.stateKeys = ring
        let rotated = server
        try await rotated.run { client in
            let keys = try #require(try await client.call(.get, "/v1/public/keys", key: nil).body["keys"] as? [[String: Any]])
            #expect(Set(keys.compactMap { $0["id"] as? String }) == [oldKey, newKey])
            let sale = try await Self.settle(client, station: rotated.stationKey, payload: payload, product: "6901234567892")
            #expect(sale.status == 201, "a valid key's state still verifies: \(sale.body)")
        }
        try ring.retire(oldKey)
        server.configuration.stateKeys = ring
        let retired = server
        try await retired.run { client in
            let sale = try await Self.settle(client, station: retired.stationKey, payload: payload, product: "6901234567892")
            #expect(sale.status == 422 && sale.body.errorCode() == "state_key_retired", "\(sale.body)")
        }
    }
}
