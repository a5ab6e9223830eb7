import CouponCore
import CouponStore
import Foundation
import TestSupport
import Testing

/// The administrative calls and reports, run the same way on both stores: the same answers.
@Suite("Administration and reports on SQLite and PostgreSQL")
struct AdminParityTests {
    static let now = Instant(secondsSince1970: 1_800_000_000)
    static func cny(_ text: String) throws -> Money { try Money(parsing: text, currency: .cny) }
    static let plain: @Sendable (CouponRecord) throws -> StoredResponse = { _ in StoredResponse(status: 200, body: []) }

    @Test(
        "issue a batch, load, adjust, block, reissue, refund, expire: balances, ledger and reports agree",
        arguments: StoreKind.allCases)
    func lifecycle(kind: StoreKind) async throws {
        let store = try await TestStores.make(kind, hasher: CodeHasher(secret: CodeHasher.newSecret()))
        try await store.putProducts([
            Product(code: try ProductCode("CAKE"), name: "蛋糕", price: try Self.cny("100.00")),
            Product(code: try ProductCode("TEA"), name: "Tea", price: try Self.cny("10.00")),
        ])
        #expect(try await store.products(after: nil, limit: 10).map(\.code.value) == ["CAKE", "TEA"])
        #expect(try await store.products(after: "CAKE", limit: 10).map(\.code.value) == ["TEA"])
        let batch = try await store.issue(
            [
                IssueRequest(initial: try Self.cny("300.00"), campaign: "spring", phone: "+8613800000000"),
                IssueRequest(initial: try Self.cny("50.00"), expiresAt: Instant(secondsSince1970: 1_800_086_400)),
                IssueRequest(initial: try Self.cny("20.00"), campaign: "spring"),
            ], actor: "admin:ops", now: Self.now, idempotency: nil,
            render: { _ in StoredResponse(status: 201, body: []) })
        guard case .fresh(let issued, _) = batch else { Issue.record("replayed"); return }
        #expect(issued.count == 3)
        let (a, b, c) = (issued[0], issued[1], issued[2])
        #expect(try await store.coupon(code: a.code)?.campaign == "spring")
        #expect(try await store.coupon(id: b.record.id)?.snapshot.expiresAt == Instant(secondsSince1970: 1_800_086_400))

        // Over the limit: the whole batch is refused, nothing issued.
        let before = try await store.liability(asOf: nil)
        await #expect(throws: (any Error).self) {
            _ = try await store.issue(
                [
                    IssueRequest(initial: try Self.cny("1.00")),
                    IssueRequest(initial: Money(minorUnits: .max, currency: .cny)),
                ],
                actor: "admin", now: Self.now, idempotency: nil, render: { _ in StoredResponse(status: 201, body: []) })
        }
        #expect(try await store.liability(asOf: nil) == before)
        #expect(before["CNY"] == 37000)

        _ = try await store.load(
            couponID: a.record.id, amount: try Self.cny("25.00"), reference: "order-7", actor: "admin", now: Self.now,
            idempotency: nil, render: Self.plain)
        _ = try await store.adjust(
            couponID: a.record.id, amount: Money(minorUnits: -500, currency: .cny), reason: "typo", actor: "admin",
            now: Self.now,
            idempotency: nil, render: Self.plain)
        await #expect(throws: AdminError.self) {
            _ = try await store.adjust(
                couponID: a.record.id, amount: Money(minorUnits: -100_000, currency: .cny), reason: "x", actor: "admin",
                now: Self.now,
                idempotency: nil, render: Self.plain)
        }
        await #expect(throws: AdminError.currencyMismatch(coupon: "CNY", given: "USD")) {
            _ = try await store.load(
                couponID: a.record.id, amount: Money(minorUnits: 100, currency: try Currency(code: "USD")),
                reference: "r", actor: "admin", now: Self.now, idempotency: nil, render: Self.plain)
        }
        await #expect(throws: AdminError.couponNotFound) {
            _ = try await store.setBlocked(
                couponID: "cpn_none", blocked: true, actor: "admin", now: Self.now, idempotency: nil,
                render: Self.plain)
        }
        #expect(try await store.coupon(id: a.record.id)?.snapshot.balance.formatted == "320.00")

        // Blocked: declined; unblocked: settles.
        _ = try await store.setBlocked(
            couponID: a.record.id, blocked: true, actor: "admin", now: Self.now, idempotency: nil, render: Self.plain)
        let blocked = try await store.settle(
            SettleRequest(code: a.code, basket: try Basket([("CAKE", 1)]), station: "till-1"), now: Self.now)
        #expect(blocked.decision == .declined(.blocked))
        _ = try await store.setBlocked(
            couponID: a.record.id, blocked: false, actor: "admin", now: Self.now, idempotency: nil, render: Self.plain)
        let sale = try await store.settle(
            SettleRequest(code: a.code, basket: try Basket([("CAKE", 2), ("TEA", 3)]), station: "till-1"),
            now: Self.now)
        let settlement = try #require(sale.settlement)
        #expect(settlement.lines.map(\.product.code.value) == ["CAKE", "TEA"])
        #expect(try await store.settlement(id: settlement.id) == settlement.withRefunded(0))

        // Refund one cake and one tea; then too many teas is refused.
        let refunded = try await store.refund(
            settlementID: settlement.id, lines: [(try ProductCode("CAKE"), 1), (try ProductCode("TEA"), 1)],
            actor: "admin", now: Self.now, idempotency: nil, render: { _ in StoredResponse(status: 200, body: []) })
        guard case .fresh(let afterRefund, _) = refunded else { Issue.record("replayed"); return }
        #expect(afterRefund.status == .partiallyRefunded)
        #expect(afterRefund.refunded?.formatted == "110.00")
        await #expect(throws: AdminError.self) {
            _ = try await store.refund(
                settlementID: settlement.id, lines: [(try ProductCode("TEA"), 3)], actor: "admin", now: Self.now,
                idempotency: nil, render: { _ in StoredResponse(status: 200, body: []) })
        }
        #expect(try await store.coupon(id: a.record.id)?.snapshot.balance.formatted == "200.00")

        // Reissue: the old code stops working, the new one works, the balance stays.
        let reissued = try await store.reissue(
            couponID: a.record.id, actor: "admin", now: Self.now, idempotency: nil,
            render: { _ in StoredResponse(status: 200, body: []) })
        guard case .fresh(let fresh, _) = reissued else { Issue.record("replayed"); return }
        #expect(try await store.coupon(code: a.code) == nil)
        #expect(try await store.coupon(code: fresh.code)?.snapshot.balance.formatted == "200.00")
        #expect(fresh.record.lastFour == fresh.code.lastFour)

        // Expiry: b expires once, its balance leaves as breakage.
        let later = Instant(secondsSince1970: 1_800_086_400)
        #expect(try await store.expireCoupons(now: later) == 1)
        #expect(try await store.expireCoupons(now: later) == 0)
        #expect(try await store.coupon(id: b.record.id)?.snapshot.state == .expired)

        let kinds = try await store.ledger(couponID: a.record.id).map(\.kind)
        #expect(kinds == [.issue, .load, .adjust, .block, .unblock, .hold, .capture, .refund, .reissue])
        #expect(try await store.liability(asOf: nil)["CNY"] == 20000 + 2000)
        #expect(try await store.liability(asOf: Self.now)["CNY"] == 20000 + 5000 + 2000)
        let spring = try #require(try await store.campaign("spring").first)
        #expect(spring.coupons == 2)
        #expect(spring.issued == 32000)
        #expect(spring.loaded == 2500)
        #expect(spring.adjusted == -500)
        #expect(spring.redeemed == 23000 - 11000)
        #expect(spring.outstanding == 22000)
        let day = try await store.daily(
            from: Instant(secondsSince1970: Self.now.secondsSince1970 - 10),
            to: Instant(secondsSince1970: Self.now.secondsSince1970 + 10), station: nil)
        #expect(day.map(\.station) == ["till-1"])
        #expect(day.first?.captured == 23000)
        #expect(day.first?.refunded == 11000)
        #expect(day.first?.settlements == 1)
        #expect(try await store.daily(from: Self.now, to: later, station: "till-9").isEmpty)
        let export = try await store.export(since: Self.now, after: 0, limit: 1000)
        #expect(export.count == 3 + 8 + 1)  // three issues, a's eight changes, b's expiry
        #expect(export.map(\.seq) == export.map(\.seq).sorted())
        let page = try await store.export(since: Self.now, after: export[4].seq, limit: 3)
        #expect(page.map(\.seq) == Array(export[5..<8]).map(\.seq))
        let holds = try await store.openHolds()
        #expect(holds.count == 0)
        #expect(try await store.audit().isEmpty)
        #expect(c.record.snapshot.balance.formatted == "20.00")
    }

    @Test("keys: create, find, list, name once, revoke", arguments: StoreKind.allCases)
    func keys(kind: StoreKind) async throws {
        let store = try await TestStores.make(kind, hasher: CodeHasher(secret: CodeHasher.newSecret()))
        #expect(try await store.keyCount() == 0)
        let (key, principal) = try await store.createKey(role: .station, station: "till-1", now: Self.now)
        #expect(try await store.principal(forKey: key) == principal)
        #expect(try await store.principal(forKey: key + "x") == nil)
        let render: @Sendable (String, Principal) throws -> StoredResponse = { key, _ in
            StoredResponse(status: 201, body: Array(key.utf8))
        }
        let idempotency = IdempotencyKey(scope: "admin", key: "k1", requestHash: "h")
        let first = try await store.createKey(
            role: .admin, station: nil, name: "ops", now: Self.now, idempotency: idempotency, render: render)
        let again = try await store.createKey(
            role: .admin, station: nil, name: "ops", now: Self.now, idempotency: idempotency, render: render)
        #expect(first.response == again.response)
        let adminKey = String(decoding: first.response.body, as: UTF8.self)
        #expect(try await store.principal(forKey: adminKey)?.name == "ops")
        await #expect(throws: AdminError.self) {
            _ = try await store.createKey(
                role: .admin, station: nil, name: "ops", now: Self.now, idempotency: nil, render: render)
        }
        #expect(try await store.keyCount() == 2)
        #expect(try await store.revokeKey(id: principal.keyID, now: Self.now))
        #expect(try await store.revokeKey(id: principal.keyID, now: Self.now) == false)
        #expect(try await store.principal(forKey: key) == nil)
        let listed = try await store.keys()
        #expect(listed.count == 2)
        #expect(listed.first { $0.id == principal.keyID }?.revokedAt == Self.now)
        #expect(listed.first { $0.id != principal.keyID }?.name == "ops")
    }

    @Test("idempotency: replay, reuse with another request, stored response, purge", arguments: StoreKind.allCases)
    func idempotency(kind: StoreKind) async throws {
        let store = try await TestStores.make(kind, hasher: CodeHasher(secret: CodeHasher.newSecret()))
        try await store.putProduct(Product(code: try ProductCode("TEA"), name: "Tea", price: try Self.cny("10.00")))
        let coupon = try await store.issue(initial: try Self.cny("100.00"), expiresAt: nil, actor: "a", now: Self.now)
        let key = IdempotencyKey(scope: "till-1", key: "sale-1", requestHash: "r1")
        let render: @Sendable (SettlementOutcome) throws -> StoredResponse = { outcome in
            StoredResponse(status: 201, body: Array((outcome.settlement?.id ?? "none").utf8))
        }
        let request = SettleRequest(code: coupon.code, basket: try Basket([("TEA", 1)]), station: "till-1")
        let first = try await store.settle(request, now: Self.now, idempotency: key, render: render)
        for _ in 0..<5 {
            let retry = try await store.settle(request, now: Self.now, idempotency: key, render: render)
            guard case .replay(let response) = retry else { Issue.record("settled twice"); return }
            #expect(response == first.response)
        }
        await #expect(throws: IdempotencyKeyReused.self) {
            _ = try await store.settle(
                request, now: Self.now, idempotency: IdempotencyKey(scope: "till-1", key: "sale-1", requestHash: "r2"),
                render: render)
        }
        #expect(try await store.storedResponse(scope: "till-1", key: "sale-1") == first.response)
        #expect(try await store.storedResponse(scope: "till-2", key: "sale-1") == nil)
        #expect(try await store.coupon(id: coupon.record.id)?.snapshot.balance.formatted == "90.00")
        #expect(
            try await store.purgeIdempotencyKeys(before: Instant(secondsSince1970: Self.now.secondsSince1970 + 1)) == 1)
        #expect(try await store.storedResponse(scope: "till-1", key: "sale-1") == nil)
    }
}

extension SettlementRecord {
    /// As read back: the refunded amount is known (zero) once stored.
    func withRefunded(_ minorUnits: Int64) -> SettlementRecord {
        var copy = self
        copy.refunded = Money(minorUnits: minorUnits, currency: total.currency)
        return copy
    }
}
