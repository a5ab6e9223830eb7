import CouponCore
import GRDB

extension SQLiteCouponStore {
    /// Open holds: how many, and the amounts held per currency.
    public func openHolds() async throws -> (count: Int, amounts: [String: Int128]) {
        try await pool.read { db in
            let count = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM settlements WHERE status = 'held'") ?? 0
            var amounts: [String: Int128] = [:]
            for row in try Row.fetchAll(
                db, sql: "SELECT currency, \(WideSum.sql("held", as: "held")) FROM coupons GROUP BY currency")
            {
                amounts[row["currency"]] = WideSum.value(row, "held")
            }
            return (count, amounts)
        }
    }

    /// Outstanding balances per currency at `asOf` (now when nil), from the ledger: each coupon's
    /// balance after its last entry up to then.
    public func liability(asOf: Instant?) async throws -> [String: Int128] {
        try await pool.read { db in
            let rows = try Row.fetchAll(
                db,
                sql: """
                    SELECT c.currency, \(WideSum.sql("l.balance_after", as: "outstanding")), COUNT(*) AS coupons
                    FROM coupons c JOIN ledger l ON l.seq = (
                        SELECT MAX(seq) FROM ledger WHERE coupon_id = c.id AND at <= ?)
                    GROUP BY c.currency
                    """, arguments: [asOf?.secondsSince1970 ?? Int64.max])
            var result: [String: Int128] = [:]
            for row in rows { result[row["currency"]] = WideSum.value(row, "outstanding") }
            return result
        }
    }

    /// What a campaign issued, and where the money went.
    public func campaign(_ name: String) async throws -> [CampaignReport] {
        try await pool.read { db in
            try Row.fetchAll(
                db,
                sql: """
                    SELECT c.currency, COUNT(DISTINCT c.id) AS coupons,
                        \(WideSum.sql("CASE l.kind WHEN 'issue' THEN l.amount ELSE 0 END", as: "issued")),
                        \(WideSum.sql("CASE l.kind WHEN 'load' THEN l.amount ELSE 0 END", as: "loaded")),
                        \(WideSum.sql("CASE l.kind WHEN 'adjust' THEN l.amount ELSE 0 END", as: "adjusted")),
                        \(WideSum.sql(
                            "CASE l.kind WHEN 'capture' THEN l.amount WHEN 'refund' THEN -l.amount ELSE 0 END",
                            as: "redeemed")),
                        \(WideSum.sql("CASE l.kind WHEN 'expire' THEN l.amount ELSE 0 END", as: "expired"))
                    FROM coupons c JOIN ledger l ON l.coupon_id = c.id
                    WHERE c.campaign = ?
                    GROUP BY c.currency ORDER BY c.currency
                    """, arguments: [name]
            ).map { row in
                let outstanding =
                    try Row.fetchOne(
                        db,
                        sql:
                            "SELECT \(WideSum.sql("balance", as: "outstanding")) FROM coupons WHERE campaign = ? AND currency = ?",
                        arguments: [name, row["currency"] as String]
                    ).map { WideSum.value($0, "outstanding") } ?? 0
                return CampaignReport(
                    currency: row["currency"], coupons: row["coupons"], issued: WideSum.value(row, "issued"),
                    loaded: WideSum.value(row, "loaded"), adjusted: WideSum.value(row, "adjusted"),
                    redeemed: WideSum.value(row, "redeemed"), expired: WideSum.value(row, "expired"),
                    outstanding: outstanding)
            }
        }
    }

    /// A day's totals per station (`from` to `to`, the day's bounds in the shop's zone).
    public func daily(from: Instant, to: Instant, station: String?) async throws -> [DailyReport] {
        try await pool.read { db in
            try Row.fetchAll(
                db,
                sql: """
                    SELECT s.station, c.currency,
                        (SELECT COUNT(*) FROM settlements s2 JOIN coupons c2 ON c2.id = s2.coupon_id
                         WHERE s2.station = s.station AND c2.currency = c.currency
                           AND s2.created_at >= ? AND s2.created_at < ?) AS settlements,
                        \(WideSum.sql("CASE l.kind WHEN 'capture' THEN l.amount ELSE 0 END", as: "captured")),
                        \(WideSum.sql("CASE l.kind WHEN 'refund' THEN l.amount ELSE 0 END", as: "refunded")),
                        COUNT(DISTINCT CASE WHEN l.kind = 'release' AND s.status = 'voided' THEN s.id END) AS voided,
                        COUNT(DISTINCT CASE WHEN l.kind = 'release' AND s.status = 'expired' THEN s.id END)
                            AS expired_holds,
                        COUNT(DISTINCT CASE WHEN l.kind = 'capture' AND s.offline_made_at IS NOT NULL THEN s.id END)
                            AS offline,
                        \(WideSum.sql("CASE l.kind WHEN 'offline_shortfall' THEN l.amount ELSE 0 END", as: "shortfall"))
                    FROM ledger l JOIN settlements s ON s.id = l.settlement_id JOIN coupons c ON c.id = l.coupon_id
                    WHERE l.settlement_id IS NOT NULL AND l.at >= ? AND l.at < ? AND (? IS NULL OR s.station = ?)
                    GROUP BY s.station, c.currency ORDER BY s.station, c.currency
                    """,
                arguments: [
                    from.secondsSince1970, to.secondsSince1970, from.secondsSince1970, to.secondsSince1970, station,
                    station,
                ]
            ).map { row in
                DailyReport(
                    station: row["station"], currency: row["currency"], settlements: row["settlements"],
                    captured: WideSum.value(row, "captured"), refunded: WideSum.value(row, "refunded"),
                    voided: row["voided"],
                    expiredHolds: row["expired_holds"], offline: row["offline"],
                    shortfall: WideSum.value(row, "shortfall"))
            }
        }
    }

    /// Ledger entries from `since`, oldest first, at most `limit`, after sequence `after`.
    public func export(since: Instant, after: Int64, limit: Int) async throws -> [ExportRow] {
        try await pool.read { db in
            try Row.fetchAll(
                db,
                sql: """
                    SELECT l.*, c.currency FROM ledger l JOIN coupons c ON c.id = l.coupon_id
                    WHERE l.at >= ? AND l.seq > ? ORDER BY l.seq LIMIT ?
                    """, arguments: [since.secondsSince1970, after, limit]
            ).map { row in
                ExportRow(
                    seq: row["seq"], at: Instant(secondsSince1970: row["at"]), couponID: row["coupon_id"],
                    kind: row["kind"], amount: row["amount"], currency: row["currency"],
                    balanceBefore: row["balance_before"], balanceAfter: row["balance_after"], actor: row["actor"],
                    settlementID: row["settlement_id"])
            }
        }
    }
}
