import CouponCore
import CouponStore
import Foundation
import GRDB
import TestSupport
import Testing

@Suite("The coupon store on a real SQLite file and a real PostgreSQL database")
struct SQLiteCouponStoreTests {
    static let now = Instant(secondsSince1970: 1_800_000_000)
    let folder: URL
    let path: String
    let hasher = CodeHasher(secret: CodeHasher.newSecret())

    init() throws {
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("store-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        path = folder.appendingPathComponent("coupons.sqlite").path
    }

    func cny(_ text: String) throws -> Money { try Money(parsing: text, currency: .cny) }

    func seededStore() async throws -> SQLiteCouponStore {
        let store = try SQLiteCouponStore(path: path, hasher: hasher)
        try await seed(store)
        return store
    }

    /// A store of `kind` in a database of its own, with the patent's catalogue.
    func seededStore(_ kind: StoreKind) async throws -> any CouponStore {
        let store = try await TestStores.make(kind, hasher: hasher)
        try await seed(store)
        return store
    }

    func seed(_ store: any CouponStore) async throws {
        try await store.putProduct(
            Product(code: try ProductCode("6901234567892"), name: "蛋糕 Cake", price: try cny("100.00")))
        try await store.putProduct(
            Product(code: try ProductCode("GIFT-250"), name: "Gift box", price: try cny("250.00")))
        try await store.putProduct(Product(code: try ProductCode("TEA"), name: "Tea", price: try cny("10.00")))
    }

    @Test(
        "the patent's story: 300.00, a 100.00 cake, 250.00 declined, the cake twice by its GTIN-14",
        arguments: StoreKind.allCases)
    func patentStory(kind: StoreKind) async throws {
        let store = try await seededStore(kind)
        let issued = try await store.issue(initial: try cny("300.00"), expiresAt: nil, actor: "admin", now: Self.now)
        let first = try await store.settle(
            SettleRequest(code: issued.code, basket: try Basket([("6901234567892", 1)]), station: "till-1"),
            now: Self.now)
        guard case .approved(_, let total, _, _) = first.decision else {
            Issue.record("expected approval")
            return
        }
        #expect(total.formatted == "100.00")
        #expect(first.settlement?.balanceAfter.formatted == "200.00")
        #expect(first.settlement?.status == .captured)
        #expect(first.settlement?.lines.first?.product.name == "蛋糕 Cake")

        let declined = try await store.settle(
            SettleRequest(code: issued.code, basket: try Basket([("GIFT-250", 1)]), station: "till-1"), now: Self.now)
        #expect(
            declined.decision
                == .declined(.insufficientBalance(available: try cny("200.00"), requested: try cny("250.00"))))
        #expect(declined.balance?.formatted == "200.00")
        #expect(try await store.coupon(id: issued.record.id)?.snapshot.balance.formatted == "200.00")

        let last = try await store.settle(
            SettleRequest(code: issued.code, basket: try Basket([("06901234567892", 2)]), station: "till-1"),
            now: Self.now)
        #expect(last.settlement?.balanceAfter.formatted == "0.00")

        let ledger = try await store.ledger(couponID: issued.record.id)
        #expect(ledger.map(\.kind) == [.issue, .hold, .capture, .hold, .capture])
        #expect(ledger.map(\.balanceAfter.minorUnits) == [30000, 30000, 20000, 20000, 0])
        #expect(try await store.audit().isEmpty)
    }

    @Test("lookup by code works; an unknown code is declined without a change", arguments: StoreKind.allCases)
    func lookup(kind: StoreKind) async throws {
        let store = try await seededStore(kind)
        let issued = try await store.issue(initial: try cny("50.00"), expiresAt: nil, actor: "admin", now: Self.now)
        #expect(try await store.coupon(code: issued.code)?.id == issued.record.id)
        let stranger = CouponCode.generate()
        #expect(try await store.coupon(code: stranger) == nil)
        let outcome = try await store.settle(
            SettleRequest(code: stranger, basket: try Basket([("TEA", 1)]), station: "t"), now: Self.now)
        #expect(outcome.decision == .declined(.unknownCoupon))
    }

    @Test("the database files hold no full coupon code")
    func noCodesAtRest() async throws {
        let store = try await seededStore()
        var codes: [CouponCode] = []
        for _ in 0..<20 {
            codes.append(
                try await store.issue(initial: try cny("1.00"), expiresAt: nil, actor: "admin", now: Self.now).code)
        }
        // Issues and a reissue under idempotency keys: their stored replays hold the codes, sealed.
        let render: @Sendable ([IssuedCoupon]) throws -> StoredResponse = { issued in
            StoredResponse(status: 201, body: Array(issued.map(\.code.value).joined(separator: ",").utf8))
        }
        let requests = (0..<3).map { _ in IssueRequest(initial: try! cny("2.00"), expiresAt: nil) }
        let key = IdempotencyKey(scope: "admin", key: "batch-1", requestHash: "h1")
        let first = try await store.issue(requests, actor: "admin", now: Self.now, idempotency: key, render: render)
        guard case .fresh(let batch, let sent) = first else { Issue.record("first call replayed"); return }
        codes += batch.map(\.code)
        let replay = try await store.issue(requests, actor: "admin", now: Self.now, idempotency: key, render: render)
        guard case .replay(let again) = replay else { Issue.record("retry issued again"); return }
        #expect(again == sent)
        let reissueKey = IdempotencyKey(scope: "admin", key: "reissue-1", requestHash: "h2")
        let reissued = try await store.reissue(
            couponID: batch[0].record.id, actor: "admin", now: Self.now, idempotency: reissueKey
        ) { issued in StoredResponse(status: 200, body: Array(issued.code.value.utf8)) }
        guard case .fresh(let fresh, _) = reissued else { Issue.record("first reissue replayed"); return }
        codes.append(fresh.code)
        let reissuedAgain = try await store.reissue(
            couponID: batch[0].record.id, actor: "admin", now: Self.now, idempotency: reissueKey
        ) { issued in StoredResponse(status: 200, body: Array(issued.code.value.utf8)) }
        #expect(reissuedAgain.response.body == Array(fresh.code.value.utf8))
        #expect(try await store.coupon(code: fresh.code)?.id == batch[0].record.id)
        #expect(try await store.coupon(code: batch[0].code) == nil)

        var bytes = Data()
        for suffix in ["", "-wal", "-shm"] {
            if let data = FileManager.default.contents(atPath: path + suffix) { bytes.append(data) }
        }
        #expect(!bytes.isEmpty)
        let text = String(decoding: bytes, as: UTF8.self)
        for code in codes {
            #expect(!text.contains(code.value))
            #expect(!text.contains(code.grouped))
            #expect(!text.contains(String(code.value.prefix(12))))
        }
    }

    @Test("a sealed replay under a replaced secret is refused with a typed error, and nothing is issued again")
    func sealedReplayAfterSecretChange() async throws {
        let first = try SQLiteCouponStore(path: path, hasher: CodeHasher(secret: CodeHasher.newSecret()))
        let key = IdempotencyKey(scope: "admin", key: "issue-1", requestHash: "h")
        let request = [IssueRequest(initial: try cny("5.00"))]
        let render: @Sendable ([IssuedCoupon]) throws -> StoredResponse = {
            StoredResponse(status: 201, body: Array($0[0].code.value.utf8))
        }
        _ = try await first.issue(request, actor: "admin", now: Self.now, idempotency: key, render: render)
        let second = try SQLiteCouponStore(path: path, hasher: CodeHasher(secret: CodeHasher.newSecret()))
        await #expect(throws: IdempotencyReplayUnreadable.self) {
            _ = try await second.issue(request, actor: "admin", now: Self.now, idempotency: key, render: render)
        }
        #expect(try await second.liability(asOf: nil)[Currency.cny.code] == 500)
    }

    @Test(
        "64 concurrent settlements never overdraw; approved totals = initial - final; audit clean",
        arguments: StoreKind.allCases)
    func concurrentSettlements(kind: StoreKind) async throws {
        let store = try await seededStore(kind)
        let issued = try await store.issue(initial: try cny("300.00"), expiresAt: nil, actor: "admin", now: Self.now)
        let basket = try Basket([("TEA", 1)])
        let approved = try await withThrowingTaskGroup(of: Bool.self) { group in
            for i in 0..<64 {
                group.addTask {
                    let outcome = try await store.settle(
                        SettleRequest(code: issued.code, basket: basket, station: "till-\(i % 4)"), now: Self.now)
                    if case .approved = outcome.decision { return true }
                    return false
                }
            }
            var count = 0
            for try await ok in group where ok { count += 1 }
            return count
        }
        #expect(approved == 30)
        let final = try await store.coupon(id: issued.record.id)?.snapshot.balance.minorUnits
        #expect(final == 0)
        #expect(Int64(approved) * 1000 == 30000 - (final ?? -1))
        #expect(try await store.audit().isEmpty)
    }

    @Test(
        "group commit: a failing settlement in a batch rolls back alone; the others are kept",
        arguments: StoreKind.allCases)
    func groupCommitIsolation(kind: StoreKind) async throws {
        let store = try await seededStore(kind)
        let issued = try await store.issue(initial: try cny("1000.00"), expiresAt: nil, actor: "admin", now: Self.now)
        let tea = try Basket([("TEA", 1)]), two = try Basket([("TEA", 2)])
        let render: @Sendable (SettlementOutcome) throws -> StoredResponse = { _ in
            StoredResponse(status: 201, body: [])
        }
        // One key used first with one tea; then 40 concurrent requests: 20 new keys (kept) and 20 reusing
        // the first key with another basket (refused, inside the same group transactions).
        _ = try await store.settle(
            SettleRequest(code: issued.code, basket: tea, station: "till-1"), now: Self.now,
            idempotency: IdempotencyKey(scope: "till-1", key: "first", requestHash: "a"), render: render)
        let results = try await withThrowingTaskGroup(of: Bool.self) { group in
            for i in 0..<40 {
                group.addTask {
                    let reuse = i % 2 == 0
                    let key = IdempotencyKey(
                        scope: "till-1", key: reuse ? "first" : "k\(i)", requestHash: reuse ? "b" : "k\(i)")
                    do {
                        _ = try await store.settle(
                            SettleRequest(code: issued.code, basket: reuse ? two : tea, station: "till-1"),
                            now: Self.now, idempotency: key, render: render)
                        return true
                    } catch is IdempotencyKeyReused {
                        return false
                    }
                }
            }
            var kept = 0
            for try await ok in group where ok { kept += 1 }
            return kept
        }
        #expect(results == 20)
        #expect(try await store.coupon(id: issued.record.id)?.snapshot.balance.minorUnits == 100000 - 21 * 1000)
        #expect(try await store.ledger(couponID: issued.record.id).filter { $0.kind == .capture }.count == 21)
        #expect(try await store.audit().isEmpty)
    }

    @Test("data survives reopening; a schema from a newer version is refused")
    func reopenAndNewerSchema() async throws {
        let id: String
        do {
            let store = try await seededStore()
            id = try await store.issue(initial: try cny("12.34"), expiresAt: nil, actor: "admin", now: Self.now).record
                .id
        }
        let reopened = try SQLiteCouponStore(path: path, hasher: hasher)
        #expect(try await reopened.coupon(id: id)?.snapshot.balance.formatted == "12.34")
        // A migration this binary does not know: as if a newer coupon-server had opened the file.
        let queue = try DatabaseQueue(path: path)
        try await queue.write {
            try $0.execute(sql: "INSERT INTO grdb_migrations (identifier) VALUES ('v999-from-the-future')")
        }
        try queue.close()
        #expect(throws: StoreError.self) { try SQLiteCouponStore(path: path, hasher: hasher) }
    }
}

@Suite("Online backup")
struct BackupTests {
    @Test("a backup taken under settlement load opens, passes integrity_check and audits clean")
    func backupUnderLoad() async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("backup-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let hasher = CodeHasher(secret: CodeHasher.newSecret())
        let store = try SQLiteCouponStore(path: folder.appendingPathComponent("live.sqlite").path, hasher: hasher)
        let now = Instant(secondsSince1970: 1_800_000_000)
        try await store.putProduct(
            Product(code: try ProductCode("TEA"), name: "Tea", price: Money(minorUnits: 100, currency: .cny)))
        let issued = try await store.issue(
            initial: Money(minorUnits: 1_000_000, currency: .cny), expiresAt: nil, actor: "admin", now: now)
        let backupPath = folder.appendingPathComponent("backup.sqlite").path
        try await withThrowingTaskGroup(of: Void.self) { group in
            for i in 0..<4 {
                group.addTask {
                    for _ in 0..<50 {
                        _ = try await store.settle(
                            SettleRequest(code: issued.code, basket: try Basket([("TEA", 1)]), station: "till-\(i)"),
                            now: now)
                    }
                }
            }
            group.addTask {
                try await Task.sleep(for: .milliseconds(20))
                try await store.backup(to: backupPath)
            }
            try await group.waitForAll()
        }
        let copy = try SQLiteCouponStore(path: backupPath, hasher: hasher)
        #expect(try await copy.audit().isEmpty)
        let balance = try #require(try await copy.coupon(id: issued.record.id)).snapshot.balance.minorUnits
        #expect(balance <= 1_000_000 && balance >= 1_000_000 - 200 * 100)
        #expect(try await store.coupon(id: issued.record.id)?.snapshot.balance.minorUnits == 1_000_000 - 200 * 100)
        await #expect(throws: StoreError.self) { try await store.backup(to: backupPath) }
    }
}
