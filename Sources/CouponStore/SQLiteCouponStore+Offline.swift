import CouponCore
import Foundation
import GRDB

extension SQLiteCouponStore {
    public func setOfflineLimit(station: String, currency: Currency, limit: OfflineLimit?) async throws {
        try await pool.write { db in
            if let limit {
                try db.run(
                    sql: """
                        INSERT INTO offline_limits (station, currency, per_sale, per_day) VALUES (?, ?, ?, ?)
                        ON CONFLICT (station, currency) DO UPDATE SET per_sale = excluded.per_sale, per_day = excluded.per_day
                        """, arguments: [station, currency.code, limit.perSale, limit.perDay])
            } else {
                try db.run(
                    sql: "DELETE FROM offline_limits WHERE station = ? AND currency = ?",
                    arguments: [station, currency.code])
            }
        }
    }

    public func offlineLimits(station: String) async throws -> [OfflineLimit] {
        let rows = try await pool.read { db in
            try Row.fetchAll(
                db, sql: "SELECT currency, per_sale, per_day FROM offline_limits WHERE station = ? ORDER BY currency",
                arguments: [station]
            ).map { (currency: $0["currency"] as String, perSale: $0["per_sale"] as Int64, perDay: $0["per_day"] as Int64) }
        }
        return try rows.map { OfflineLimit(currency: try Currency(code: $0.currency), perSale: $0.perSale, perDay: $0.perDay) }
    }

    public func offlineShortfalls() async throws -> [ShortfallRecord] {
        let rows = try await pool.read { db in
            try Row.fetchAll(
                db,
                sql: """
                    SELECT l.coupon_id, l.settlement_id, s.station, l.amount, c.currency, c.state, l.at
                    FROM ledger l JOIN settlements s ON s.id = l.settlement_id JOIN coupons c ON c.id = l.coupon_id
                    WHERE l.kind = 'offline_shortfall' ORDER BY l.seq
                    """
            ).map {
                (
                    $0["coupon_id"] as String, $0["settlement_id"] as String, $0["station"] as String,
                    $0["amount"] as Int64, $0["currency"] as String, $0["state"] as String, $0["at"] as Int64
                )
            }
        }
        return try rows.map {
            ShortfallRecord(
                couponID: $0.0, settlementID: $0.1, station: $0.2,
                amount: Money(minorUnits: $0.3, currency: try Currency(code: $0.4)), couponState: $0.5,
                at: Instant(secondsSince1970: $0.6))
        }
    }

    public func applyOfflineSale(
        _ sale: OfflineSale, now: Instant, idempotency: IdempotencyKey,
        render: @escaping @Sendable (OfflineOutcome) throws -> StoredResponse
    ) async throws -> Idempotent<OfflineOutcome> {
        let hashes = hasher.hashes(sale.code)
        let states = phoneStates
        return try await idempotentWrite(
            idempotency, now: now,
            body: { db in try Self.applyOffline(db, sale, codeHashes: hashes, states: states, now: now) },
            render: render)
    }

    /// The offline sale in the caller's write transaction.
    static func applyOffline(
        _ db: Database, _ sale: OfflineSale, codeHashes: CodeHashes, states: PhoneStates?, now: Instant
    ) throws -> OfflineOutcome {
        guard let row = try findCoupon(db, codeHashes: codeHashes) else {
            throw OfflineSaleRefused("unknown_coupon", "no coupon has this code")
        }
        let coupon = try record(row)
        let currency = coupon.snapshot.balance.currency
        let (stale, before, held, take, shortfall, after) = try sale.charge(on: coupon)
        let id = newID("stl")
        try db.run(
            sql: """
                INSERT INTO settlements (id, coupon_id, station, status, total, charged, due, created_at,
                    balance_before, balance_after, offline_made_at, shortfall, stale_state)
                VALUES (?, ?, ?, 'captured', ?, ?, 0, ?, ?, ?, ?, ?, ?)
                """,
            arguments: [
                id, coupon.id, sale.station, sale.total.minorUnits, take, now.secondsSince1970, before, after,
                sale.madeAt.secondsSince1970, shortfall, stale,
            ])
        for line in sale.lines {
            try db.run(
                sql:
                    "INSERT INTO settlement_lines (settlement_id, product_code, name, unit_price, quantity) VALUES (?, ?, ?, ?, ?)",
                arguments: [id, line.product.code.value, line.product.name, line.product.price.minorUnits, line.quantity])
        }
        let actor = sale.station
        try db.run(sql: "UPDATE coupons SET balance = balance - ? WHERE id = ?", arguments: [take, coupon.id])
        try appendLedger(
            db, coupon: coupon.id, kind: .capture, amount: take, balance: (before, after), held: (held, held),
            actor: actor, settlement: id, at: now)
        if shortfall > 0 {
            try appendLedger(
                db, coupon: coupon.id, kind: .offlineShortfall, amount: shortfall, balance: (after, after),
                held: (held, held), actor: actor, settlement: id, at: now)
            if coupon.snapshot.state != .blocked {
                try db.run(sql: "UPDATE coupons SET state = 'blocked' WHERE id = ?", arguments: [coupon.id])
                try appendLedger(
                    db, coupon: coupon.id, kind: .block, amount: 0, balance: (after, after), held: (held, held),
                    actor: "offline-review", settlement: id, at: now)
            }
        }
        let signed = try sendState(db, couponID: coupon.id, states: states, now: now)
        let record = try fetchSettlement(db, id: id)!
        return OfflineOutcome(
            settlement: record, shortfall: Money(minorUnits: shortfall, currency: currency), staleState: stale,
            signedBalance: signed)
    }
}
