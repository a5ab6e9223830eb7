import Foundation
import Testing

@Suite("Idempotency-Key: retries are safe")
struct IdempotencyTests {
    @Test("one settlement sent 100 times with one key deducts once and answers the same bytes")
    func hundredRetries() async throws {
        let server = try await TestServer()
        try await server.run { client in
            let issued = try await client.issue(30000, adminKey: server.adminKey)
            let code = try #require(issued["code"] as? String)
            let body = #"{"coupon_code": "\#(code)", "items": [{"product_code": "6901234567892", "quantity": 1}]}"#
            let first = try await client.raw(
                .post, "/v1/settlements", key: server.stationKey, json: body, idempotencyKey: "sale-0001")
            #expect(first.status == 201)
            for _ in 0..<99 {
                let again = try await client.raw(
                    .post, "/v1/settlements", key: server.stationKey, json: body, idempotencyKey: "sale-0001")
                #expect(again.status == 201)
                #expect(again.body == first.body)
            }
            let coupon = try await client.call(
                .post, "/v1/coupons/lookup", key: server.stationKey, json: #"{"code": "\#(code)"}"#)
            #expect(coupon.body.amount("balance") == 20000)

            // The same key with another body: 422, nothing changes.
            let other = #"{"coupon_code": "\#(code)", "items": [{"product_code": "6901234567892", "quantity": 2}]}"#
            let reused = try await client.raw(
                .post, "/v1/settlements", key: server.stationKey, json: other, idempotencyKey: "sale-0001")
            #expect(reused.status == 422)
            #expect(String(decoding: reused.body, as: UTF8.self).contains("idempotency_key_reused"))
            // Keys are scoped per station: another station's identical key is a new request.
            let elsewhere = try await client.raw(
                .post, "/v1/settlements", key: server.otherStationKey, json: body, idempotencyKey: "sale-0001")
            #expect(elsewhere.status == 201)
            #expect(elsewhere.body != first.body)
            let after = try await client.call(
                .post, "/v1/coupons/lookup", key: server.stationKey, json: #"{"code": "\#(code)"}"#)
            #expect(after.body.amount("balance") == 10000)

            // A station that lost the answer asks what its key did: the same bytes, for its own key only.
            let lost = try await client.raw(
                .get, "/v1/settlements?idempotency_key=sale-0001", key: server.stationKey)
            #expect(lost.status == 201)
            #expect(lost.body == first.body)
            let theirs = try await client.raw(
                .get, "/v1/settlements?idempotency_key=sale-0001", key: server.otherStationKey)
            #expect(theirs.body == elsewhere.body)
            let never = try await client.call(
                .get, "/v1/settlements?idempotency_key=sale-9999", key: server.stationKey)
            #expect(never.status == 404)
            #expect(try await client.call(.get, "/v1/settlements", key: server.stationKey).status == 400)
            #expect(try await client.call(.get, "/v1/settlements?idempotency_key=x", key: nil).status == 401)
        }
        #expect(try await server.store.audit().isEmpty)
    }

    @Test("concurrent duplicates: one settles, the rest replay it or get 409 while it is in flight")
    func concurrentDuplicates() async throws {
        let server = try await TestServer()
        try await server.run { client in
            let issued = try await client.issue(30000, adminKey: server.adminKey)
            let code = try #require(issued["code"] as? String)
            let body = #"{"coupon_code": "\#(code)", "items": [{"product_code": "6901234567892", "quantity": 1}]}"#
            let results = try await withThrowingTaskGroup(of: (Int, Data).self) { group in
                for _ in 0..<16 {
                    group.addTask {
                        try await client.raw(
                            .post, "/v1/settlements", key: server.stationKey, json: body, idempotencyKey: "dup-1")
                    }
                }
                var all: [(Int, Data)] = []
                for try await result in group { all.append(result) }
                return all
            }
            let created = results.filter { $0.0 == 201 }
            #expect(!created.isEmpty)
            #expect(Set(created.map(\.1)).count == 1)
            #expect(
                results.allSatisfy {
                    $0.0 == 201
                        || ($0.0 == 409 && String(decoding: $0.1, as: UTF8.self).contains("idempotency_in_flight"))
                })
            let coupon = try await client.call(
                .post, "/v1/coupons/lookup", key: server.stationKey, json: #"{"code": "\#(code)"}"#)
            #expect(coupon.body.amount("balance") == 20000)
        }
    }

    @Test("a declined settlement replays its decline; capture and void replay too")
    func declinesAndTwoPhase() async throws {
        let server = try await TestServer()
        try await server.run { client in
            let issued = try await client.issue(20000, adminKey: server.adminKey)
            let code = try #require(issued["code"] as? String)
            let gift = #"{"coupon_code": "\#(code)", "items": [{"product_code": "GIFT-250", "quantity": 1}]}"#
            let declined = try await client.raw(
                .post, "/v1/settlements", key: server.stationKey, json: gift, idempotencyKey: "g-1")
            #expect(declined.status == 402)
            #expect(
                try await client.raw(
                    .post, "/v1/settlements", key: server.stationKey, json: gift, idempotencyKey: "g-1") == declined)

            let hold =
                #"{"coupon_code": "\#(code)", "items": [{"product_code": "6901234567892", "quantity": 1}], "capture": false}"#
            let held = try await client.call(.post, "/v1/settlements", key: server.stationKey, json: hold)
            let id = try #require(held.body["id"] as? String)
            let capture = try await client.raw(
                .post, "/v1/settlements/\(id)/capture", key: server.stationKey, idempotencyKey: "c-1")
            #expect(capture.status == 200)
            #expect(
                try await client.raw(
                    .post, "/v1/settlements/\(id)/capture", key: server.stationKey, idempotencyKey: "c-1") == capture)
            // Without the key, a second capture is a conflict.
            #expect(try await client.raw(.post, "/v1/settlements/\(id)/capture", key: server.stationKey).status == 409)
            let badKey = try await client.raw(
                .post, "/v1/settlements/\(id)/void", key: server.stationKey,
                idempotencyKey: String(repeating: "k", count: 300))
            #expect(badKey.status == 400)
        }
        #expect(try await server.store.audit().isEmpty)
    }

    @Test("issue, batch issue and reissue under a key: a retry gets the same codes back, nothing is issued twice")
    func issuingRetries() async throws {
        let server = try await TestServer()
        try await server.run { client in
            let body = #"{"initial": {"amount": 5000, "currency": "CNY"}, "campaign": "retry-test"}"#
            let first = try await client.raw(
                .post, "/v1/coupons", key: server.adminKey, json: body, idempotencyKey: "issue-1")
            #expect(first.status == 201)
            let again = try await client.raw(
                .post, "/v1/coupons", key: server.adminKey, json: body, idempotencyKey: "issue-1")
            #expect(again.status == 201)
            #expect(again.body == first.body)
            let issued = try #require(try JSONSerialization.jsonObject(with: first.body) as? [String: Any])
            let code = try #require(issued["code"] as? String)
            let lookup = try await client.call(
                .post, "/v1/coupons/lookup", key: server.stationKey, json: #"{"code": "\#(code)"}"#)
            #expect(lookup.status == 200)
            let other = #"{"initial": {"amount": 6000, "currency": "CNY"}, "campaign": "retry-test"}"#
            let reused = try await client.raw(
                .post, "/v1/coupons", key: server.adminKey, json: other, idempotencyKey: "issue-1")
            #expect(reused.status == 422)

            let batch = #"{"count": 3, "initial": {"amount": 1000, "currency": "CNY"}, "campaign": "retry-test"}"#
            let firstBatch = try await client.raw(
                .post, "/v1/coupons/batch", key: server.adminKey, json: batch, idempotencyKey: "batch-1")
            #expect(firstBatch.status == 201)
            let againBatch = try await client.raw(
                .post, "/v1/coupons/batch", key: server.adminKey, json: batch, idempotencyKey: "batch-1")
            #expect(againBatch.body == firstBatch.body)

            // One coupon and one batch of three, whatever the retries: the campaign report counts 4.
            let report = try await client.call(.get, "/v1/reports/campaign/retry-test", key: server.adminKey)
            #expect(report.status == 200)
            #expect(((report.body["totals"] as? [[String: Any]])?.first?["coupons"] as? NSNumber)?.intValue == 4)

            let id = try #require(issued["id"] as? String)
            let reissue = try await client.raw(
                .post, "/v1/coupons/\(id)/reissue", key: server.adminKey, idempotencyKey: "reissue-1")
            #expect(reissue.status == 200)
            let reissueAgain = try await client.raw(
                .post, "/v1/coupons/\(id)/reissue", key: server.adminKey, idempotencyKey: "reissue-1")
            #expect(reissueAgain.body == reissue.body)
            let renewed = try #require(try JSONSerialization.jsonObject(with: reissue.body) as? [String: Any])
            let newCode = try #require(renewed["code"] as? String)
            #expect(newCode != code)
            let works = try await client.call(
                .post, "/v1/coupons/lookup", key: server.stationKey, json: #"{"code": "\#(newCode)"}"#)
            #expect(works.status == 200)
            let dead = try await client.call(
                .post, "/v1/coupons/lookup", key: server.stationKey, json: #"{"code": "\#(code)"}"#)
            #expect(dead.status == 404)
            let ledger = try await server.store.ledger(couponID: id)
            #expect(ledger.filter { $0.kind == .reissue }.count == 1)
        }
        #expect(try await server.store.audit().isEmpty)
    }

    @Test("block, unblock and station registration under a key: a retry replays the first answer")
    func blockingAndStationRetries() async throws {
        let server = try await TestServer()
        try await server.run { client in
            let issued = try await client.issue(1000, adminKey: server.adminKey)
            let id = try #require(issued["id"] as? String)
            let block = try await client.raw(
                .post, "/v1/coupons/\(id)/block", key: server.adminKey, idempotencyKey: "block-1")
            #expect(block.status == 200)
            let blockAgain = try await client.raw(
                .post, "/v1/coupons/\(id)/block", key: server.adminKey, idempotencyKey: "block-1")
            #expect(blockAgain.status == 200)
            #expect(blockAgain.body == block.body)
            // Without a key, a second block says what is wrong rather than changing anything.
            let plain = try await client.call(.post, "/v1/coupons/\(id)/block", key: server.adminKey)
            #expect(plain.status == 409)
            let unblock = try await client.raw(
                .post, "/v1/coupons/\(id)/unblock", key: server.adminKey, idempotencyKey: "unblock-1")
            #expect(unblock.status == 200)
            let ledger = try await server.store.ledger(couponID: id)
            #expect(ledger.filter { $0.kind == .block }.count == 1)
            #expect(ledger.filter { $0.kind == .unblock }.count == 1)

            let body = #"{"name": "till-9"}"#
            let station = try await client.raw(
                .post, "/v1/stations", key: server.adminKey, json: body, idempotencyKey: "station-9")
            #expect(station.status == 201)
            let stationAgain = try await client.raw(
                .post, "/v1/stations", key: server.adminKey, json: body, idempotencyKey: "station-9")
            #expect(stationAgain.body == station.body)
            let answer = try #require(try JSONSerialization.jsonObject(with: station.body) as? [String: Any])
            let key = try #require(answer["key"] as? String)
            let code = try #require(issued["code"] as? String)
            let lookup = try await client.call(
                .post, "/v1/coupons/lookup", key: key, json: #"{"code": "\#(code)"}"#)
            #expect(lookup.status == 200)
        }
        #expect(try await server.store.keyCount() == 4)
    }
}
