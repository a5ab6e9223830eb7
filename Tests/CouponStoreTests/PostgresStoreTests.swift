import CouponCore
import CouponStore
import Foundation
import Logging
import PostgresNIO
import TestSupport
import Testing

/// What only the PostgreSQL store has to show: the database itself refuses ledger edits, a newer
/// schema and another secret; several servers' sweeps release each hold once; backups by pg_dump.
@Suite("PostgreSQL store: the database's own guarantees and several servers")
struct PostgresStoreTests {
    static let now = Instant(secondsSince1970: 1_800_000_000)
    static func cny(_ minorUnits: Int64) -> Money { Money(minorUnits: minorUnits, currency: .cny) }

    /// Runs one statement on `location` with a client of its own.
    static func execute(_ location: PostgresLocation, _ sql: String) async throws {
        var configuration = PostgresClient.Configuration(
            host: location.host, port: location.port, username: location.user, password: nil,
            database: location.database, tls: .disable)
        configuration.options.maximumConnections = 1
        let client = PostgresClient(configuration: configuration)
        let runner = Task { await client.run() }
        defer { runner.cancel() }
        _ = try await client.query(PostgresQuery(unsafeSQL: sql)).collect()
    }

    @Test("the ledger refuses UPDATE, DELETE and TRUNCATE in the database itself")
    func ledgerIsAppendOnly() async throws {
        let location = try await TestStores.newPostgresDatabase()
        let store = try await PostgresCouponStore(
            location: location, hasher: CodeHasher(secret: CodeHasher.newSecret()))
        _ = try await store.issue(initial: Self.cny(100), expiresAt: nil, actor: "admin", now: Self.now)
        for sql in ["UPDATE ledger SET amount = 1", "DELETE FROM ledger", "TRUNCATE ledger CASCADE"] {
            await #expect(throws: PSQLError.self, "\(sql)") { try await Self.execute(location, sql) }
        }
        #expect(try await store.export(since: Self.now, after: 0, limit: 10).first?.amount == 100)
        await store.shutdown()
    }

    @Test("a schema from a newer version is refused; another secret is refused; the same secret reopens")
    func refusals() async throws {
        let location = try await TestStores.newPostgresDatabase()
        let secret = CodeHasher.newSecret()
        let store = try await PostgresCouponStore(location: location, hasher: CodeHasher(secret: secret))
        let coupon = try await store.issue(initial: Self.cny(1234), expiresAt: nil, actor: "admin", now: Self.now)
        await store.shutdown()
        let mismatch = await #expect(throws: StoreError.self) {
            _ = try await PostgresCouponStore(location: location, hasher: CodeHasher(secret: CodeHasher.newSecret()))
        }
        #expect(mismatch?.kind == .secretMismatch(1))
        let again = try await PostgresCouponStore(location: location, hasher: CodeHasher(secret: secret))
        #expect(try await again.coupon(code: coupon.code)?.snapshot.balance.minorUnits == 1234)
        await again.shutdown()
        try await Self.execute(location, "INSERT INTO schema_migrations (version, applied_at) VALUES (999, 0)")
        let newer = await #expect(throws: StoreError.self) {
            _ = try await PostgresCouponStore(location: location, hasher: CodeHasher(secret: secret))
        }
        #expect(newer?.kind == .schemaTooNew)
    }

    @Test("three servers sweeping at once release each of 300 expired holds exactly once, expire 50 coupons once")
    func sweepsOnSeveralServers() async throws {
        let location = try await TestStores.newPostgresDatabase()
        let hasher = CodeHasher(secret: CodeHasher.newSecret())
        var stores: [PostgresCouponStore] = []
        for _ in 0..<3 { stores.append(try await PostgresCouponStore(location: location, hasher: hasher)) }
        let store = stores[0]
        try await store.putProduct(Product(code: try ProductCode("TEA"), name: "Tea", price: Self.cny(100)))
        var couponIDs: [String] = []
        for index in 0..<30 {
            let coupon = try await stores[index % 3].issue(
                initial: Self.cny(10_000), expiresAt: nil, actor: "admin", now: Self.now)
            couponIDs.append(coupon.record.id)
            for _ in 0..<10 {
                _ = try await stores[(index + 1) % 3].settle(
                    SettleRequest(
                        code: coupon.code, basket: try Basket([("TEA", 1)]), station: "till-1", capture: false,
                        holdSeconds: 60), now: Self.now)
            }
        }
        let expiring = try await store.issue(
            (0..<50).map { _ in
                IssueRequest(initial: Self.cny(500), expiresAt: Instant(secondsSince1970: 1_800_000_030))
            },
            actor: "admin", now: Self.now, idempotency: nil, render: { _ in StoredResponse(status: 201, body: []) })
        guard case .fresh(let issued, _) = expiring else { Issue.record("replayed"); return }
        #expect(try await store.openHolds().count == 300)
        let later = Instant(secondsSince1970: Self.now.secondsSince1970 + 61)
        let (released, expired) = try await withThrowingTaskGroup(of: (Int, Int).self) { group in
            for server in stores {
                for _ in 0..<3 {
                    group.addTask {
                        (try await server.releaseExpiredHolds(now: later), try await server.expireCoupons(now: later))
                    }
                }
            }
            return try await group.reduce((0, 0)) { ($0.0 + $1.0, $0.1 + $1.1) }
        }
        #expect(released == 300)
        #expect(expired == 50)
        #expect(try await store.openHolds().count == 0)
        for id in couponIDs {
            let ledger = try await store.ledger(couponID: id)
            #expect(ledger.filter { $0.kind == .release }.count == 10)
        }
        for coupon in issued {
            #expect(try await store.ledger(couponID: coupon.record.id).filter { $0.kind == .expire }.count == 1)
        }
        #expect(try await store.audit().isEmpty)
        for server in stores { await server.shutdown() }
    }

    @Test("backup writes a pg_dump file of mode 0600 that holds no code, and refuses an existing file")
    func backup() async throws {
        let location = try await TestStores.newPostgresDatabase()
        let store = try await PostgresCouponStore(
            location: location, hasher: CodeHasher(secret: CodeHasher.newSecret()))
        var codes: [CouponCode] = []
        for _ in 0..<10 {
            codes.append(try await store.issue(initial: Self.cny(100), expiresAt: nil, actor: "a", now: Self.now).code)
        }
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("pg-\(UUID().uuidString).dump").path
        try await store.backup(to: path)
        let attributes = try FileManager.default.attributesOfItem(atPath: path)
        #expect((attributes[.posixPermissions] as? Int) == 0o600)
        let bytes = try #require(FileManager.default.contents(atPath: path))
        #expect(bytes.count > 1000)
        let text = String(decoding: bytes, as: UTF8.self)
        for code in codes { #expect(!text.contains(code.value)) }
        await #expect(throws: StoreError.self) { try await store.backup(to: path) }
        await store.shutdown()
    }

    @Test("an unreachable database is a readable error, not a hang")
    func unreachable() async throws {
        var location = try await TestStores.newPostgresDatabase()
        location.port = 1
        do {
            _ = try await PostgresCouponStore(location: location, hasher: CodeHasher(secret: CodeHasher.newSecret()))
            Issue.record("a store on port 1 opened")
        } catch let error as StoreError {
            #expect(error.description.contains("cannot use the database postgres://"), "\(error)")
        }
    }
}
