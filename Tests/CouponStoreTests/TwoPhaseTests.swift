import CouponCore
import CouponStore
import Foundation
import TestSupport
import Testing

/// A coupon of 300.00 and a catalogue, on a store of either kind.
struct TwoPhaseFixture {
    static let now = Instant(secondsSince1970: 1_800_000_000)
    let store: any CouponStore
    let code: CouponCode
    let couponID: String

    init(_ kind: StoreKind) async throws {
        store = try await TestStores.make(kind, hasher: CodeHasher(secret: CodeHasher.newSecret()))
        try await store.putProduct(
            Product(code: try ProductCode("CAKE"), name: "Cake", price: try Money(parsing: "100", currency: .cny)))
        try await store.putProduct(
            Product(code: try ProductCode("MINT"), name: "Mint", price: try Money(parsing: "1", currency: .cny)))
        let issued = try await store.issue(
            initial: try Money(parsing: "300", currency: .cny), expiresAt: nil, actor: "admin", now: Self.now)
        code = issued.code
        couponID = issued.record.id
    }

    func hold(_ quantity: Int = 1, of product: String = "CAKE", station: String = "till-1", seconds: Int64 = 600)
        async throws -> SettlementRecord
    {
        let outcome = try await store.settle(
            SettleRequest(
                code: code, basket: try Basket([(product, quantity)]), station: station, capture: false,
                holdSeconds: seconds),
            now: Self.now)
        return try #require(outcome.settlement)
    }

    func balance() async throws -> (Int64, Int64) {
        let snapshot = try #require(try await store.coupon(id: couponID)).snapshot
        return (snapshot.balance.minorUnits, snapshot.held.minorUnits)
    }
}

@Suite("Two-phase settlements: hold, capture, void, expiry, on SQLite and PostgreSQL")
struct TwoPhaseTests {
    @Test(arguments: StoreKind.allCases) func holdThenCapture(kind: StoreKind) async throws {
        let f = try await TwoPhaseFixture(kind)
        let held = try await f.hold(2)
        #expect(held.status == .held)
        #expect(try await f.balance() == (30000, 20000))
        // Held money is not available to another settlement.
        let second = try await f.store.settle(
            SettleRequest(code: f.code, basket: try Basket([("CAKE", 2)]), station: "till-2"), now: TwoPhaseFixture.now)
        guard case .declined(.insufficientBalance) = second.decision else { Issue.record("expected decline"); return }
        let captured = try await f.store.capture(
            settlementID: held.id, amount: nil, station: "till-1", now: TwoPhaseFixture.now)
        #expect(captured.status == .captured)
        #expect(try await f.balance() == (10000, 0))
        #expect(try await f.store.audit().isEmpty)
        await #expect(throws: SettlementError.notHeld(.captured)) {
            try await f.store.capture(settlementID: held.id, amount: nil, station: "till-1", now: TwoPhaseFixture.now)
        }
    }

    @Test(arguments: StoreKind.allCases) func partialCaptureReleasesTheRest(kind: StoreKind) async throws {
        let f = try await TwoPhaseFixture(kind)
        let held = try await f.hold(2)
        let captured = try await f.store.capture(
            settlementID: held.id, amount: try Money(parsing: "150", currency: .cny), station: "till-1",
            now: TwoPhaseFixture.now)
        #expect(captured.charged.formatted == "150.00")
        #expect(try await f.balance() == (15000, 0))
        let kinds = try await f.store.ledger(couponID: f.couponID).map(\.kind)
        #expect(kinds == [.issue, .hold, .capture, .release])
        #expect(try await f.store.audit().isEmpty)
    }

    @Test(arguments: StoreKind.allCases) func captureMoreThanHeldIsRefused(kind: StoreKind) async throws {
        let f = try await TwoPhaseFixture(kind)
        let held = try await f.hold(1)
        await #expect(
            throws: SettlementError.exceedsHold(
                held: try Money(parsing: "100", currency: .cny), requested: try Money(parsing: "100.01", currency: .cny)
            )
        ) {
            try await f.store.capture(
                settlementID: held.id, amount: try Money(parsing: "100.01", currency: .cny), station: "till-1",
                now: TwoPhaseFixture.now)
        }
        #expect(try await f.balance() == (30000, 10000))
    }

    @Test(arguments: StoreKind.allCases) func voidReleases(kind: StoreKind) async throws {
        let f = try await TwoPhaseFixture(kind)
        let held = try await f.hold(3)
        let voided = try await f.store.void(settlementID: held.id, station: "till-1", now: TwoPhaseFixture.now)
        #expect(voided.status == .voided)
        #expect(try await f.balance() == (30000, 0))
        #expect(try await f.store.audit().isEmpty)
    }

    @Test(arguments: StoreKind.allCases) func anotherStationCannotTouchIt(kind: StoreKind) async throws {
        let f = try await TwoPhaseFixture(kind)
        let held = try await f.hold(1)
        await #expect(throws: SettlementError.otherStation) {
            try await f.store.capture(settlementID: held.id, amount: nil, station: "till-9", now: TwoPhaseFixture.now)
        }
        await #expect(throws: SettlementError.notFound) {
            try await f.store.void(settlementID: "stl_nope", station: "till-1", now: TwoPhaseFixture.now)
        }
    }

    @Test(arguments: StoreKind.allCases) func expiredHoldsAreReleasedAndCannotBeCaptured(kind: StoreKind) async throws {
        let f = try await TwoPhaseFixture(kind)
        let held = try await f.hold(1, seconds: 60)
        let later = Instant(secondsSince1970: TwoPhaseFixture.now.secondsSince1970 + 61)
        await #expect(throws: SettlementError.holdExpired) {
            try await f.store.capture(settlementID: held.id, amount: nil, station: "till-1", now: later)
        }
        #expect(try await f.store.settlement(id: held.id)?.status == .expired)
        #expect(try await f.balance() == (30000, 0))
        let another = try await f.hold(1, seconds: 60)
        #expect(try await f.store.releaseExpiredHolds(now: later) == 1)
        #expect(try await f.store.settlement(id: another.id)?.status == .expired)
        #expect(try await f.store.audit().isEmpty)
    }

    @Test("capture, void and expiry racing on one hold: exactly one wins", arguments: StoreKind.allCases)
    func race(kind: StoreKind) async throws {
        let f = try await TwoPhaseFixture(kind)
        for _ in 0..<20 {
            let held = try await f.hold(1, of: "MINT", seconds: 600)
            let expiry = Instant(secondsSince1970: TwoPhaseFixture.now.secondsSince1970 + 600)
            let store = f.store
            let wins = try await withThrowingTaskGroup(of: Int.self) { group in
                group.addTask {
                    (try? await f.store.capture(
                        settlementID: held.id, amount: nil, station: "till-1", now: TwoPhaseFixture.now))
                        == nil ? 0 : 1
                }
                group.addTask {
                    (try? await f.store.void(settlementID: held.id, station: "till-1", now: TwoPhaseFixture.now)) == nil
                        ? 0 : 1
                }
                group.addTask { try await f.store.releaseExpiredHolds(now: expiry) }
                var total = 0
                for try await win in group { total += win }
                return total
            }
            #expect(wins == 1)
        }
        let (balance, held) = try await f.balance()
        #expect(held == 0)
        #expect(balance <= 30000)
        #expect(try await f.store.audit().isEmpty)
    }
}
