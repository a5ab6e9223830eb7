import CouponCore
import CouponStore
import Foundation
import TestSupport
import Testing

/// What the issuer's console keeps in the store: users, sessions (ended for good), its log, and
/// the paged lookups its pages make. The same on both stores.
@Suite("The console's store calls, on SQLite and PostgreSQL")
struct ConsoleStoreTests {
    static let now = Instant(secondsSince1970: 1_800_000_000)
    static func cny(_ minorUnits: Int64) -> Money { Money(minorUnits: minorUnits, currency: .cny) }

    static func store(_ kind: StoreKind) async throws -> any CouponStore {
        try await TestStores.make(kind, hasher: CodeHasher(secret: CodeHasher.newSecret()))
    }

    @Test("users: a name is taken once; the hash is kept as given; listed by name", arguments: StoreKind.allCases)
    func users(kind: StoreKind) async throws {
        let store = try await Self.store(kind)
        try await store.addConsoleUser(
            ConsoleUser(name: "mei", role: .admin, passwordHash: "scrypt$1$2$3$c2FsdA==$aGFzaA==", createdBy: "admin"),
            now: Self.now)
        try await store.addConsoleUser(
            ConsoleUser(name: "li", role: .viewer, passwordHash: "scrypt$x", createdBy: "user:mei"), now: Self.now)
        await #expect(throws: ConsoleUserExists.self) {
            try await store.addConsoleUser(
                ConsoleUser(name: "mei", role: .viewer, passwordHash: "other", createdBy: "admin"), now: Self.now)
        }
        let mei = try #require(try await store.consoleUser(name: "mei"))
        #expect(mei.role == .admin && mei.passwordHash == "scrypt$1$2$3$c2FsdA==$aGFzaA==" && mei.actor == "user:mei")
        #expect(try await store.consoleUser(name: "nobody") == nil)
        #expect(try await store.consoleUsers().map(\.name) == ["li", "mei"])
    }

    @Test("a session is found by its hash until it ends, and an ended one never comes back", arguments: StoreKind.allCases)
    func sessions(kind: StoreKind) async throws {
        let store = try await Self.store(kind)
        let session = ConsoleSession(
            idHash: "h1", actor: "user:mei", role: .admin, csrf: "token", createdAt: Self.now, lastSeen: Self.now)
        try await store.startSession(session)
        #expect(try await store.session(idHash: "h1") == session)
        #expect(try await store.session(idHash: "h2") == nil)
        let later = Instant(secondsSince1970: Self.now.secondsSince1970 + 120)
        try await store.touchSession(idHash: "h1", now: later)
        #expect(try await store.session(idHash: "h1")?.lastSeen == later)
        try await store.endSession(idHash: "h1", now: later)
        #expect(try await store.session(idHash: "h1") == nil)
        // Touching an ended session does not bring it back.
        try await store.touchSession(idHash: "h1", now: later)
        #expect(try await store.session(idHash: "h1") == nil)
    }

    @Test("the log pages newest first", arguments: StoreKind.allCases)
    func log(kind: StoreKind) async throws {
        let store = try await Self.store(kind)
        for index in 1...7 {
            try await store.logConsole(ConsoleEvent(at: Self.now, actor: "user:mei", action: "block", target: "c\(index)"))
        }
        let first = try await store.consoleLog(before: nil, limit: 3)
        #expect(first.map(\.target) == ["c7", "c6", "c5"])
        let second = try await store.consoleLog(before: first.last?.seq, limit: 10)
        #expect(second.map(\.target) == ["c4", "c3", "c2", "c1"])
    }

    @Test("coupon search by id, last four, campaign and phone, paged by id; ledger and settlements newest first",
        arguments: StoreKind.allCases)
    func lookups(kind: StoreKind) async throws {
        let store = try await Self.store(kind)
        try await store.putProduct(Product(code: try ProductCode("6901234567892"), name: "Cake", price: Self.cny(10000)))
        let requests = (0..<5).map { index in
            IssueRequest(
                initial: Self.cny(30000), campaign: index < 3 ? "spring" : "autumn",
                phone: index == 4 ? "+8613800000004" : nil)
        }
        let result = try await store.issue(
            requests, actor: "admin", now: Self.now, idempotency: nil, render: { _ in StoredResponse(status: 201, body: []) })
        guard case .fresh(let issued, _) = result else { throw CancellationError() }
        let ids = issued.map(\.record.id).sorted()

        #expect(try await store.searchCoupons(.all, after: nil, limit: 10).map(\.id) == ids)
        let page1 = try await store.searchCoupons(.all, after: nil, limit: 2)
        let page2 = try await store.searchCoupons(.all, after: page1.last?.id, limit: 2)
        #expect(page1.map(\.id) == Array(ids[0..<2]) && page2.map(\.id) == Array(ids[2..<4]))
        #expect(try await store.searchCoupons(.campaign("spring"), after: nil, limit: 10).count == 3)
        #expect(try await store.searchCoupons(.phone("+8613800000004"), after: nil, limit: 10).map(\.id) == [issued[4].record.id])
        #expect(try await store.searchCoupons(.id(issued[1].record.id), after: nil, limit: 10).map(\.id) == [issued[1].record.id])
        let four = issued[2].code.lastFour
        let byFour = try await store.searchCoupons(.lastFour(four), after: nil, limit: 10)
        #expect(byFour.contains { $0.id == issued[2].record.id } && byFour.allSatisfy { $0.lastFour == four })
        #expect(try await store.searchCoupons(.campaign("winter"), after: nil, limit: 10).isEmpty)

        // Six loads and two settlements: eight ledger lines after the issue line, paged newest first.
        let id = issued[0].record.id
        for index in 1...6 {
            _ = try await store.load(
                couponID: id, amount: Self.cny(Int64(index) * 100), reference: "r\(index)", actor: "user:mei", now: Self.now,
                idempotency: nil, render: { _ in StoredResponse(status: 200, body: []) })
        }
        for _ in 0..<2 {
            _ = try await store.settle(
                SettleRequest(code: issued[0].code, basket: try Basket([("6901234567892", 1)]), station: "till-1"),
                now: Self.now)
        }
        // A coupon's page: its ledger paged newest first, its settlements, in one snapshot.
        let all = try await store.ledger(couponID: id)
        let first = try #require(try await store.couponPage(id: id, ledgerBefore: nil, ledgerLimit: 4, settlementLimit: 10))
        let rest = try #require(
            try await store.couponPage(id: id, ledgerBefore: first.ledger.last?.seq, ledgerLimit: 100, settlementLimit: 1))
        let (newest, older) = (first.ledger, rest.ledger)
        #expect(first.coupon.id == id && first.coupon.snapshot.balance == Self.cny(30000 + 2100 - 20000))
        #expect(newest.count == 4 && (newest + older).map(\.seq) == all.map(\.seq).reversed())
        #expect(newest.map(\.seq) == newest.map(\.seq).sorted(by: >))
        #expect(older.last?.kind == .issue)
        #expect(try await store.openHoldCount() == 0)
        _ = try await store.settle(
            SettleRequest(code: issued[1].code, basket: try Basket([("6901234567892", 1)]), station: "till-1", capture: false),
            now: Self.now)
        #expect(try await store.openHoldCount() == 1)
        #expect(first.settlements.count == 2 && first.settlements.allSatisfy { $0.couponID == id })
        #expect(first.settlements.map(\.createdAt) == first.settlements.map(\.createdAt).sorted(by: >))
        #expect(rest.settlements.count == 1 && rest.settlements.first?.id == first.settlements.first?.id)
        let other = try #require(try await store.couponPage(id: issued[2].record.id, ledgerBefore: nil, ledgerLimit: 10, settlementLimit: 10))
        #expect(other.settlements.isEmpty && other.ledger.count == 1)
        #expect(try await store.couponPage(id: "no-such-coupon", ledgerBefore: nil, ledgerLimit: 10, settlementLimit: 10) == nil)
    }
}
