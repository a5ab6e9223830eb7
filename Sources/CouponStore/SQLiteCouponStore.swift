import CouponCore
import Foundation
import GRDB

/// The embedded default store: one SQLite file in WAL mode with `synchronous=FULL`, foreign keys
/// on, every state change one transaction, every deduction one conditional write.
public final class SQLiteCouponStore: CouponStore {
    let pool: DatabasePool
    /// Settlements go through group commit: many in one transaction, each in its own savepoint.
    let group: GroupCommit
    let hasher: CodeHasher
    /// The state keys of phone-balance coupons (nil: such coupons cannot be issued or changed).
    let phoneStates: PhoneStates?
    /// The most a coupon may hold after an issue, load, adjustment or refund (``Limits/maxBalance``).
    public let maxBalance: Int64

    /// Opens (creating if needed) the database at `path` and brings its schema up to date.
    /// - Throws: ``StoreError`` when the file was written by a newer version; GRDB's errors otherwise.
    public init(
        path: String, hasher: CodeHasher, maxBalance: Int64 = Limits().maxBalance, phoneStates: PhoneStates? = nil
    ) throws {
        self.maxBalance = maxBalance
        self.phoneStates = phoneStates
        var configuration = Configuration()
        configuration.foreignKeysEnabled = true
        configuration.prepareDatabase { db in
            try db.execute(sql: "PRAGMA synchronous = FULL")
        }
        try PrivateFile.prepare(database: path)
        pool = try DatabasePool(path: path, configuration: configuration)
        group = GroupCommit(pool: pool)
        self.hasher = hasher
        let migrator = SQLiteSchema.migrator
        if try pool.read({ try migrator.hasBeenSuperseded($0) }) { throw StoreError(kind: .schemaTooNew) }
        try migrator.migrate(pool)
    }

    public func issue(initial: Money, expiresAt: Instant?, actor: String, now: Instant) async throws -> IssuedCoupon {
        try checkBalance(initial.minorUnits, currency: initial.currency)
        let code = CouponCode.generate()
        let hash = hasher.hash(code)
        let version = hasher.currentVersion
        return try await pool.write { db in
            try Self.issue(
                db, code: code, codeHash: hash, hashVersion: version, initial: initial, expiresAt: expiresAt,
                actor: actor, now: now)
        }
    }

    /// The issue in the caller's write transaction.
    static func issue(
        _ db: Database, code: CouponCode, codeHash: String, hashVersion: Int, initial: Money, expiresAt: Instant?,
        actor: String, now: Instant
    ) throws -> IssuedCoupon {
        let id = newID("cpn")
        try db.execute(
            sql: """
                INSERT INTO coupons (id, code_hash, last_four, currency, balance, held, state, expires_at, created_at,
                    hash_version)
                VALUES (?, ?, ?, ?, ?, 0, 'active', ?, ?, ?)
                """,
            arguments: [
                id, codeHash, code.lastFour, initial.currency.code, initial.minorUnits, expiresAt?.secondsSince1970,
                now.secondsSince1970, hashVersion,
            ])
        try appendLedger(
            db, coupon: id, kind: .issue, amount: initial.minorUnits, balance: (0, initial.minorUnits), held: (0, 0),
            actor: actor, settlement: nil, at: now)
        let snapshot = CouponSnapshot(
            state: .active, balance: initial, held: .zero(initial.currency), expiresAt: expiresAt)
        return IssuedCoupon(record: CouponRecord(id: id, lastFour: code.lastFour, snapshot: snapshot), code: code)
    }

    /// Throws ``LimitError`` when a coupon would hold more than ``maxBalance``.
    func checkBalance(_ minorUnits: Int64, currency: Currency) throws(LimitError) {
        var limits = Limits()
        limits.maxBalance = maxBalance
        try limits.checkBalance(Money(minorUnits: minorUnits, currency: currency))
    }

    public func coupon(id: String) async throws -> CouponRecord? {
        try await pool.read { db in try Self.fetchCoupon(db, sql: "SELECT * FROM coupons WHERE id = ?", id) }
    }

    public func coupon(code: CouponCode) async throws -> CouponRecord? {
        let hashes = hasher.hashes(code).hashes
        let marks = Array(repeating: "?", count: hashes.count).joined(separator: ", ")
        return try await pool.read { db in
            try db.row(
                sql: "SELECT * FROM coupons WHERE code_hash IN (\(marks))", arguments: StatementArguments(hashes)
            ).map(Self.record)
        }
    }

    public func putProduct(_ product: Product) async throws {
        try await pool.write { db in
            try db.execute(
                sql: "INSERT OR REPLACE INTO products (code, name, price, currency) VALUES (?, ?, ?, ?)",
                arguments: [product.code.value, product.name, product.price.minorUnits, product.price.currency.code])
        }
    }

    public func putProducts(_ products: [Product]) async throws {
        try await pool.write { db in
            let statement = try db.makeStatement(
                sql: "INSERT OR REPLACE INTO products (code, name, price, currency) VALUES (?, ?, ?, ?)")
            for product in products {
                try statement.execute(arguments: [
                    product.code.value, product.name, product.price.minorUnits, product.price.currency.code,
                ])
            }
        }
    }

    public func products(after code: String?, limit: Int) async throws -> [Product] {
        try await pool.read { db in
            let rows = try Row.fetchAll(
                db, sql: "SELECT * FROM products WHERE code > ? ORDER BY code LIMIT ?", arguments: [code ?? "", limit])
            return try rows.map { row in
                Product(
                    code: try ProductCode(row["code"] as String), name: row["name"],
                    price: Money(minorUnits: row["price"], currency: try Currency(code: row["currency"])))
            }
        }
    }

    public func product(_ code: ProductCode) async throws -> Product? {
        try await pool.read { db in try Self.fetchProduct(db, code) }
    }

    public func ledger(couponID: String) async throws -> [LedgerEntry] {
        try await pool.read { db in
            let currencyCode = try String.fetchOne(
                db, sql: "SELECT currency FROM coupons WHERE id = ?", arguments: [couponID])
            guard let currencyCode else { return [] }
            let currency = try Currency(code: currencyCode)
            return try Row.fetchAll(
                db, sql: "SELECT * FROM ledger WHERE coupon_id = ? ORDER BY seq", arguments: [couponID]
            ).map { try Self.ledgerEntry($0, currency: currency) }
        }
    }

    static func ledgerEntry(_ row: Row, currency: Currency) throws -> LedgerEntry {
        guard let kind = LedgerEntry.Kind(rawValue: row["kind"]) else {
            throw StoreError(kind: .corruptRow("ledger kind \(String(describing: row["kind"] as String?))"))
        }
        return LedgerEntry(
            kind: kind, amount: Money(minorUnits: row["amount"], currency: currency),
            balanceBefore: Money(minorUnits: row["balance_before"], currency: currency),
            balanceAfter: Money(minorUnits: row["balance_after"], currency: currency), actor: row["actor"],
            settlementID: row["settlement_id"], at: Instant(secondsSince1970: row["at"]), seq: row["seq"])
    }

    public func audit() async throws -> [AuditFinding] {
        try await pool.read { db in
            // balance = issued + loaded - captured + refunded - expired +/- adjusted, from the ledger
            // alone; held = the sum of open holds.
            // Each sum is taken in two 32-bit halves (WideSum) and compared half by half, so no
            // ledger, however long, can make the audit overflow.
            let signed = """
                CASE l.kind WHEN 'issue' THEN l.amount WHEN 'load' THEN l.amount
                    WHEN 'refund' THEN l.amount WHEN 'adjust' THEN l.amount
                    WHEN 'capture' THEN -l.amount WHEN 'expire' THEN -l.amount ELSE 0 END
                """
            return try Row.fetchAll(
                db,
                sql: """
                    SELECT * FROM (
                        SELECT c.id, c.balance, c.held,
                            (SELECT COALESCE(SUM((\(signed)) >> 32), 0) FROM ledger l WHERE l.coupon_id = c.id)
                                AS from_ledger_hi,
                            (SELECT COALESCE(SUM((\(signed)) & 4294967295), 0) FROM ledger l WHERE l.coupon_id = c.id)
                                AS from_ledger_lo,
                            (SELECT COALESCE(SUM(s.charged >> 32), 0) FROM settlements s
                             WHERE s.coupon_id = c.id AND s.status = 'held') AS open_holds_hi,
                            (SELECT COALESCE(SUM(s.charged & 4294967295), 0) FROM settlements s
                             WHERE s.coupon_id = c.id AND s.status = 'held') AS open_holds_lo
                        FROM coupons c)
                    WHERE balance >> 32 != from_ledger_hi + (from_ledger_lo >> 32)
                        OR balance & 4294967295 != from_ledger_lo & 4294967295
                        OR held >> 32 != open_holds_hi + (open_holds_lo >> 32)
                        OR held & 4294967295 != open_holds_lo & 4294967295
                    """
            ).map {
                AuditFinding(
                    couponID: $0["id"], stored: $0["balance"], fromLedger: WideSum.value($0, "from_ledger"),
                    held: $0["held"], openHolds: WideSum.value($0, "open_holds"))
            }
        }
    }

    static func appendLedger(
        _ db: Database, coupon: String, kind: LedgerEntry.Kind, amount: Int64, balance: (Int64, Int64),
        held: (Int64, Int64),
        actor: String, settlement: String?, at: Instant
    ) throws {
        try db.run(
            sql: """
                INSERT INTO ledger (coupon_id, kind, amount, balance_before, balance_after, held_before, held_after, actor, settlement_id, at)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """,
            arguments: [
                coupon, kind.rawValue, amount, balance.0, balance.1, held.0, held.1, actor, settlement,
                at.secondsSince1970,
            ])
    }

    static func fetchCoupon(_ db: Database, sql: String, _ argument: String) throws -> CouponRecord? {
        try db.row(sql: sql, arguments: [argument]).map(record)
    }

    static func record(_ row: Row) throws -> CouponRecord {
        let currency = try Currency(code: row["currency"])
        guard let state = CouponState(rawValue: row["state"]) else {
            throw StoreError(kind: .corruptRow("coupon state"))
        }
        let expires: Int64? = row["expires_at"]
        return CouponRecord(
            id: row["id"], lastFour: row["last_four"],
            snapshot: CouponSnapshot(
                state: state, balance: Money(minorUnits: row["balance"], currency: currency),
                held: Money(minorUnits: row["held"], currency: currency), expiresAt: expires.map(Instant.init)),
            campaign: row.hasColumn("campaign") ? row["campaign"] : nil,
            hasPhone: (row["phone"] as String?) != nil, signedBalance: signedBalance(row))
    }

    static func signedBalance(_ row: Row) -> SignedBalance? {
        guard row.hasColumn("on_phone"), row["on_phone"] as Bool, let token = row["state_token"] as String? else {
            return nil
        }
        return SignedBalance(sequence: UInt32(truncatingIfNeeded: row["state_seq"] as Int64), token: token)
    }

    static func fetchProduct(_ db: Database, _ code: ProductCode) throws -> Product? {
        guard let row = try db.row(sql: "SELECT * FROM products WHERE code = ?", arguments: [code.value])
        else {
            return nil
        }
        return Product(
            code: code, name: row["name"],
            price: Money(minorUnits: row["price"], currency: try Currency(code: row["currency"])))
    }
}

extension SQLiteCouponStore {
    /// Copies the live database to `path` (`VACUUM INTO`, consistent while writers continue), then
    /// opens the copy and runs `integrity_check` on it.
    /// - Throws: ``StoreError`` when the copy fails its check; GRDB's errors otherwise.
    public func backup(to path: String) async throws {
        guard !FileManager.default.fileExists(atPath: path) else {
            throw StoreError(kind: .backupFailed("\(path) already exists"))
        }
        // Created empty with mode 0600 first: VACUUM INTO takes the file's mode as it finds it.
        try PrivateFile.createEmpty(path)
        // VACUUM cannot run inside a transaction; writers wait for the copy, readers do not.
        try await pool.writeWithoutTransaction { db in try db.execute(sql: "VACUUM INTO ?", arguments: [path]) }
        let copy = try DatabaseQueue(path: path)
        let result = try await copy.read { db in try String.fetchAll(db, sql: "PRAGMA integrity_check") }
        try copy.close()
        guard result == ["ok"] else { throw StoreError(kind: .backupFailed(result.joined(separator: "; "))) }
    }
}
