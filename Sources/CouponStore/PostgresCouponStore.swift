import CouponCore
import Crypto
import Foundation
import Logging
import PostgresNIO

/// The store on PostgreSQL: the same meaning as ``SQLiteCouponStore``, for several coupon-servers
/// on one database. Every state change is one transaction (read committed); a coupon that changes
/// is locked first (`SELECT ... FOR UPDATE`), and every deduction is still one conditional
/// `UPDATE ... WHERE balance - held >= charge`. An idempotency key is claimed by inserting its row
/// first, so the same key sent to two servers at once waits for the first and replays its answer.
public final class PostgresCouponStore: CouponStore {
    let client: PostgresClient
    let hasher: CodeHasher
    /// The state keys of phone-balance coupons (nil: such coupons cannot be issued or changed).
    let phoneStates: PhoneStates?
    let logger: Logger
    public let location: PostgresLocation
    /// The most a coupon may hold after an issue, load, adjustment or refund (``Limits/maxBalance``).
    public let maxBalance: Int64
    private let runner: Task<Void, Never>
    /// How long a request waits for a connection before it fails as unavailable.
    let leaseTimeout: Duration
    /// How long starting waits for its first connections (the migration and the secret check): a
    /// server starting beside a busy database, or many at once, may wait longer than a request.
    let startupTimeout: Duration = .seconds(20)

    /// Connects (the pool runs until ``shutdown()``), checks that the database answers, and brings
    /// the schema up to date.
    /// - Throws: ``StoreError`` when the schema is newer than this binary, when the database holds
    ///   the check value of another secret, or when it cannot be reached.
    public init(
        location: PostgresLocation, hasher: CodeHasher, maxBalance: Int64 = Limits().maxBalance,
        checkSecret: Bool = true, leaseTimeout: Duration = .seconds(5), phoneStates: PhoneStates? = nil,
        logger: Logger = Logger(label: "coupon.postgres")
    ) async throws {
        self.phoneStates = phoneStates
        self.leaseTimeout = leaseTimeout
        self.location = location
        self.hasher = hasher
        self.maxBalance = maxBalance
        self.logger = logger
        let client = PostgresClient(configuration: try location.configuration(), backgroundLogger: logger)
        self.client = client
        runner = Task { await client.run() }
        do {
            try await migrate()
            if checkSecret { try await verifySecrets() }
        } catch {
            await shutdown()
            throw Self.explain(error, location: location)
        }
    }

    /// Closes the pool's connections.
    public func shutdown() async {
        runner.cancel()
        _ = await runner.value
    }

    deinit {
        // A store dropped without shutdown() still closes its connections.
        runner.cancel()
    }

    /// Creates the database `location` names when it does not exist yet (connecting to the
    /// server's `postgres` database to do so); true when it was created.
    public static func createDatabase(_ location: PostgresLocation, logger: Logger = Logger(label: "coupon.postgres"))
        async throws -> Bool
    {
        let name = location.database
        guard name.range(of: "^[A-Za-z_][A-Za-z0-9_]{0,62}$", options: .regularExpression) != nil else {
            throw StoreError(
                kind: .file("a database name to create is letters, digits and _ (at most 63), not '\(name)'"))
        }
        let admin = location.database("postgres")
        let client = PostgresClient(configuration: try admin.configuration(), backgroundLogger: logger)
        let runner = Task { await client.run() }
        defer { runner.cancel() }
        do {
            let exists = try await client.query("SELECT 1 FROM pg_database WHERE datname = \(name)", logger: logger)
                .collect()
            if !exists.isEmpty { return false }
            try await client.query(PostgresQuery(unsafeSQL: "CREATE DATABASE \"\(name)\""), logger: logger).collect()
            return true
        } catch {
            throw explain(error, location: admin)
        }
    }

    /// True when the database answers a query now (for `/readyz`).
    public func isReady() async -> Bool {
        do {
            _ = try await read { tx in try await tx.rows("SELECT 1") }.count
            return true
        } catch {
            return false
        }
    }

    // MARK: Schema and secrets

    func migrate() async throws {
        try await write(leaseTimeout: startupTimeout) { tx in
            try await tx.execute("SELECT pg_advisory_xact_lock(\(PostgresSchema.migrationLock))")
            try await tx.execute(
                "CREATE TABLE IF NOT EXISTS schema_migrations (version BIGINT PRIMARY KEY, applied_at BIGINT NOT NULL)")
            let applied = try await tx.rows("SELECT version FROM schema_migrations").map {
                try $0.get("version", as: Int64.self)
            }
            if let newest = applied.max(), newest > PostgresSchema.latest { throw StoreError(kind: .schemaTooNew) }
            for migration in PostgresSchema.migrations where !applied.contains(migration.version) {
                for statement in PostgresSchema.statements(migration.sql) {
                    try await tx.execute(PostgresQuery(unsafeSQL: statement))
                }
                try await tx.execute(
                    "INSERT INTO schema_migrations (version, applied_at) VALUES (\(migration.version), \(Int64(Date().timeIntervalSince1970)))"
                )
            }
        }
    }

    /// The check value of a secret: an HMAC of a constant under it, which tells whether two servers
    /// hold the same secret without storing it.
    static func checkValue(_ secret: [UInt8]) -> String {
        HMAC<SHA256>.authenticationCode(
            for: Data("coupon-server secret check v1".utf8), using: SymmetricKey(data: secret)
        )
        .hex
    }

    /// Records the check value of every secret this server holds that the database lacks (the
    /// first server, `init`, or a rotation), and refuses when one differs from what is recorded.
    func verifySecrets() async throws {
        let checks = hasher.secretVersions.map { (version: Int64($0.version), check: Self.checkValue($0.secret)) }
        try await write(leaseTimeout: startupTimeout) { tx in
            for (version, check) in checks {
                try await tx.execute(
                    "INSERT INTO secret_checks (version, check_value) VALUES (\(version), \(check)) ON CONFLICT DO NOTHING"
                )
                let stored = try await tx.row("SELECT check_value FROM secret_checks WHERE version = \(version)")?
                    .get("check_value", as: String.self)
                guard stored == check else { throw StoreError(kind: .secretMismatch(Int(version))) }
            }
        }
    }

    /// A readable error for a database that cannot be reached or refused us.
    static func explain(_ error: any Error, location: PostgresLocation) -> any Error {
        if let error = error as? StoreError {
            guard case .unavailable(let why) = error.kind else { return error }
            return StoreError(kind: .file("cannot use the database \(location): \(why)"))
        }
        if let unavailable = StoreError.unavailable(error) {
            guard case .unavailable(let why) = unavailable.kind else { return unavailable }
            return StoreError(kind: .file("cannot use the database \(location): \(why)"))
        }
        if let error = error as? PSQLError {
            let message = error.serverInfo?[.message] ?? "\(error.code)"
            return StoreError(kind: .file("cannot use the database \(location): \(message)"))
        }
        return StoreError(kind: .file("cannot use the database \(location): \(error)"))
    }

    // MARK: Coupons and products

    public func issue(initial: Money, expiresAt: Instant?, actor: String, now: Instant) async throws -> IssuedCoupon {
        let result = try await issue(
            [IssueRequest(initial: initial, expiresAt: expiresAt)], actor: actor, now: now, idempotency: nil,
            render: { _ in StoredResponse(status: 201, body: []) })
        guard case .fresh(let issued, _) = result, let coupon = issued.first else {
            throw StoreError(kind: .corruptRow("issue returned nothing"))
        }
        return coupon
    }

    /// Throws ``LimitError`` when a coupon would hold more than ``maxBalance``.
    func checkBalance(_ minorUnits: Int64, currency: Currency) throws(LimitError) {
        var limits = Limits()
        limits.maxBalance = maxBalance
        try limits.checkBalance(Money(minorUnits: minorUnits, currency: currency))
    }

    public func coupon(id: String) async throws -> CouponRecord? {
        try await read { tx in try await tx.row("SELECT * FROM coupons WHERE id = \(id)").map(Self.record) }
    }

    public func coupon(code: CouponCode) async throws -> CouponRecord? {
        let hashes = hasher.hashes(code).hashes
        return try await read { tx in
            try await tx.row("SELECT * FROM coupons WHERE code_hash = ANY(\(hashes))").map(Self.record)
        }
    }

    public func putProduct(_ product: Product) async throws {
        try await putProducts([product])
    }

    public func putProducts(_ products: [Product]) async throws {
        try await write { tx in
            for product in products {
                try await tx.execute(
                    """
                    INSERT INTO products (code, name, price, currency)
                    VALUES (\(product.code.value), \(product.name), \(product.price.minorUnits), \(product.price.currency.code))
                    ON CONFLICT (code) DO UPDATE SET name = excluded.name, price = excluded.price, currency = excluded.currency
                    """)
            }
        }
    }

    public func products(after code: String?, limit: Int) async throws -> [Product] {
        try await read { tx in
            try await tx.rows("SELECT * FROM products WHERE code > \(code ?? "") ORDER BY code LIMIT \(limit)")
                .map(Self.product)
        }
    }

    public func product(_ code: ProductCode) async throws -> Product? {
        try await read { tx in try await Self.fetchProduct(tx, code) }
    }

    public func ledger(couponID: String) async throws -> [LedgerEntry] {
        try await read { tx in
            guard
                let currencyCode = try await tx.row("SELECT currency FROM coupons WHERE id = \(couponID)")?
                    .get("currency", as: String.self)
            else { return [] }
            let currency = try Currency(code: currencyCode)
            return try await tx.rows("SELECT * FROM ledger WHERE coupon_id = \(couponID) ORDER BY seq").map {
                try Self.ledgerEntry($0, currency: currency)
            }
        }
    }

    static func ledgerEntry(_ row: PostgresStoreRow, currency: Currency) throws -> LedgerEntry {
        let kindText = try row.get("kind", as: String.self)
        guard let kind = LedgerEntry.Kind(rawValue: kindText) else {
            throw StoreError(kind: .corruptRow("ledger kind \(kindText)"))
        }
        func money(_ column: String) throws -> Money {
            Money(minorUnits: try row.get(column), currency: currency)
        }
        return LedgerEntry(
            kind: kind, amount: try money("amount"), balanceBefore: try money("balance_before"),
            balanceAfter: try money("balance_after"), actor: try row.get("actor"),
            settlementID: try row.get("settlement_id"), at: Instant(secondsSince1970: try row.get("at")),
            seq: try row.get("seq"))
    }

    public func audit() async throws -> [AuditFinding] {
        // balance = issued + loaded - captured + refunded - expired +/- adjusted, from the ledger
        // alone; held = the sum of open holds. PostgreSQL sums BIGINT as NUMERIC: no overflow.
        try await read { tx in
            try await tx.rows(
                """
                SELECT * FROM (
                    SELECT c.id, c.balance, c.held,
                        (SELECT COALESCE(SUM(CASE l.kind WHEN 'issue' THEN l.amount WHEN 'load' THEN l.amount
                            WHEN 'refund' THEN l.amount WHEN 'adjust' THEN l.amount
                            WHEN 'capture' THEN -l.amount WHEN 'expire' THEN -l.amount ELSE 0 END), 0)
                         FROM ledger l WHERE l.coupon_id = c.id) AS from_ledger,
                        (SELECT COALESCE(SUM(s.charged), 0) FROM settlements s
                         WHERE s.coupon_id = c.id AND s.status = 'held') AS open_holds
                    FROM coupons c) AS totals
                WHERE balance <> from_ledger OR held <> open_holds
                """
            ).map { row in
                AuditFinding(
                    couponID: try row.get("id"), stored: try row.get("balance"),
                    fromLedger: try row.wide("from_ledger"), held: try row.get("held"),
                    openHolds: try row.wide("open_holds"))
            }
        }
    }

    // MARK: Rows

    static func appendLedger(
        _ tx: PostgresTransaction, coupon: String, kind: LedgerEntry.Kind, amount: Int64, balance: (Int64, Int64),
        held: (Int64, Int64), actor: String, settlement: String?, at: Instant
    ) async throws {
        try await tx.execute(
            """
            INSERT INTO ledger (coupon_id, kind, amount, balance_before, balance_after, held_before, held_after, actor,
                settlement_id, at)
            VALUES (\(coupon), \(kind.rawValue), \(amount), \(balance.0), \(balance.1), \(held.0), \(held.1), \(actor),
                \(settlement), \(at.secondsSince1970))
            """)
    }

    static func record(_ row: PostgresStoreRow) throws -> CouponRecord {
        let currency = try Currency(code: try row.get("currency"))
        guard let state = CouponState(rawValue: try row.get("state")) else {
            throw StoreError(kind: .corruptRow("coupon state"))
        }
        let expires: Int64? = try row.get("expires_at")
        return CouponRecord(
            id: try row.get("id"), lastFour: try row.get("last_four"),
            snapshot: CouponSnapshot(
                state: state, balance: Money(minorUnits: try row.get("balance"), currency: currency),
                held: Money(minorUnits: try row.get("held"), currency: currency), expiresAt: expires.map(Instant.init)),
            campaign: try row.get("campaign"),
            hasPhone: row.row.contains("phone") ? try row.get("phone", as: String?.self) != nil : false,
            signedBalance: try signedBalance(row))
    }

    static func signedBalance(_ row: PostgresStoreRow) throws -> SignedBalance? {
        guard row.row.contains("on_phone"), try row.get("on_phone", as: Bool.self),
            let token = try row.get("state_token", as: String?.self)
        else { return nil }
        return SignedBalance(sequence: UInt32(truncatingIfNeeded: try row.get("state_seq", as: Int64.self)), token: token)
    }

    static func product(_ row: PostgresStoreRow) throws -> Product {
        Product(
            code: try ProductCode(try row.get("code", as: String.self)), name: try row.get("name"),
            price: Money(minorUnits: try row.get("price"), currency: try Currency(code: try row.get("currency"))))
    }

    static func fetchProduct(_ tx: PostgresTransaction, _ code: ProductCode) async throws -> Product? {
        try await tx.row("SELECT * FROM products WHERE code = \(code.value)").map(product)
    }

    /// The coupon, locked until the transaction ends.
    static func lockCoupon(_ tx: PostgresTransaction, id: String) async throws -> CouponRecord? {
        try await tx.row("SELECT * FROM coupons WHERE id = \(id) FOR UPDATE").map(record)
    }
}
