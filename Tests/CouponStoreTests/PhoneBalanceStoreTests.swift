import CouponCore
import CouponStore
import Foundation
import SignedState
import TestSupport
import Testing

/// The patent's first embodiment in the store: a coupon whose balance goes back to the phone,
/// signed, after every change, through an outbox written in the change's transaction. The same on
/// both stores.
@Suite("Balance on the phone: signed states and the outbox, on SQLite and PostgreSQL")
struct PhoneBalanceStoreTests {
    static let now = Instant(secondsSince1970: 1_800_000_000)
    static func money(_ text: String) throws -> Money { try Money(parsing: text, currency: .cny) }
    static func cny(_ minorUnits: Int64) -> Money { Money(minorUnits: minorUnits, currency: .cny) }

    struct Fixture {
        let store: any CouponStore
        let ring: KeyRing
        let code: CouponCode
        let id: String
        let first: SignedBalance

        init(_ kind: StoreKind, ring: KeyRing = .generate()) async throws {
            self.ring = ring
            store = try await TestStores.make(
                kind, hasher: CodeHasher(secret: CodeHasher.newSecret()), phoneStates: PhoneStates(ring: ring))
            for (code, name, price) in [("6901234567892", "Cake", "100"), ("CANDLES", "Candles", "6"), ("TEA", "Tea", "10")] {
                try await store.putProduct(Product(code: try ProductCode(code), name: name, price: try money(price)))
            }
            let issued = try await store.issue(
                [IssueRequest(initial: try money("300"), phone: "+8613800000000", balanceOnPhone: true)],
                actor: "admin", now: now, idempotency: nil, render: { _ in StoredResponse(status: 201, body: []) })
            guard case .fresh(let coupons, _) = issued else { throw CancellationError() }
            code = coupons[0].code
            id = coupons[0].record.id
            first = try #require(coupons[0].record.signedBalance)
        }

        func sell(_ product: String, presenting state: SignedBalance?, station: String = "till-1") async throws
            -> SettlementOutcome
        {
            let presented = try state.map { try StateToken.verify($0.token, keys: ring) }
            return try await store.settle(
                SettleRequest(
                    code: code, basket: try Basket([(product, 1)]), station: station, presentedState: presented),
                now: now)
        }
    }

    @Test("the patent's example: 300.00, the cake, a stale state settles against the true balance, 250.00 declined",
        arguments: StoreKind.allCases)
    func patentStory(kind: StoreKind) async throws {
        let f = try await Fixture(kind)
        let issued = try StateToken.verify(f.first.token, keys: f.ring)
        #expect(issued.balance == Self.cny(30000) && issued.sequence == 1 && issued.couponID == f.id)
        // Issuing sends nothing through the outbox: couponctl delivers the first message itself.
        #expect(try await f.store.pendingOutbox() == 0)

        let cake = try await f.sell("6901234567892", presenting: f.first)
        let second = try #require(cake.signedBalance)
        #expect(cake.settlement != nil && !cake.staleState)
        let state2 = try StateToken.verify(second.token, keys: f.ring)
        #expect(state2.balance == Self.cny(20000) && state2.sequence == 2)

        // The outbox holds the new state with the coupon's code, for the phone.
        #expect(try await f.store.pendingOutbox() == 1)

        // The old QR (state 1) still settles online, against the provider's own balance.
        let tea = try await f.sell("TEA", presenting: f.first)
        #expect(tea.staleState && tea.settlement != nil)
        let state3 = try StateToken.verify(try #require(tea.signedBalance).token, keys: f.ring)
        #expect(state3.balance == Self.cny(19000) && state3.sequence == 3)

        // A phone needs only its newest state: the pending state 2 was superseded.
        let claimed = try await f.store.claimOutbox(limit: 10, leaseSeconds: 60, now: Self.now)
        #expect(claimed.count == 1)
        let message = try #require(claimed.first)
        #expect(message.code == f.code && message.state.sequence == 3 && message.balance == Self.cny(19000))
        #expect(message.phone == "+8613800000000")
        // Claimed: another deliverer gets nothing until the lease runs out.
        #expect(try await f.store.claimOutbox(limit: 10, leaseSeconds: 60, now: Self.now).isEmpty)
        #expect(try await f.store.markDelivered(ids: [message.id], now: Self.now) == 1)
        #expect(try await f.store.markDelivered(ids: [message.id], now: Self.now) == 0)
        #expect(try await f.store.pendingOutbox() == 0)

        // The gift box (250.00 > 190.00) is declined; nothing changes, nothing is sent.
        try await f.store.putProduct(
            Product(code: try ProductCode("GIFTBOX"), name: "Gift box", price: try Self.money("250")))
        let gift = try await f.sell("GIFTBOX", presenting: tea.signedBalance)
        guard case .declined(.insufficientBalance) = gift.decision else { Issue.record("\(gift.decision)"); return }
        #expect(gift.signedBalance?.sequence == 3 && !gift.staleState)
        #expect(try await f.store.coupon(id: f.id)?.snapshot.balance == Self.cny(19000))
        #expect(try await f.store.coupon(id: f.id)?.signedBalance?.sequence == 3)
        #expect(try await f.store.pendingOutbox() == 0)
        #expect(try await f.store.audit().isEmpty)
    }

    @Test("every change to the balance sends the next state: hold, capture, void, load, adjust, refund, reissue",
        arguments: StoreKind.allCases)
    func everyChange(kind: StoreKind) async throws {
        let f = try await Fixture(kind)
        let plain: @Sendable (CouponRecord) throws -> StoredResponse = { _ in StoredResponse(status: 200, body: []) }
        var sequence: UInt32 = 1
        func expectNext(_ balance: String, _ note: Comment) async throws {
            sequence += 1
            let record = try #require(try await f.store.coupon(id: f.id))
            let state = try StateToken.verify(try #require(record.signedBalance).token, keys: f.ring)
            #expect(state.sequence == sequence, note)
            #expect(state.balance == (try Self.money(balance)), note)
        }
        let hold = try await f.store.settle(
            SettleRequest(code: f.code, basket: try Basket([("TEA", 1)]), station: "till-1", capture: false), now: Self.now)
        try await expectNext("290", "a hold takes from what is available")
        let held = try #require(hold.settlement)
        _ = try await f.store.void(settlementID: held.id, station: "till-1", now: Self.now)
        try await expectNext("300", "a void gives it back")
        _ = try await f.store.load(
            couponID: f.id, amount: try Self.money("50"), reference: "top-up", actor: "admin", now: Self.now,
            idempotency: nil, render: plain)
        try await expectNext("350", "load")
        _ = try await f.store.adjust(
            couponID: f.id, amount: Self.cny(-2000), reason: "correction", actor: "admin", now: Self.now,
            idempotency: nil, render: plain)
        try await expectNext("330", "adjust")
        let sale = try #require(try await f.sell("6901234567892", presenting: nil).settlement)
        try await expectNext("230", "a sale")
        _ = try await f.store.refund(
            settlementID: sale.id, lines: [(try ProductCode("6901234567892"), 1)], actor: "admin", now: Self.now,
            idempotency: nil, render: { _ in StoredResponse(status: 200, body: []) })
        try await expectNext("330", "refund")
        // Blocking changes nothing a state carries: no new state.
        _ = try await f.store.setBlocked(
            couponID: f.id, blocked: true, actor: "admin", now: Self.now, idempotency: nil, render: plain)
        #expect(try await f.store.coupon(id: f.id)?.signedBalance?.sequence == sequence)
        _ = try await f.store.setBlocked(
            couponID: f.id, blocked: false, actor: "admin", now: Self.now, idempotency: nil, render: plain)
        // A reissue: a new code, which the outbox carries to the phone; the old code is dead.
        let reissued = try await f.store.reissue(
            couponID: f.id, actor: "admin", now: Self.now, idempotency: nil,
            render: { _ in StoredResponse(status: 200, body: []) })
        guard case .fresh(let fresh, _) = reissued else { Issue.record("replayed"); return }
        try await expectNext("330", "reissue")
        let messages = try await f.store.claimOutbox(limit: 10, leaseSeconds: 60, now: Self.now)
        #expect(messages.map(\.state.sequence) == [sequence])
        #expect(messages.first?.code == fresh.code && fresh.code != f.code)
        #expect(try await f.store.coupon(code: f.code) == nil)
        #expect(try await f.store.audit().isEmpty)
    }

    @Test("a state of another coupon is refused; without state keys such a coupon cannot be issued",
        arguments: StoreKind.allCases)
    func refusals(kind: StoreKind) async throws {
        let f = try await Fixture(kind)
        let other = try await f.store.issue(
            [IssueRequest(initial: try Self.money("20"), balanceOnPhone: true)], actor: "admin", now: Self.now,
            idempotency: nil, render: { _ in StoredResponse(status: 201, body: []) })
        guard case .fresh(let coupons, _) = other else { Issue.record("replayed"); return }
        let foreign = try #require(coupons[0].record.signedBalance)
        await #expect(throws: PhoneStateMismatch.self) { _ = try await f.sell("TEA", presenting: foreign) }
        #expect(try await f.store.coupon(id: f.id)?.snapshot.balance == Self.cny(30000))

        let keyless = try await TestStores.make(kind, hasher: CodeHasher(secret: CodeHasher.newSecret()))
        await #expect(throws: StoreError.self) {
            _ = try await keyless.issue(
                [IssueRequest(initial: try Self.money("20"), balanceOnPhone: true)], actor: "admin", now: Self.now,
                idempotency: nil, render: { _ in StoredResponse(status: 201, body: []) })
        }
    }

    @Test("two deliverers at once claim different messages; a dead deliverer's claim comes back after its lease",
        arguments: StoreKind.allCases)
    func concurrentDelivery(kind: StoreKind) async throws {
        let f = try await Fixture(kind)
        let batch = try await f.store.issue(
            (0..<20).map { _ in IssueRequest(initial: try! Self.money("30"), balanceOnPhone: true) }, actor: "admin",
            now: Self.now, idempotency: nil, render: { _ in StoredResponse(status: 201, body: []) })
        guard case .fresh(let coupons, _) = batch else { Issue.record("replayed"); return }
        for coupon in coupons {
            _ = try await f.store.settle(
                SettleRequest(code: coupon.code, basket: try Basket([("CANDLES", 1)]), station: "till-1"), now: Self.now)
        }
        #expect(try await f.store.pendingOutbox() == 20)
        async let a = f.store.claimOutbox(limit: 15, leaseSeconds: 30, now: Self.now)
        async let b = f.store.claimOutbox(limit: 15, leaseSeconds: 30, now: Self.now)
        let (first, second) = try await (a, b)
        let ids = first.map(\.id) + second.map(\.id)
        #expect(ids.count == 20 && Set(ids).count == 20)
        // The first deliverer dies; its messages are claimed again once the lease has run out.
        #expect(try await f.store.markDelivered(ids: second.map(\.id), now: Self.now) == second.count)
        let later = Instant(secondsSince1970: Self.now.secondsSince1970 + 31)
        let again = try await f.store.claimOutbox(limit: 50, leaseSeconds: 30, now: later)
        #expect(Set(again.map(\.id)) == Set(first.map(\.id)))
        #expect(again.allSatisfy { $0.attempts == 1 })
        #expect(try await f.store.audit().isEmpty)
    }

    @Test("forwarded offline sales: applied once, a stale state still deducted, a shortfall recorded and explained, the coupon blocked",
        arguments: StoreKind.allCases)
    func offlineSales(kind: StoreKind) async throws {
        let f = try await Fixture(kind)
        let state = try StateToken.verify(f.first.token, keys: f.ring)
        let tea = Product(code: try ProductCode("TEA"), name: "Tea", price: Self.cny(1000))
        func sale(_ quantity: Int, station: String) -> OfflineSale {
            OfflineSale(
                code: f.code, state: state, station: station, lines: [(tea, quantity)],
                total: Self.cny(1000 * Int64(quantity)), madeAt: Self.now)
        }
        let render: @Sendable (OfflineOutcome) throws -> StoredResponse = { _ in StoredResponse(status: 201, body: [1]) }
        // The cake online first: the state the tills hold (300.00) is stale by then.
        _ = try await f.sell("6901234567892", presenting: nil)
        let key = IdempotencyKey(scope: "till-1", key: "off_1", requestHash: "h1")
        let first = try await f.store.applyOfflineSale(sale(4, station: "till-1"), now: Self.now, idempotency: key, render: render)
        guard case .fresh(let outcome, _) = first else { Issue.record("replayed"); return }
        #expect(outcome.staleState && outcome.shortfall.minorUnits == 0)
        #expect(outcome.settlement.charged == Self.cny(4000) && outcome.settlement.status == .captured)
        // Forwarded again under its key: the stored answer, nothing deducted twice.
        let again = try await f.store.applyOfflineSale(sale(4, station: "till-1"), now: Self.now, idempotency: key, render: render)
        guard case .replay = again else { Issue.record("applied twice"); return }
        #expect(try await f.store.coupon(id: f.id)?.snapshot.balance == Self.cny(16000))
        // Another till spent the same state for more than is left: the sale stands, the rest is a shortfall.
        let second = try await f.store.applyOfflineSale(
            OfflineSale(
                code: f.code, state: state, station: "till-2", lines: [(tea, 20)], total: Self.cny(20000), madeAt: Self.now),
            now: Self.now, idempotency: IdempotencyKey(scope: "till-2", key: "off_2", requestHash: "h2"), render: render)
        guard case .fresh(let short, _) = second else { Issue.record("replayed"); return }
        #expect(short.shortfall == Self.cny(4000) && short.settlement.charged == Self.cny(16000))
        let coupon = try #require(try await f.store.coupon(id: f.id))
        #expect(coupon.snapshot.balance == Self.cny(0) && coupon.snapshot.state == .blocked)
        let kinds = try await f.store.ledger(couponID: f.id).map(\.kind)
        #expect(Array(kinds.suffix(3)) == [.capture, .offlineShortfall, .block])
        let explained = try await f.store.offlineShortfalls()
        #expect(explained.map(\.station) == ["till-2"] && explained.first?.amount == Self.cny(4000))
        #expect(explained.first?.couponState == "blocked")
        let daily = try await f.store.daily(
            from: Instant(secondsSince1970: Self.now.secondsSince1970 - 3600),
            to: Instant(secondsSince1970: Self.now.secondsSince1970 + 3600), station: nil)
        let till2 = try #require(daily.first { $0.station == "till-2" })
        #expect(till2.offline == 1 && till2.shortfall == 4000)
        #expect(daily.first { $0.station == "till-1" }?.offline == 1)
        #expect(try await f.store.audit().isEmpty)
        // A sale on a state of another coupon is refused and changes nothing.
        await #expect(throws: PhoneStateMismatch.self) {
            var foreign = state
            foreign.couponID = "cpn_00000000000000000000000000000000"
            _ = try await f.store.applyOfflineSale(
                OfflineSale(code: f.code, state: foreign, station: "till-1", lines: [(tea, 1)], total: Self.cny(1000), madeAt: Self.now),
                now: Self.now, idempotency: IdempotencyKey(scope: "till-1", key: "off_3", requestHash: "h3"), render: render)
        }
    }
}
