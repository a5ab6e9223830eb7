import CouponCore
import Foundation
import PostgresNIO

extension PostgresCouponStore {
    public func setOfflineLimit(station: String, currency: Currency, limit: OfflineLimit?) async throws {
        let code = currency.code
        try await write { tx in
            if let limit {
                try await tx.execute(
                    """
                    INSERT INTO offline_limits (station, currency, per_sale, per_day)
                    VALUES (\(station), \(code), \(limit.perSale), \(limit.perDay))
                    ON CONFLICT (station, currency) DO UPDATE SET per_sale = excluded.per_sale, per_day = excluded.per_day
                    """)
            } else {
                try await tx.execute("DELETE FROM offline_limits WHERE station = \(station) AND currency = \(code)")
            }
        }
    }

    public func offlineLimits(station: String) async throws -> [OfflineLimit] {
        try await read { tx in
            try await tx.rows(
                "SELECT currency, per_sale, per_day FROM offline_limits WHERE station = \(station) ORDER BY currency"
            ).map { row in
                OfflineLimit(
                    currency: try Currency(code: try row.get("currency")), perSale: try row.get("per_sale"),
                    perDay: try row.get("per_day"))
            }
        }
    }

    public func offlineShortfalls() async throws -> [ShortfallRecord] {
        try await read { tx in
            try await tx.rows(
                """
                SELECT l.coupon_id, l.settlement_id, s.station, l.amount, c.currency, c.state, l.at
                FROM ledger l JOIN settlements s ON s.id = l.settlement_id JOIN coupons c ON c.id = l.coupon_id
                WHERE l.kind = 'offline_shortfall' ORDER BY l.seq
                """
            ).map { row in
                ShortfallRecord(
                    couponID: try row.get("coupon_id"), settlementID: try row.get("settlement_id"),
                    station: try row.get("station"),
                    amount: Money(minorUnits: try row.get("amount"), currency: try Currency(code: try row.get("currency"))),
                    couponState: try row.get("state"), at: Instant(secondsSince1970: try row.get("at")))
            }
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
            body: { tx in try await Self.applyOffline(tx, sale, codeHashes: hashes, states: states, now: now) },
            render: render)
    }

    /// The offline sale in the caller's transaction; the coupon is locked first.
    static func applyOffline(
        _ tx: PostgresTransaction, _ sale: OfflineSale, codeHashes: CodeHashes, states: PhoneStates?, now: Instant
    ) async throws -> OfflineOutcome {
        guard let coupon = try await findCoupon(tx, codeHashes: codeHashes) else {
            throw OfflineSaleRefused("unknown_coupon", "no coupon has this code")
        }
        let currency = coupon.snapshot.balance.currency
        let (stale, before, held, take, shortfall, after) = try sale.charge(on: coupon)
        let id = SQLiteCouponStore.newID("stl")
        let (total, madeAt, at) = (sale.total.minorUnits, sale.madeAt.secondsSince1970, now.secondsSince1970)
        try await tx.execute(
            """
            INSERT INTO settlements (id, coupon_id, station, status, total, charged, due, created_at,
                balance_before, balance_after, offline_made_at, shortfall, stale_state)
            VALUES (\(id), \(coupon.id), \(sale.station), 'captured', \(total), \(take), 0, \(at), \(before), \(after),
                \(madeAt), \(shortfall), \(stale))
            """)
        for (position, line) in sale.lines.enumerated() {
            let (code, name, price, quantity) = (
                line.product.code.value, line.product.name, line.product.price.minorUnits, line.quantity
            )
            try await tx.execute(
                """
                INSERT INTO settlement_lines (settlement_id, position, product_code, name, unit_price, quantity)
                VALUES (\(id), \(Int64(position + 1)), \(code), \(name), \(price), \(quantity))
                """)
        }
        let actor = sale.station
        try await tx.execute("UPDATE coupons SET balance = balance - \(take) WHERE id = \(coupon.id)")
        try await appendLedger(
            tx, coupon: coupon.id, kind: .capture, amount: take, balance: (before, after), held: (held, held),
            actor: actor, settlement: id, at: now)
        if shortfall > 0 {
            try await appendLedger(
                tx, coupon: coupon.id, kind: .offlineShortfall, amount: shortfall, balance: (after, after),
                held: (held, held), actor: actor, settlement: id, at: now)
            if coupon.snapshot.state != .blocked {
                try await tx.execute("UPDATE coupons SET state = 'blocked' WHERE id = \(coupon.id)")
                try await appendLedger(
                    tx, coupon: coupon.id, kind: .block, amount: 0, balance: (after, after), held: (held, held),
                    actor: "offline-review", settlement: id, at: now)
            }
        }
        let signed = try await sendState(tx, couponID: coupon.id, states: states, now: now)
        let record = try await fetchSettlement(tx, id: id)!
        return OfflineOutcome(
            settlement: record, shortfall: Money(minorUnits: shortfall, currency: currency), staleState: stale,
            signedBalance: signed)
    }
}
