import CouponCore
import Foundation
import PostgresNIO

/// Reports read one snapshot (repeatable read, read only). PostgreSQL sums `BIGINT` as
/// `NUMERIC`, so no sum can overflow; each comes back as text and is read into 128 bits.
extension PostgresCouponStore {
    public func openHolds() async throws -> (count: Int, amounts: [String: Int128]) {
        try await read { tx in
            let count =
                try await tx.row("SELECT COUNT(*) AS n FROM settlements WHERE status = 'held'")?
                .get("n", as: Int64.self) ?? 0
            var amounts: [String: Int128] = [:]
            for row in try await tx.rows("SELECT currency, SUM(held)::text AS held FROM coupons GROUP BY currency") {
                amounts[try row.get("currency")] = try row.wide("held")
            }
            return (Int(count), amounts)
        }
    }

    public func liability(asOf: Instant?) async throws -> [String: Int128] {
        let at = asOf?.secondsSince1970 ?? Int64.max
        return try await read { tx in
            var result: [String: Int128] = [:]
            for row in try await tx.rows(
                """
                SELECT c.currency, SUM(l.balance_after)::text AS outstanding
                FROM coupons c JOIN LATERAL (
                    SELECT balance_after FROM ledger WHERE coupon_id = c.id AND at <= \(at) ORDER BY seq DESC LIMIT 1
                ) l ON true
                GROUP BY c.currency
                """)
            {
                result[try row.get("currency")] = try row.wide("outstanding")
            }
            return result
        }
    }

    public func campaign(_ name: String) async throws -> [CampaignReport] {
        try await read { tx in
            try await tx.rows(
                """
                SELECT c.currency, COUNT(DISTINCT c.id) AS coupons,
                    COALESCE(SUM(CASE l.kind WHEN 'issue' THEN l.amount ELSE 0 END), 0)::text AS issued,
                    COALESCE(SUM(CASE l.kind WHEN 'load' THEN l.amount ELSE 0 END), 0)::text AS loaded,
                    COALESCE(SUM(CASE l.kind WHEN 'adjust' THEN l.amount ELSE 0 END), 0)::text AS adjusted,
                    COALESCE(SUM(CASE l.kind WHEN 'capture' THEN l.amount WHEN 'refund' THEN -l.amount ELSE 0 END), 0)::text
                        AS redeemed,
                    COALESCE(SUM(CASE l.kind WHEN 'expire' THEN l.amount ELSE 0 END), 0)::text AS expired,
                    (SELECT COALESCE(SUM(balance), 0) FROM coupons WHERE campaign = \(name) AND currency = c.currency)::text
                        AS outstanding
                FROM coupons c JOIN ledger l ON l.coupon_id = c.id
                WHERE c.campaign = \(name)
                GROUP BY c.currency ORDER BY c.currency
                """
            ).map { row in
                CampaignReport(
                    currency: try row.get("currency"), coupons: Int(try row.get("coupons", as: Int64.self)),
                    issued: try row.wide("issued"), loaded: try row.wide("loaded"), adjusted: try row.wide("adjusted"),
                    redeemed: try row.wide("redeemed"), expired: try row.wide("expired"),
                    outstanding: try row.wide("outstanding"))
            }
        }
    }

    public func daily(from: Instant, to: Instant, station: String?) async throws -> [DailyReport] {
        let (start, end) = (from.secondsSince1970, to.secondsSince1970)
        return try await read { tx in
            try await tx.rows(
                """
                SELECT s.station, c.currency,
                    (SELECT COUNT(*) FROM settlements s2 JOIN coupons c2 ON c2.id = s2.coupon_id
                     WHERE s2.station = s.station AND c2.currency = c.currency
                       AND s2.created_at >= \(start) AND s2.created_at < \(end)) AS settlements,
                    COALESCE(SUM(CASE l.kind WHEN 'capture' THEN l.amount ELSE 0 END), 0)::text AS captured,
                    COALESCE(SUM(CASE l.kind WHEN 'refund' THEN l.amount ELSE 0 END), 0)::text AS refunded,
                    COUNT(DISTINCT CASE WHEN l.kind = 'release' AND s.status = 'voided' THEN s.id END) AS voided,
                    COUNT(DISTINCT CASE WHEN l.kind = 'release' AND s.status = 'expired' THEN s.id END) AS expired_holds,
                    COUNT(DISTINCT CASE WHEN l.kind = 'capture' AND s.offline_made_at IS NOT NULL THEN s.id END)
                        AS offline,
                    COALESCE(SUM(CASE l.kind WHEN 'offline_shortfall' THEN l.amount ELSE 0 END), 0)::text AS shortfall
                FROM ledger l JOIN settlements s ON s.id = l.settlement_id JOIN coupons c ON c.id = l.coupon_id
                WHERE l.settlement_id IS NOT NULL AND l.at >= \(start) AND l.at < \(end)
                    AND (\(station)::text IS NULL OR s.station = \(station))
                GROUP BY s.station, c.currency ORDER BY s.station, c.currency
                """
            ).map { row in
                DailyReport(
                    station: try row.get("station"), currency: try row.get("currency"),
                    settlements: Int(try row.get("settlements", as: Int64.self)), captured: try row.wide("captured"),
                    refunded: try row.wide("refunded"), voided: Int(try row.get("voided", as: Int64.self)),
                    expiredHolds: Int(try row.get("expired_holds", as: Int64.self)),
                    offline: Int(try row.get("offline", as: Int64.self)), shortfall: try row.wide("shortfall"))
            }
        }
    }

    public func export(since: Instant, after: Int64, limit: Int) async throws -> [ExportRow] {
        try await read { tx in
            try await tx.rows(
                """
                SELECT l.*, c.currency FROM ledger l JOIN coupons c ON c.id = l.coupon_id
                WHERE l.at >= \(since.secondsSince1970) AND l.seq > \(after) ORDER BY l.seq LIMIT \(Int64(limit))
                """
            ).map { row in
                ExportRow(
                    seq: try row.get("seq"), at: Instant(secondsSince1970: try row.get("at")),
                    couponID: try row.get("coupon_id"), kind: try row.get("kind"), amount: try row.get("amount"),
                    currency: try row.get("currency"), balanceBefore: try row.get("balance_before"),
                    balanceAfter: try row.get("balance_after"), actor: try row.get("actor"),
                    settlementID: try row.get("settlement_id"))
            }
        }
    }

    /// PostgreSQL is backed up with its own tools, which copy a consistent snapshot while writers
    /// go on: `pg_dump` here (one file, custom format, mode 0600, then listed with `pg_restore -l`
    /// as its check); `pg_basebackup` and WAL archiving for point-in-time recovery
    /// (docs/operations.md).
    public func backup(to path: String) async throws {
        guard !FileManager.default.fileExists(atPath: path) else {
            throw StoreError(kind: .backupFailed("\(path) already exists"))
        }
        try PrivateFile.createEmpty(path)
        let location = self.location
        try await Task.detached {
            try Self.run(
                "pg_dump",
                [
                    "--format=custom", "--no-password", "--file", path, "--host", location.host, "--port",
                    String(location.port), "--username", location.user, location.database,
                ])
            try Self.run("pg_restore", ["--list", path])
        }.value
    }

    /// Runs a PostgreSQL client program (from PATH, or `PGBIN`) and fails with its standard error.
    static func run(_ program: String, _ arguments: [String]) throws {
        let environment = ProcessInfo.processInfo.environment
        let directories =
            [environment["PGBIN"]].compactMap { $0 }
            + (environment["PATH"] ?? "/usr/bin").split(separator: ":").map(String.init)
            + ["/usr/lib/postgresql/15/bin"]
        guard
            let executable = directories.map({ $0 + "/" + program }).first(where: {
                FileManager.default.isExecutableFile(atPath: $0)
            })
        else {
            throw StoreError(kind: .backupFailed("\(program) was not found; install postgresql-client"))
        }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        let errors = Pipe()
        process.standardError = errors
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        let message = errors.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            let text = String(decoding: message, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
            throw StoreError(kind: .backupFailed("\(program) failed: \(text)"))
        }
    }
}
