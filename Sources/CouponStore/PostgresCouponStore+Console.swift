import CouponCore
import PostgresNIO

extension PostgresCouponStore {
    public func addConsoleUser(_ user: ConsoleUser, now: Instant) async throws {
        let (name, role, hash, by, at) = (
            user.name, user.role.rawValue, user.passwordHash, user.createdBy, now.secondsSince1970
        )
        try await write { tx in
            let added = try await tx.changes(
                """
                INSERT INTO console_users (name, role, password_hash, created_by, created_at)
                VALUES (\(name), \(role), \(hash), \(by), \(at)) ON CONFLICT (name) DO NOTHING RETURNING 1
                """)
            if added == 0 { throw ConsoleUserExists(name: name) }
        }
    }

    public func consoleUser(name: String) async throws -> ConsoleUser? {
        try await read { tx in
            try await tx.row("SELECT * FROM console_users WHERE name = \(name)").map(Self.user)
        }
    }

    public func consoleUsers() async throws -> [ConsoleUser] {
        try await read { tx in try await tx.rows("SELECT * FROM console_users ORDER BY name").map(Self.user) }
    }

    static func user(_ row: PostgresStoreRow) throws -> ConsoleUser {
        guard let role = ConsoleUser.Role(rawValue: try row.get("role")) else {
            throw StoreError(kind: .corruptRow("user role"))
        }
        return ConsoleUser(
            name: try row.get("name"), role: role, passwordHash: try row.get("password_hash"),
            createdBy: try row.get("created_by"))
    }

    public func startSession(_ session: ConsoleSession) async throws {
        let (hash, actor, role, csrf) = (session.idHash, session.actor, session.role.rawValue, session.csrf)
        let (created, seen) = (session.createdAt.secondsSince1970, session.lastSeen.secondsSince1970)
        try await write { tx in
            try await tx.execute(
                """
                INSERT INTO console_sessions (id_hash, actor, role, csrf, created_at, last_seen)
                VALUES (\(hash), \(actor), \(role), \(csrf), \(created), \(seen))
                """)
        }
    }

    public func session(idHash: String) async throws -> ConsoleSession? {
        try await read { tx in
            guard
                let row = try await tx.row(
                    "SELECT * FROM console_sessions WHERE id_hash = \(idHash) AND ended_at IS NULL")
            else { return nil }
            guard let role = ConsoleUser.Role(rawValue: try row.get("role")) else {
                throw StoreError(kind: .corruptRow("session role"))
            }
            return ConsoleSession(
                idHash: try row.get("id_hash"), actor: try row.get("actor"), role: role, csrf: try row.get("csrf"),
                createdAt: Instant(secondsSince1970: try row.get("created_at")),
                lastSeen: Instant(secondsSince1970: try row.get("last_seen")))
        }
    }

    public func touchSession(idHash: String, now: Instant) async throws {
        let at = now.secondsSince1970
        try await write { tx in
            try await tx.execute(
                "UPDATE console_sessions SET last_seen = \(at) WHERE id_hash = \(idHash) AND ended_at IS NULL")
        }
    }

    public func endSession(idHash: String, now: Instant) async throws {
        let at = now.secondsSince1970
        try await write { tx in
            try await tx.execute(
                "UPDATE console_sessions SET ended_at = \(at) WHERE id_hash = \(idHash) AND ended_at IS NULL")
        }
    }

    public func logConsole(_ event: ConsoleEvent) async throws {
        let (at, actor, action, target, detail) = (
            event.at.secondsSince1970, event.actor, event.action, event.target, event.detail
        )
        try await write { tx in
            try await tx.execute(
                """
                INSERT INTO console_log (at, actor, action, target, detail)
                VALUES (\(at), \(actor), \(action), \(target), \(detail))
                """)
        }
    }

    public func consoleLog(before: Int64?, limit: Int) async throws -> [ConsoleEvent] {
        let (before, limit) = (before ?? Int64.max, Int64(limit))
        return try await read { tx in
            try await tx.rows("SELECT * FROM console_log WHERE seq < \(before) ORDER BY seq DESC LIMIT \(limit)").map {
                ConsoleEvent(
                    seq: try $0.get("seq"), at: Instant(secondsSince1970: try $0.get("at")), actor: try $0.get("actor"),
                    action: try $0.get("action"), target: try $0.get("target"), detail: try $0.get("detail"))
            }
        }
    }

    public func searchCoupons(_ query: CouponQuery, after: String?, limit: Int) async throws -> [CouponRecord] {
        let (after, limit) = (after ?? "", Int64(limit))
        return try await read { tx in
            let rows: [PostgresStoreRow] =
                switch query {
                case .all:
                    try await tx.rows("SELECT * FROM coupons WHERE id > \(after) ORDER BY id LIMIT \(limit)")
                case .id(let id):
                    try await tx.rows("SELECT * FROM coupons WHERE id = \(id) AND id > \(after) LIMIT \(limit)")
                case .lastFour(let four):
                    try await tx.rows(
                        "SELECT * FROM coupons WHERE last_four = \(four) AND id > \(after) ORDER BY id LIMIT \(limit)")
                case .campaign(let name):
                    try await tx.rows(
                        "SELECT * FROM coupons WHERE campaign = \(name) AND id > \(after) ORDER BY id LIMIT \(limit)")
                case .phone(let phone):
                    try await tx.rows(
                        "SELECT * FROM coupons WHERE phone = \(phone) AND id > \(after) ORDER BY id LIMIT \(limit)")
                }
            return try rows.map(Self.record)
        }
    }

    static func ledgerPage(_ tx: PostgresTransaction, couponID: String, currency: Currency, before: Int64?, limit: Int)
        async throws -> [LedgerEntry]
    {
        let (before, limit) = (before ?? Int64.max, Int64(limit))
        return try await tx.rows(
            """
            SELECT * FROM ledger WHERE coupon_id = \(couponID) AND seq < \(before) ORDER BY seq DESC LIMIT \(limit)
            """
        ).map { try Self.ledgerEntry($0, currency: currency) }
    }

    static func latestSettlements(_ tx: PostgresTransaction, couponID: String, limit: Int) async throws -> [SettlementRecord] {
        let limit = Int64(limit)
        var result: [SettlementRecord] = []
        for row in try await tx.rows(
            """
            SELECT id FROM settlements WHERE coupon_id = \(couponID) ORDER BY created_at DESC, id DESC LIMIT \(limit)
            """)
        {
            if let settlement = try await Self.fetchSettlement(tx, id: try row.get("id")) { result.append(settlement) }
        }
        return result
    }

    public func couponPage(id: String, ledgerBefore: Int64?, ledgerLimit: Int, settlementLimit: Int) async throws
        -> CouponPage?
    {
        try await read { tx in
            guard let coupon = try await tx.row("SELECT * FROM coupons WHERE id = \(id)").map(Self.record) else { return nil }
            return CouponPage(
                coupon: coupon,
                ledger: try await Self.ledgerPage(
                    tx, couponID: id, currency: coupon.snapshot.balance.currency, before: ledgerBefore, limit: ledgerLimit),
                settlements: try await Self.latestSettlements(tx, couponID: id, limit: settlementLimit))
        }
    }

    public func openHoldCount() async throws -> Int {
        try await read { tx in
            Int(try await tx.row("SELECT COUNT(*) AS n FROM settlements WHERE status = 'held'")?.get("n", as: Int64.self) ?? 0)
        }
    }
}
