import CouponCore
import CouponStore
import Foundation
import Testing

/// The findings of issue 14, each as it was found: every one answered 500, lost a release or
/// accepted bad input before the fix.
@Suite("Hostile clients: each finding gets its 4xx and leaves nothing behind")
struct HostileClientTests {
    @Test("a body past its route's limit is 413 with the error body, on every route")
    func oversizedBodies() async throws {
        let server = try await TestServer()
        try await server.run { client in
            let name = String(repeating: "n", count: 70 * 1024)
            let routes: [(String, String?)] = [
                ("/v1/stations", server.adminKey), ("/v1/coupons", server.adminKey),
                ("/v1/coupons/lookup", server.stationKey), ("/v1/public/balance", nil),
                ("/v1/settlements/stl_x/capture", server.stationKey),
            ]
            for (uri, key) in routes {
                let response = try await client.call(.post, uri, key: key, json: #"{"name": "\#(name)"}"#)
                #expect(response.status == 413, "\(uri)")
                #expect(response.body.errorCode() == "too_large", "\(uri)")
            }
            let big = String(repeating: "x", count: 2 << 20)
            let settle = try await client.call(.post, "/v1/settlements", key: server.stationKey, json: big)
            #expect(settle.status == 413 && settle.body.errorCode() == "too_large")
            let put = try await client.call(
                .put, "/v1/products/6901234567892", key: server.adminKey, json: #"{"name": "\#(name)"}"#)
            #expect(put.status == 413)
        }
    }

    @Test("a known path with the wrong method is 405 with Allow; an unknown path 404, both with the error body")
    func wrongMethod() async throws {
        let server = try await TestServer()
        try await server.run { client in
            let response = try await client.client.execute(
                uri: "/v1/coupons", method: .delete, headers: [.authorization: "Bearer \(server.adminKey)"], body: nil)
            #expect(response.status.code == 405)
            #expect(response.headers[.allow] == "POST")
            #expect(String(buffer: response.body).contains("method_not_allowed"))
            let settlement = try await client.call(.put, "/v1/settlements/stl_x/capture", key: server.stationKey)
            #expect(settlement.status == 405 && settlement.body.errorCode() == "method_not_allowed")
            let unknown = try await client.call(.get, "/v1/nothing/here", key: server.adminKey)
            #expect(unknown.status == 404 && unknown.body.errorCode() == "not_found")
        }
    }

    @Test("issue, load, adjust and refund stop at the balance limit")
    func balanceLimit() async throws {
        var limits = Limits()
        limits.maxBalance = 30000
        let server = try await TestServer(limits: limits)
        try await server.run { client in
            let huge = try await client.call(
                .post, "/v1/coupons", key: server.adminKey,
                json: #"{"initial": {"amount": 9223372036854775807, "currency": "CNY"}}"#)
            #expect(huge.status == 422 && huge.body.errorCode() == "over_limit")
            let batch = try await client.call(
                .post, "/v1/coupons/batch", key: server.adminKey,
                json: #"{"count": 2, "initial": {"amount": 30001, "currency": "CNY"}}"#)
            #expect(batch.status == 422 && batch.body.errorCode() == "over_limit")
            let coupon = try await client.issue(30000, adminKey: server.adminKey)
            let id = try #require(coupon["id"] as? String)
            let load = try await client.call(
                .post, "/v1/coupons/\(id)/load", key: server.adminKey,
                json: #"{"amount": {"amount": 1, "currency": "CNY"}, "reference": "top-up"}"#)
            #expect(load.status == 422 && load.body.errorCode() == "over_limit")
            let adjust = try await client.call(
                .post, "/v1/coupons/\(id)/adjust", key: server.adminKey,
                json: #"{"amount": {"amount": 1, "currency": "CNY"}, "reason": "goodwill"}"#)
            #expect(adjust.status == 422)
            let lower = try await client.call(
                .post, "/v1/coupons/\(id)/adjust", key: server.adminKey,
                json: #"{"amount": {"amount": -10000, "currency": "CNY"}, "reason": "correction"}"#)
            #expect(lower.status == 200)
            // Spend 100.00, load it back to the limit, then a refund of the cake would pass it.
            let code = try #require(coupon["code"] as? String)
            let cake = #"{"coupon_code": "\#(code)", "items": [{"product_code": "6901234567892", "quantity": 1}]}"#
            let sale = try await client.call(.post, "/v1/settlements", key: server.stationKey, json: cake)
            let settlement = try #require(sale.body["id"] as? String)
            _ = try await client.call(
                .post, "/v1/coupons/\(id)/load", key: server.adminKey,
                json: #"{"amount": {"amount": 20000, "currency": "CNY"}, "reference": "top-up"}"#)
            let refund = try await client.call(
                .post, "/v1/settlements/\(settlement)/refund", key: server.adminKey,
                json: #"{"lines": [{"product_code": "6901234567892", "quantity": 1}]}"#)
            #expect(refund.status == 422 && refund.body.errorCode() == "over_limit")
            let price = try await client.call(
                .put, "/v1/products/GIFT-X", key: server.adminKey,
                json: #"{"name": "Too dear", "price": {"amount": 9223372036854775807, "currency": "CNY"}}"#)
            #expect(price.status == 422 && price.body.errorCode() == "over_limit")
        }
        #expect(try await server.store.audit().isEmpty)
    }

    @Test("coupons at the highest balance any setting allows: every report, metric and audit still answers")
    func reportsAtTheLimit() async throws {
        var limits = Limits()
        limits.maxBalance = Limits.balanceCeiling
        let server = try await TestServer(limits: limits)
        try await server.run { client in
            // 10,000 x 10^15 = 10^19, past Int64.max (9.2 x 10^18).
            let ceiling = Limits.balanceCeiling
            let batch = try await client.call(
                .post, "/v1/coupons/batch", key: server.adminKey,
                json: #"{"count": 10000, "initial": {"amount": \#(ceiling), "currency": "CNY"}, "campaign": "max"}"#)
            #expect(batch.status == 201)
            let codes = (batch.body["coupons"] as? [[String: Any]] ?? []).compactMap { $0["code"] as? String }
            #expect(codes.count == 10000)
            for code in codes.prefix(2) {
                let hold =
                    #"{"coupon_code": "\#(code)", "items": [{"product_code": "6901234567892", "quantity": 1}], "capture": false}"#
                #expect(
                    try await client.call(.post, "/v1/settlements", key: server.stationKey, json: hold).status == 201)
            }
            let expected = Int128(ceiling) * 10000
            let liability = try await client.raw(.get, "/v1/reports/liability", key: server.adminKey)
            #expect(liability.status == 200)
            #expect(String(decoding: liability.body, as: UTF8.self).contains(#""amount":\#(expected)"#))
            // Liability is not for anyone who can reach the port: an admin key (or the metrics key).
            #expect(try await client.raw(.get, "/metrics", key: nil).status == 401)
            #expect(try await client.raw(.get, "/metrics", key: server.stationKey).status == 403)
            let metrics = try await client.raw(.get, "/metrics", key: server.adminKey)
            #expect(metrics.status == 200)
            #expect(
                String(decoding: metrics.body, as: UTF8.self).contains(
                    "coupon_outstanding_liability{currency=\"CNY\"} \(expected)"))
            let campaign = try await client.raw(.get, "/v1/reports/campaign/max", key: server.adminKey)
            #expect(campaign.status == 200)
            #expect(String(decoding: campaign.body, as: UTF8.self).contains(#""issued":\#(expected)"#))
            let today = String(ISO8601DateFormatter().string(from: Date()).prefix(10))
            #expect(try await client.raw(.get, "/v1/reports/daily?date=\(today)", key: server.adminKey).status == 200)
            let audit = try await client.call(.get, "/v1/audit", key: server.adminKey)
            #expect(audit.status == 200 && audit.body["ok"] as? Bool == true)
            #expect(try await client.raw(.get, "/v1/export?since=\(today)", key: server.adminKey).status == 200)
        }
    }

    @Test("a capture or void that finds its hold expired releases it, with or without a key, and the 409 replays")
    func expiredHoldUnderKey() async throws {
        var setup = try await TestServer()
        let clock = TestClock()
        setup.configuration.clock = clock.now
        setup.configuration.holdSeconds = 10
        let server = setup
        try await server.run { client in
            let issued = try await client.issue(30000, adminKey: server.adminKey)
            let code = try #require(issued["code"] as? String)
            let couponID = try #require(issued["id"] as? String)
            let hold =
                #"{"coupon_code": "\#(code)", "items": [{"product_code": "6901234567892", "quantity": 1}], "capture": false}"#
            for action in ["capture", "void"] {
                let held = try await client.call(.post, "/v1/settlements", key: server.stationKey, json: hold)
                let id = try #require(held.body["id"] as? String)
                clock.advance(seconds: 11)
                let late = try await client.raw(
                    .post, "/v1/settlements/\(id)/\(action)", key: server.stationKey, idempotencyKey: "late-\(action)")
                #expect(late.status == 409)
                let settlement = try await client.call(.get, "/v1/settlements/\(id)", key: server.stationKey)
                #expect(settlement.body["status"] as? String == "expired", "\(action)")
                let coupon = try await client.call(.get, "/v1/coupons/\(couponID)", key: server.adminKey)
                #expect(coupon.body.amount("held") == 0, "\(action)")
                let again = try await client.raw(
                    .post, "/v1/settlements/\(id)/\(action)", key: server.stationKey, idempotencyKey: "late-\(action)")
                #expect(again == late)
            }
        }
        #expect(try await server.store.audit().isEmpty)
    }

    @Test("impossible dates are refused, leap days accepted")
    func strictDates() async throws {
        let server = try await TestServer()
        try await server.run { client in
            for date in [
                "2027-02-30", "2027-02-29", "2026-13-01", "2027-04-31", "2027-1-05", "2027-01-05x", "٢٠٢٧-٠١-٠١",
            ] {
                let response = try await client.call(
                    .post, "/v1/coupons", key: server.adminKey,
                    json: #"{"initial": {"amount": 100, "currency": "CNY"}, "expiry": {"date": "\#(date)"}}"#)
                #expect(response.status == 400 && response.body.errorCode() == "bad_expiry", "\(date)")
            }
            let leap = try await client.call(
                .post, "/v1/coupons", key: server.adminKey,
                json: #"{"initial": {"amount": 100, "currency": "CNY"}, "expiry": {"date": "2028-02-29"}}"#)
            #expect(leap.status == 201)
            #expect((leap.body["expires_at"] as? String)?.hasPrefix("2028-02-29") == true)
            let report = try await client.call(.get, "/v1/reports/daily?date=2027-02-30", key: server.adminKey)
            #expect(report.status == 400 && report.body.errorCode() == "bad_date")
        }
    }

    @Test("names, campaigns, references and reasons refuse control characters, as station names do")
    func controlCharacters() async throws {
        let server = try await TestServer()
        try await server.run { client in
            for name in [#"a\u0000b"#, #"line\nbreak"#, #"tab\there"#, #"bell\u0007"#, #"rtl\u202Eoverride"#] {
                let product = try await client.call(
                    .put, "/v1/products/GIFT-250", key: server.adminKey,
                    json: #"{"name": "\#(name)", "price": {"amount": 100, "currency": "CNY"}}"#)
                #expect(product.status == 400 && product.body.errorCode() == "bad_name", "\(name)")
                let campaign = try await client.call(
                    .post, "/v1/coupons", key: server.adminKey,
                    json: #"{"initial": {"amount": 100, "currency": "CNY"}, "campaign": "\#(name)"}"#)
                #expect(campaign.status == 400 && campaign.body.errorCode() == "bad_campaign", "\(name)")
            }
            let coupon = try await client.issue(100, adminKey: server.adminKey)
            let id = try #require(coupon["id"] as? String)
            let load = try await client.call(
                .post, "/v1/coupons/\(id)/load", key: server.adminKey,
                json: #"{"amount": {"amount": 1, "currency": "CNY"}, "reference": "x\u001B[2Jy"}"#)
            #expect(load.status == 400 && load.body.errorCode() == "bad_reference")
            let csv = try await client.raw(
                .post, "/v1/products/import", key: server.adminKey,
                json: "code,name,price,currency\nA1,bad\u{7}name,1.00,CNY\n")
            #expect(csv.status == 400)
            #expect(try await server.store.product(try ProductCode("GIFT-250"))?.name == "Gift box")
        }
    }

    @Test("the database, its WAL and shm, and a backup are mode 0600")
    func fileModes() async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("modes-\(SecureID.hex())")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let path = folder.appendingPathComponent("coupons.sqlite").path
        let store = try SQLiteCouponStore(path: path, hasher: CodeHasher(secret: CodeHasher.newSecret()))
        _ = try await store.issue(
            initial: Money(minorUnits: 100, currency: .cny), expiresAt: nil, actor: "test", now: Instant.now)
        try await store.backup(to: path + ".bak")
        for file in [path, path + "-wal", path + "-shm", path + ".bak"] {
            let mode = try FileManager.default.attributesOfItem(atPath: file)[.posixPermissions] as? Int
            #expect(mode == 0o600, "\(file): \(String(mode ?? 0, radix: 8))")
        }
    }
}
