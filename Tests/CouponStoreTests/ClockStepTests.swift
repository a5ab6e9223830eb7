import CouponCore
import CouponStore
import Foundation
import TestSupport
import Testing

/// Expiry is judged by the instants stored when a hold or coupon was made and the clock the
/// caller passes: a clock stepped back or forward (NTP, a VM resumed) neither releases a hold
/// early, keeps one past its time, nor expires a coupon twice.
@Suite("Clock steps: holds and coupons expire once, never early")
struct ClockStepTests {
    static let start = Instant(secondsSince1970: 1_800_000_000)

    static func store(_ kind: StoreKind) async throws -> any CouponStore {
        try await TestStores.make(kind, hasher: CodeHasher(secret: CodeHasher.newSecret()))
    }

    static func at(_ offset: Int64) -> Instant { Instant(secondsSince1970: start.secondsSince1970 + offset) }

    @Test(
        "a 60 s hold: not released by a clock stepped back or at 59 s, released once at 60 s, then stays released",
        arguments: StoreKind.allCases)
    func holds(kind: StoreKind) async throws {
        let store = try await Self.store(kind)
        try await store.putProduct(
            Product(code: try ProductCode("CAKE"), name: "Cake", price: try Money(parsing: "100", currency: .cny)))
        let coupon = try await store.issue(
            initial: try Money(parsing: "300", currency: .cny), expiresAt: nil, actor: "admin", now: Self.start)
        let held = try #require(
            try await store.settle(
                SettleRequest(
                    code: coupon.code, basket: try Basket([("CAKE", 1)]), station: "till-1", capture: false,
                    holdSeconds: 60), now: Self.start
            ).settlement)
        // Stepped back an hour, then forward to just before the end: nothing is released.
        #expect(try await store.releaseExpiredHolds(now: Self.at(-3600)) == 0)
        #expect(try await store.releaseExpiredHolds(now: Self.at(59)) == 0)
        #expect(try await store.settlement(id: held.id)?.status == .held)
        // A capture with the clock stepped back still finds the hold valid.
        // (Checked on a second hold below; this one is left to expire.)
        #expect(try await store.releaseExpiredHolds(now: Self.at(60)) == 1)
        #expect(try await store.settlement(id: held.id)?.status == .expired)
        // Back again: the hold does not come back, is not released twice, cannot be captured.
        #expect(try await store.releaseExpiredHolds(now: Self.at(-10)) == 0)
        #expect(try await store.releaseExpiredHolds(now: Self.at(3600)) == 0)
        await #expect(throws: SettlementError.holdExpired) {
            try await store.capture(settlementID: held.id, amount: nil, station: "till-1", now: Self.at(-10))
        }
        let second = try #require(
            try await store.settle(
                SettleRequest(
                    code: coupon.code, basket: try Basket([("CAKE", 1)]), station: "till-1", capture: false,
                    holdSeconds: 60), now: Self.at(100)
            ).settlement)
        // Captured with the clock stepped back before the hold was made: still within its time.
        let captured = try await store.capture(settlementID: second.id, amount: nil, station: "till-1", now: Self.at(0))
        #expect(captured.status == .captured)
        let ledger = try await store.ledger(couponID: coupon.record.id)
        #expect(ledger.filter { $0.kind == .release }.count == 1)
        #expect(try await store.coupon(id: coupon.record.id)?.snapshot.balance.minorUnits == 20000)
        #expect(try await store.audit().isEmpty)
    }

    @Test(
        "a coupon expires once at its instant, whichever way the clock steps afterwards", arguments: StoreKind.allCases)
    func coupons(kind: StoreKind) async throws {
        let store = try await Self.store(kind)
        let coupon = try await store.issue(
            initial: try Money(parsing: "300", currency: .cny), expiresAt: Self.at(86400), actor: "admin",
            now: Self.start)
        #expect(try await store.expireCoupons(now: Self.at(86399)) == 0)
        #expect(try await store.expireCoupons(now: Self.at(-86400)) == 0)
        #expect(try await store.expireCoupons(now: Self.at(86400)) == 1)
        #expect(try await store.expireCoupons(now: Self.at(100)) == 0)
        #expect(try await store.expireCoupons(now: Self.at(10 * 86400)) == 0)
        let ledger = try await store.ledger(couponID: coupon.record.id)
        #expect(ledger.filter { $0.kind == .expire }.count == 1)
        #expect(try await store.coupon(id: coupon.record.id)?.snapshot.state == .expired)
        #expect(try await store.audit().isEmpty)
    }
}
