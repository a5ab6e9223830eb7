import CouponCore
import GRDB

extension SQLiteCouponStore {
    public func addConsoleUser(_ user: ConsoleUser, now: Instant) async throws {
        try await pool.write { db in
            if try Row.fetchOne(db, sql: "SELECT 1 FROM console_users WHERE name = ?", arguments: [user.name]) != nil {
                throw ConsoleUserExists(name: user.name)
            }
            try db.run(
                sql: "INSERT INTO console_users (name, role, password_hash, created_by, created_at) VALUES (?, ?, ?, ?, ?)",
                arguments: [user.name, user.role.rawValue, user.passwordHash, user.createdBy, now.secondsSince1970])
        }
    }

    public func consoleUser(name: String) async throws -> ConsoleUser? {
        try await pool.read { db in
            try Row.fetchOne(db, sql: "SELECT * FROM console_users WHERE name = ?", arguments: [name]).map(Self.user)
        }
    }

    public func consoleUsers() async throws -> [ConsoleUser] {
        try await pool.read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM console_users ORDER BY name").map(Self.user)
        }
    }

    static func user(_ row: Row) throws -> ConsoleUser {
        guard let role = ConsoleUser.Role(rawValue: row["role"]) else { throw StoreError(kind: .corruptRow("user role")) }
        return ConsoleUser(
            name: row["name"], role: role, passwordHash: row["password_hash"], createdBy: row["created_by"])
    }

    public func startSession(_ session: ConsoleSession) async throws {
        try await pool.write { db in
            try db.run(
                sql: """
                    INSERT INTO console_sessions (id_hash, actor, role, csrf, created_at, last_seen)
                    VALUES (?, ?, ?, ?, ?, ?)
                    """,
                arguments: [
                    session.idHash, session.actor, session.role.rawValue, session.csrf,
                    session.createdAt.secondsSince1970, session.lastSeen.secondsSince1970,
                ])
        }
    }

    public func session(idHash: String) async throws -> ConsoleSession? {
        // Made into a ConsoleSession inside the read: a Row is not Sendable, and with it GRDB's
        // blocking read would be chosen.
        try await pool.read { db in
            guard
                let row = try Row.fetchOne(
                    db, sql: "SELECT * FROM console_sessions WHERE id_hash = ? AND ended_at IS NULL", arguments: [idHash])
            else { return nil }
            guard let role = ConsoleUser.Role(rawValue: row["role"]) else {
                throw StoreError(kind: .corruptRow("session role"))
            }
            return ConsoleSession(
                idHash: row["id_hash"], actor: row["actor"], role: role, csrf: row["csrf"],
                createdAt: Instant(secondsSince1970: row["created_at"]), lastSeen: Instant(secondsSince1970: row["last_seen"]))
        }
    }

    public func touchSession(idHash: String, now: Instant) async throws {
        try await pool.write { db in
            try db.run(
                sql: "UPDATE console_sessions SET last_seen = ? WHERE id_hash = ? AND ended_at IS NULL",
                arguments: [now.secondsSince1970, idHash])
        }
    }

    public func endSession(idHash: String, now: Instant) async throws {
        try await pool.write { db in
            try db.run(
                sql: "UPDATE console_sessions SET ended_at = ? WHERE id_hash = ? AND ended_at IS NULL",
                arguments: [now.secondsSince1970, idHash])
        }
    }

    public func logConsole(_ event: ConsoleEvent) async throws {
        try await pool.write { db in
            try db.run(
                sql: "INSERT INTO console_log (at, actor, action, target, detail) VALUES (?, ?, ?, ?, ?)",
                arguments: [event.at.secondsSince1970, event.actor, event.action, event.target, event.detail])
        }
    }

    public func consoleLog(before: Int64?, limit: Int) async throws -> [ConsoleEvent] {
        try await pool.read { db in
            try Row.fetchAll(
                db, sql: "SELECT * FROM console_log WHERE seq < ? ORDER BY seq DESC LIMIT ?",
                arguments: [before ?? Int64.max, limit]
            ).map {
                ConsoleEvent(
                    seq: $0["seq"], at: Instant(secondsSince1970: $0["at"]), actor: $0["actor"], action: $0["action"],
                    target: $0["target"], detail: $0["detail"])
            }
        }
    }

    public func searchCoupons(_ query: CouponQuery, after: String?, limit: Int) async throws -> [CouponRecord] {
        let (condition, value): (String, String?) =
            switch query {
            case .all: ("1", nil)
            case .id(let id): ("id = ?", id)
            case .lastFour(let four): ("last_four = ?", four)
            case .campaign(let name): ("campaign = ?", name)
            case .phone(let phone): ("phone = ?", phone)
            }
        var arguments: StatementArguments = value.map { [$0] } ?? []
        arguments += [after ?? "", limit]
        return try await pool.read { [arguments] db in
            try Row.fetchAll(
                db, sql: "SELECT * FROM coupons WHERE \(condition) AND id > ? ORDER BY id LIMIT ?", arguments: arguments
            ).map(Self.record)
        }
    }

    static func ledgerPage(_ db: Database, couponID: String, currency: Currency, before: Int64?, limit: Int) throws
        -> [LedgerEntry]
    {
        try Row.fetchAll(
            db, sql: "SELECT * FROM ledger WHERE coupon_id = ? AND seq < ? ORDER BY seq DESC LIMIT ?",
            arguments: [couponID, before ?? Int64.max, limit]
        ).map { try Self.ledgerEntry($0, currency: currency) }
    }

    static func latestSettlements(_ db: Database, couponID: String, limit: Int) throws -> [SettlementRecord] {
        try String.fetchAll(
            db, sql: "SELECT id FROM settlements WHERE coupon_id = ? ORDER BY created_at DESC, id DESC LIMIT ?",
            arguments: [couponID, limit]
        ).compactMap { try Self.fetchSettlement(db, id: $0) }
    }

    public func couponPage(id: String, ledgerBefore: Int64?, ledgerLimit: Int, settlementLimit: Int) async throws
        -> CouponPage?
    {
        try await pool.read { db in
            guard let coupon = try Self.fetchCoupon(db, sql: "SELECT * FROM coupons WHERE id = ?", id) else { return nil }
            return CouponPage(
                coupon: coupon,
                ledger: try Self.ledgerPage(
                    db, couponID: id, currency: coupon.snapshot.balance.currency, before: ledgerBefore, limit: ledgerLimit),
                settlements: try Self.latestSettlements(db, couponID: id, limit: settlementLimit))
        }
    }

    public func openHoldCount() async throws -> Int {
        try await pool.read { db in
            try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM settlements WHERE status = 'held'") ?? 0
        }
    }
}
