import CouponCore
import Foundation
import HTTPTypes
import Synchronization
import Testing

/// A clock the test moves forward.
final class TestClock: Sendable {
    private let seconds: Mutex<Int64>
    init() { seconds = Mutex(Instant.now.secondsSince1970) }
    func now() -> Instant { Instant(secondsSince1970: seconds.withLock { $0 }) }
    func advance(days: Int64) { seconds.withLock { $0 += days * 86400 } }
    /// Moves the clock by `seconds`, back when negative (a clock step).
    func advance(seconds delta: Int64) { seconds.withLock { $0 += delta } }
}

@Suite("The issuer's API: batch issue, load, adjust, block, reissue, refund, reports")
struct AdminTests {
    @Test("roles: a station key is refused every administrative call, no key gets 401")
    func roles() async throws {
        let server = try await TestServer()
        try await server.run { client in
            let calls: [(HTTPRequest.Method, String, String?)] = [
                (.post, "/v1/coupons/batch", #"{"count": 1, "initial": {"amount": 100, "currency": "CNY"}}"#),
                (.post, "/v1/coupons/cpn_x/load", #"{"amount": {"amount": 100, "currency": "CNY"}, "reference": "r"}"#),
                (.post, "/v1/coupons/cpn_x/adjust", #"{"amount": {"amount": 100, "currency": "CNY"}, "reason": "r"}"#),
                (.post, "/v1/coupons/cpn_x/block", nil), (.post, "/v1/coupons/cpn_x/unblock", nil),
                (.post, "/v1/coupons/cpn_x/reissue", nil),
                (.post, "/v1/settlements/stl_x/refund", #"{"lines": []}"#), (.get, "/v1/stations", nil),
                (.get, "/v1/keys", nil), (.post, "/v1/keys/key_x/revoke", nil), (.get, "/v1/audit", nil),
                (.post, "/v1/backup", nil), (.get, "/v1/reports/liability", nil),
                (.get, "/v1/reports/campaign/x", nil), (.get, "/v1/reports/daily?date=2026-11-25", nil),
                (.get, "/v1/export?since=2026-11-01", nil), (.post, "/v1/products/import", "code,name,price,currency"),
            ]
            for (method, path, body) in calls {
                let station = try await client.call(method, path, key: server.stationKey, json: body)
                #expect(station.status == 403, "\(path) with a station key: \(station.status)")
                let anonymous = try await client.call(method, path, key: nil, json: body)
                #expect(anonymous.status == 401, "\(path) without a key: \(anonymous.status)")
            }
        }
    }

    @Test("a campaign adds up: issued + loaded + adjusted = redeemed + outstanding + expired; daily matches the ledger")
    func campaignAddsUp() async throws {
        var setup = try await TestServer()
        let clock = TestClock()
        setup.configuration.clock = clock.now
        let server = setup
        try await server.run { client in
            let batch = try await client.call(
                .post, "/v1/coupons/batch", key: server.adminKey,
                json:
                    #"{"count": 4, "initial": {"amount": 30000, "currency": "CNY"}, "campaign": "spring", "expiry": {"days": 30}}"#
            )
            #expect(batch.status == 201)
            let coupons = try #require(batch.body["coupons"] as? [[String: Any]])
            #expect(coupons.count == 4)
            let codes = coupons.compactMap { $0["code"] as? String }
            let ids = coupons.compactMap { $0["id"] as? String }
            // Spend: 100.00 on the first, 200.00 on the second (then 100.00 of it refunded), load 50.00 on the
            // third, adjust the fourth by -10.00, then let the fourth expire.
            let first = try await client.call(
                .post, "/v1/settlements", key: server.stationKey,
                json: #"{"coupon_code": "\#(codes[0])", "items": [{"product_code": "6901234567892", "quantity": 1}]}"#)
            #expect(first.status == 201)
            let second = try await client.call(
                .post, "/v1/settlements", key: server.stationKey,
                json: #"{"coupon_code": "\#(codes[1])", "items": [{"product_code": "6901234567892", "quantity": 2}]}"#)
            let settlement = try #require(second.body["id"] as? String)
            let refund = try await client.call(
                .post, "/v1/settlements/\(settlement)/refund", key: server.adminKey,
                json: #"{"lines": [{"product_code": "6901234567892", "quantity": 1}]}"#)
            #expect(refund.status == 200)
            #expect(refund.body["status"] as? String == "partially_refunded")
            #expect(refund.body.amount("refunded") == 10000)
            let tooMuch = try await client.call(
                .post, "/v1/settlements/\(settlement)/refund", key: server.adminKey,
                json: #"{"lines": [{"product_code": "6901234567892", "quantity": 2}]}"#)
            #expect(tooMuch.status == 422)
            #expect(tooMuch.body.errorCode() == "refund_too_large")
            let load = try await client.raw(
                .post, "/v1/coupons/\(ids[2])/load", key: server.adminKey,
                json: #"{"amount": {"amount": 5000, "currency": "CNY"}, "reference": "INV-1"}"#,
                idempotencyKey: "load-1")
            let again = try await client.raw(
                .post, "/v1/coupons/\(ids[2])/load", key: server.adminKey,
                json: #"{"amount": {"amount": 5000, "currency": "CNY"}, "reference": "INV-1"}"#,
                idempotencyKey: "load-1")
            #expect(load.status == 200)
            #expect(again.body == load.body)
            let adjusted = try await client.call(
                .post, "/v1/coupons/\(ids[3])/adjust", key: server.adminKey,
                json: #"{"amount": {"amount": -1000, "currency": "CNY"}, "reason": "printing error"}"#)
            #expect(adjusted.body.amount("balance") == 29000)
            let wrongCurrency = try await client.call(
                .post, "/v1/coupons/\(ids[3])/load", key: server.adminKey,
                json: #"{"amount": {"amount": 100, "currency": "USD"}, "reference": "x"}"#)
            #expect(wrongCurrency.status == 422)

            clock.advance(days: 31)
            // All four are past their expiry with nothing held.
            #expect(try await server.store.expireCoupons(now: clock.now()) == 4)
            let report = try await client.call(.get, "/v1/reports/campaign/spring", key: server.adminKey)
            let totals = try #require((report.body["totals"] as? [[String: Any]])?.first)
            func figure(_ key: String) -> Int64 { (totals[key] as? NSNumber)?.int64Value ?? -1 }
            #expect(figure("issued") == 120000)
            #expect(figure("loaded") == 5000)
            #expect(figure("adjusted") == -1000)
            #expect(figure("redeemed") == 20000)
            #expect(
                figure("issued") + figure("loaded") + figure("adjusted")
                    == figure("redeemed") + figure("outstanding") + figure("expired"))
            #expect(figure("outstanding") == 0)
            #expect(figure("expired") == 104000)

            // The daily report matches the ledger's captures and refunds for the day.
            let day = ISO8601DateFormatter.string(
                from: Date(timeIntervalSince1970: TimeInterval(clock.now().secondsSince1970 - 31 * 86400)),
                timeZone: TimeZone(identifier: server.configuration.timeZone)!, formatOptions: [.withFullDate])
            let daily = try await client.call(.get, "/v1/reports/daily?date=\(day)", key: server.adminKey)
            let row = try #require((daily.body["stations"] as? [[String: Any]])?.first)
            #expect(row["station"] as? String == "till-1")
            #expect(row["settlements"] as? Int == 2)
            let export = try await client.call(.get, "/v1/export?since=\(day)", key: server.adminKey)
            let entries = try #require(export.body["entries"] as? [[String: Any]])
            func amounts(_ kind: String) -> [Int] {
                entries.filter { $0["kind"] as? String == kind }
                    .compactMap { ($0["amount"] as? [String: Any])?["amount"] as? Int }
            }
            let captured = amounts("capture")
            let refunded = amounts("refund")
            #expect(entries.allSatisfy { ($0["balance_after"] as? [String: Any])?["currency"] as? String == "CNY" })
            #expect(row["captured"] as? Int == captured.reduce(0, +))
            #expect(row["refunded"] as? Int == refunded.reduce(0, +))
            #expect(captured.reduce(0, +) == 30000)
            // Paged exactly to its end: the last full page has no `next`.
            let count = entries.count
            let firstPage = try await client.call(
                .get, "/v1/export?since=\(day)&limit=\(count - 1)", key: server.adminKey)
            let after = try #require(firstPage.body["next"] as? String)
            let last = try await client.call(
                .get, "/v1/export?since=\(day)&limit=1&after=\(after)", key: server.adminKey)
            #expect((last.body["entries"] as? [[String: Any]])?.count == 1)
            #expect(last.body["next"] == nil)
            // A cursor or limit that is not one is refused, not read as the first page.
            for query in ["after=abc", "after=-1", "limit=abc", "limit=0"] {
                let refused = try await client.call(.get, "/v1/export?since=\(day)&\(query)", key: server.adminKey)
                #expect(refused.status == 400 && refused.body.errorCode() == "bad_limit", "\(query)")
            }
            let audit = try await client.call(.get, "/v1/audit", key: server.adminKey)
            #expect(audit.body["ok"] as? Bool == true)
        }
    }

    @Test("block stops settlement, unblock restores it; reissue kills the old code")
    func blockAndReissue() async throws {
        let server = try await TestServer()
        try await server.run { client in
            let issued = try await client.issue(30000, adminKey: server.adminKey)
            let id = try #require(issued["id"] as? String), code = try #require(issued["code"] as? String)
            let sale = #"{"coupon_code": "CODE", "items": [{"product_code": "6901234567892", "quantity": 1}]}"#
            #expect(try await client.call(.post, "/v1/coupons/\(id)/block", key: server.adminKey).status == 200)
            let blocked = try await client.call(
                .post, "/v1/settlements", key: server.stationKey,
                json: sale.replacingOccurrences(of: "CODE", with: code))
            #expect(blocked.status == 402)
            #expect(blocked.body.errorCode() == "blocked")
            #expect(try await client.call(.post, "/v1/coupons/\(id)/block", key: server.adminKey).status == 409)
            #expect(try await client.call(.post, "/v1/coupons/\(id)/unblock", key: server.adminKey).status == 200)
            let reissued = try await client.call(.post, "/v1/coupons/\(id)/reissue", key: server.adminKey)
            let newCode = try #require(reissued.body["code"] as? String)
            #expect(newCode != code)
            let old = try await client.call(
                .post, "/v1/settlements", key: server.stationKey,
                json: sale.replacingOccurrences(of: "CODE", with: code))
            #expect(old.status == 402)
            #expect(old.body.errorCode() == "unknown_coupon")
            let new = try await client.call(
                .post, "/v1/settlements", key: server.stationKey,
                json: sale.replacingOccurrences(of: "CODE", with: newCode))
            #expect(new.status == 201)
            #expect(new.body.amount("balance_after") == 20000)
            #expect(try await client.call(.get, "/v1/coupons/\(id)", key: server.adminKey).body["code"] == nil)
            #expect(try await client.call(.post, "/v1/coupons/cpn_none/block", key: server.adminKey).status == 404)
        }
    }
}

@Suite("Named admin keys: each holder named in the ledger, the first-start key retired")
struct AdminKeyTests {
    @Test("a named key issues as admin:alice, revokes the first key, and names are unique")
    func namedKeys() async throws {
        let server = try await TestServer()
        try await server.run { client in
            let created = try await client.call(
                .post, "/v1/keys", key: server.adminKey, json: #"{"name": "alice"}"#)
            #expect(created.status == 201)
            let alice = try #require(created.body["key"] as? String)
            let duplicate = try await client.call(
                .post, "/v1/keys", key: server.adminKey, json: #"{"name": "alice"}"#)
            #expect(duplicate.status == 409)
            #expect(
                try await client.call(.post, "/v1/keys", key: server.adminKey, json: #"{"name": "a b\n"}"#).status
                    == 400)
            #expect(
                try await client.call(.post, "/v1/keys", key: server.stationKey, json: #"{"name": "x"}"#).status == 403)
            let coupon = try await client.issue(5000, adminKey: alice)
            let id = try #require(coupon["id"] as? String)
            let ledger = try await client.call(.get, "/v1/coupons/\(id)/ledger", key: alice)
            let entries = ledger.body["entries"] as? [[String: Any]] ?? []
            #expect(entries.first?["actor"] as? String == "admin:alice")
            // Retire the first-start key with alice's.
            let keys = try await client.call(.get, "/v1/keys", key: alice)
            let list = keys.body["keys"] as? [[String: Any]] ?? []
            #expect(list.contains { $0["name"] as? String == "alice" })
            let first = try #require(
                list.first { $0["role"] as? String == "admin" && $0["name"] == nil }?["id"] as? String)
            #expect(try await client.call(.post, "/v1/keys/\(first)/revoke", key: alice).status == 200)
            #expect(try await client.call(.get, "/v1/audit", key: server.adminKey).status == 401)
            #expect(try await client.call(.get, "/v1/audit", key: alice).status == 200)
        }
    }
}
