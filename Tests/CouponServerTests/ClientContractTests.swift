import AsyncHTTPClient
import CouponAPI
import CouponClient
import CouponCore
import Foundation
import TestSupport
import Testing

/// CouponClient against the real server: each documented error code arrives as its typed case,
/// and a settlement whose answer is lost is retried under its key and charged once.
@Suite("API client: typed errors and retries against the real server")
struct ClientContractTests {
    /// Runs `body` with an HTTP client (shut down after) and the live server's port.
    static func withClient(
        _ server: TestServer, _ body: @escaping @Sendable (HTTPClient, Int) async throws -> Void
    ) async throws {
        try await server.run { client in
            let port = try #require(client.client.port)
            try await withHTTPClient(caFile: nil) { http in try await body(http, port) }
        }
    }

    /// The code of a failed call, or nil when it did not fail with the API's error body.
    struct Failure: Equatable {
        var status: Int
        var code: ErrorCode
        init(_ status: Int, _ code: ErrorCode) {
            self.status = status
            self.code = code
        }
    }

    static func code(_ call: () async throws -> some Any) async -> Failure? {
        do {
            _ = try await call()
            return nil
        } catch let error as APIClientError {
            guard case .api(let status, let body) = error else { return nil }
            return Failure(status, body.error.code)
        } catch {
            return nil
        }
    }

    @Test("the station's calls: declines, refusals and lookups arrive as typed codes")
    func stationCodes() async throws {
        let server = try await TestServer()
        try await Self.withClient(server) { http, port in
            let url = "http://127.0.0.1:\(port)"
            let admin = AdminAPI(APIClient(http: http, baseURL: url, key: server.adminKey))
            let station = StationAPI(APIClient(http: http, baseURL: url, key: server.stationKey))
            let other = StationAPI(APIClient(http: http, baseURL: url, key: server.otherStationKey))
            let stranger = StationAPI(APIClient(http: http, baseURL: url, key: "sk_not_a_key"))
            let coupon = try await admin.issue(IssueBody(initial: Amount(amount: 30000, currency: "CNY")))
            let code = try #require(coupon.code)
            let cake = [BasketItem(productCode: "6901234567892", quantity: 1)]
            func key() -> String { APIClient.newIdempotencyKey(prefix: "test") }

            let held = try await station.hold(couponCode: code, items: cake, idempotencyKey: key())
            #expect(held.status == "held" && held.charged.amount == 10000)
            #expect(await Self.code { try await other.settlement(id: held.id) } == Failure(403, .forbidden))
            #expect(
                await Self.code {
                    try await station.capture(
                        settlementID: held.id, amount: Amount(amount: 20000, currency: "CNY"), idempotencyKey: key())
                }
                    == Failure(422, .captureExceedsHold))
            let captured = try await station.capture(settlementID: held.id, idempotencyKey: key())
            #expect(captured.status == "captured" && captured.balanceAfter.amount == 20000)
            #expect(
                await Self.code { try await station.void(settlementID: held.id, idempotencyKey: key()) }
                    == Failure(409, .settlementNotHeld))
            #expect(await Self.code { try await station.settlement(id: "stl_0000") } == Failure(404, .notFound))

            let big = [BasketItem(productCode: "GIFT-250", quantity: 1)]
            do {
                _ = try await station.hold(couponCode: code, items: big, idempotencyKey: key())
                Issue.record("a 250.00 basket on 200.00 was held")
            } catch let error as APIClientError {
                guard case .api(402, let body) = error else { throw error }
                #expect(body.error.code == .insufficientBalance && body.error.code.isDecline)
                #expect(body.balance == Amount(amount: 20000, currency: "CNY"))
            }
            do {
                _ = try await station.hold(
                    couponCode: code, items: [BasketItem(productCode: "NO-SUCH", quantity: 1)],
                    idempotencyKey: key())
                Issue.record("an unknown product was priced")
            } catch let error as APIClientError {
                guard case .api(422, let body) = error else { throw error }
                #expect(body.error.code == .unknownProduct && body.unknownProducts == ["NO-SUCH"])
            }
            #expect(
                await Self.code { try await station.hold(couponCode: "not-a-code", items: cake, idempotencyKey: key()) }
                    == Failure(400, .invalidCode))
            #expect(
                await Self.code { try await station.hold(couponCode: code, items: [], idempotencyKey: key()) }
                    == Failure(400, .badBasket))
            #expect(await Self.code { try await stranger.lookup(code: code) } == Failure(401, .unauthorized))
            #expect(await Self.code { try await station.lookup(code: "K7QF-2M9X") } == Failure(404, .notFound))
            _ = try await admin.setBlocked(couponID: coupon.id, true)
            #expect(
                await Self.code { try await station.hold(couponCode: code, items: cake, idempotencyKey: key()) }
                    == Failure(402, .blocked))
            #expect(await Self.code { try await station.holdOutcome(idempotencyKey: "never-sent") } == nil)
            #expect(try await station.holdOutcome(idempotencyKey: "never-sent") == nil)
        }
    }

    @Test("the admin's calls: every 4xx family arrives as its typed code")
    func adminCodes() async throws {
        let server = try await TestServer()
        try await Self.withClient(server) { http, port in
            let url = "http://127.0.0.1:\(port)"
            let admin = AdminAPI(APIClient(http: http, baseURL: url, key: server.adminKey))
            let station = AdminAPI(APIClient(http: http, baseURL: url, key: server.stationKey))
            let cny = { (minor: Int64) in Amount(amount: minor, currency: "CNY") }
            let coupon = try await admin.issue(IssueBody(initial: cny(30000)))
            #expect(await Self.code { try await station.audit() } == Failure(403, .forbidden))
            #expect(await Self.code { try await admin.issue(IssueBody(initial: cny(0))) } == Failure(400, .badAmount))
            #expect(
                await Self.code { try await admin.issue(IssueBody(initial: cny(100_000_001))) }
                    == Failure(422, .overLimit))
            #expect(
                await Self.code {
                    try await admin.issue(IssueBody(initial: cny(100), expiry: Expiry(date: "2027-02-30")))
                }
                    == Failure(400, .badExpiry))
            #expect(
                await Self.code { try await admin.issue(IssueBody(initial: cny(100), phone: "12345")) }
                    == Failure(400, .badPhone))
            #expect(
                await Self.code { try await admin.issue(batch: BatchBody(count: 0, initial: cny(100))) }
                    == Failure(400, .badBatch))
            #expect(await Self.code { try await admin.issue(batch: BatchBody()) } == Failure(400, .missingField))
            #expect(await Self.code { try await admin.addStation(name: "till 9!") } == Failure(400, .badName))
            #expect(
                await Self.code {
                    try await admin.load(couponID: coupon.id, LoadBody(amount: cny(100), reference: " "))
                }
                    == Failure(400, .badReference))
            #expect(
                await Self.code {
                    try await admin.load(
                        couponID: coupon.id, LoadBody(amount: Amount(amount: 100, currency: "USD"), reference: "x"))
                } == Failure(422, .currencyMismatch))
            #expect(
                await Self.code {
                    try await admin.adjust(couponID: coupon.id, AdjustBody(amount: cny(-40000), reason: "x"))
                }
                    == Failure(422, .adjustmentTooLarge))
            #expect(await Self.code { try await admin.coupon(id: "cpn_0000") } == Failure(404, .notFound))
            #expect(await Self.code { try await admin.campaign("nobody") } == Failure(404, .notFound))
            #expect(
                await Self.code { try await admin.daily(date: "2026-13-01", station: nil) } == Failure(400, .badDate))
            #expect(await Self.code { try await admin.products(after: nil, limit: 0) } == Failure(400, .badLimit))
            #expect(
                await Self.code {
                    try await admin.refund(
                        settlementID: "stl_0000", lines: [BasketItem(productCode: "GIFT-250", quantity: 1)])
                }
                    == Failure(404, .settlementNotFound))
            #expect(
                await Self.code { try await admin.importProducts(csv: Array("code,name\n".utf8)) }
                    == Failure(400, .badCSV))
            _ = try await admin.setBlocked(couponID: coupon.id, true)
            #expect(
                await Self.code { try await admin.setBlocked(couponID: coupon.id, true) } == Failure(409, .wrongState))
            // One key, two different requests: the second is refused, never run.
            let key = APIClient.newIdempotencyKey()
            _ = try await admin.issue(IssueBody(initial: cny(100)), idempotencyKey: key)
            #expect(
                await Self.code { try await admin.issue(IssueBody(initial: cny(200)), idempotencyKey: key) }
                    == Failure(422, .idempotencyKeyReused))
            // Totals past 64 bits do not apply here, but the report decodes as the type says.
            let liability = try await admin.liability(asOf: nil)
            #expect(liability.outstanding == [Total(amount: 30000 + 100, currency: "CNY")])
        }
    }

    @Test("the rest a client can provoke: unknown coupon, bad JSON and keys, wrong method, too large, rate limits")
    func moreCodes() async throws {
        let server = try await TestServer()
        try await Self.withClient(server) { http, port in
            let url = "http://127.0.0.1:\(port)"
            let adminClient = APIClient(http: http, baseURL: url, key: server.adminKey)
            let admin = AdminAPI(adminClient)
            let station = StationAPI(APIClient(http: http, baseURL: url, key: server.stationKey))
            let cny = { (minor: Int64) in Amount(amount: minor, currency: "CNY") }
            let cake = [BasketItem(productCode: "6901234567892", quantity: 1)]
            let coupon = try await admin.issue(IssueBody(initial: cny(30000)))
            let key = { APIClient.newIdempotencyKey(prefix: "test") }
            #expect(
                await Self.code {
                    try await station.hold(couponCode: CouponCode.generate().value, items: cake, idempotencyKey: key())
                } == Failure(402, .unknownCoupon))
            #expect(
                await Self.code { try await admin.issue(IssueBody(initial: cny(100), campaign: "")) }
                    == Failure(400, .badCampaign))
            #expect(
                await Self.code { try await admin.load(couponID: "cpn_0000", LoadBody(amount: cny(1), reference: "x")) }
                    == Failure(404, .couponNotFound))
            let settled = try await station.settle(
                couponCode: try #require(coupon.code), items: cake, idempotencyKey: key())
            #expect(
                await Self.code {
                    try await admin.refund(
                        settlementID: settled.id, lines: [BasketItem(productCode: "6901234567892", quantity: 2)])
                }
                    == Failure(422, .refundTooLarge))
            #expect(
                await Self.code {
                    try await admin.refund(
                        settlementID: settled.id, lines: [BasketItem(productCode: "6901234567892", quantity: 0)])
                }
                    == Failure(400, .badQuantity))
            #expect(
                await Self.code {
                    try await adminClient.send(.post, "/v1/coupons", bytes: Array("{".utf8), idempotencyKey: key())
                }
                    == Failure(400, .malformedJSON))
            #expect(
                await Self.code {
                    try await adminClient.send(.post, "/v1/coupons/\(coupon.id)/block", idempotencyKey: "two words")
                }
                    == Failure(400, .badIdempotencyKey))
            #expect(
                await Self.code { try await adminClient.send(.put, "/v1/audit") } == Failure(405, .methodNotAllowed))
            let huge = [UInt8](repeating: UInt8(ascii: "a"), count: 17 << 20)
            #expect(await Self.code { try await admin.importProducts(csv: huge) } == Failure(413, .tooLarge))
            var limited: Failure? = nil
            for _ in 0..<40 where limited == nil {
                let failure = await Self.code { try await station.lookup(code: CouponCode.generate().value) }
                if failure?.status == 429 { limited = failure }
            }
            #expect(limited == Failure(429, .rateLimited))
        }
    }

    @Test("a connection refused is a typed transport error, and is retried")
    func refused() async throws {
        try await withHTTPClient(caFile: nil, connect: .seconds(2)) { http in
            var client = APIClient(http: http, baseURL: "http://127.0.0.1:9", key: "k")
            client.retry = RetryPolicy(attempts: 2, base: .milliseconds(10))
            do {
                _ = try await AdminAPI(client).audit()
                Issue.record("a closed port answered")
            } catch let error as APIClientError {
                guard case .transport(let kind, _) = error else { throw error }
                #expect(kind == .refused)
            }
        }
    }

    @Test("the connection dies after the server settled: the client retries under its key, charged once")
    func lostAnswer() async throws {
        let server = try await TestServer()
        try await Self.withClient(server) { http, port in
            let proxy = try DroppingProxy(upstream: port)
            defer { proxy.close() }
            let direct = "http://127.0.0.1:\(port)"
            let admin = AdminAPI(APIClient(http: http, baseURL: direct, key: server.adminKey))
            var client = APIClient(http: http, baseURL: "http://127.0.0.1:\(proxy.port)", key: server.stationKey)
            client.retry = RetryPolicy(attempts: 3, base: .milliseconds(20))
            let station = StationAPI(client)
            let coupon = try await admin.issue(IssueBody(initial: Amount(amount: 30000, currency: "CNY")))
            let cake = [BasketItem(productCode: "6901234567892", quantity: 1)]

            proxy.dropNextAnswers(1)
            let key = APIClient.newIdempotencyKey(prefix: "till")
            let settled = try await station.settle(
                couponCode: try #require(coupon.code), items: cake, idempotencyKey: key)
            #expect(proxy.dropped == 1, "the first answer was to be lost")
            #expect(settled.status == "captured" && settled.balanceAfter.amount == 20000)

            proxy.dropNextAnswers(1)
            let held = try await station.hold(
                couponCode: try #require(coupon.code), items: cake, idempotencyKey: key + "-2")
            proxy.dropNextAnswers(1)
            let captured = try await station.capture(settlementID: held.id, idempotencyKey: key + "-3")
            #expect(proxy.dropped == 3)
            #expect(captured.balanceAfter.amount == 10000)

            let after = try await admin.coupon(id: coupon.id)
            #expect(after.balance.amount == 10000 && after.held.amount == 0)
            let kinds = try await admin.ledger(couponID: coupon.id).entries.map(\.kind)
            #expect(kinds.filter { $0 == "capture" }.count == 2, "\(kinds)")
            #expect(try await admin.audit().ok)
        }
    }
}
