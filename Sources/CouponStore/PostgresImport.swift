import CouponCore
import Foundation
import GRDB
import NIOCore
import PostgresNIO

/// What `coupon-server migrate` copied, table by table.
public struct ImportCounts: Sendable, Equatable, CustomStringConvertible {
    public var tables: [(name: String, rows: Int)] = []

    public static func == (a: ImportCounts, b: ImportCounts) -> Bool {
        a.tables.map(\.name) == b.tables.map(\.name) && a.tables.map(\.rows) == b.tables.map(\.rows)
    }

    public var description: String { tables.map { "\($0.name) \($0.rows)" }.joined(separator: ", ") }
}

extension PostgresCouponStore {
    /// The tables a shop moves with, in the order their references need, and each one's columns
    /// (a PostgreSQL expression where SQLite's type differs: booleans are integers there).
    static let importTables: [(name: String, columns: [String], select: String)] = [
        ("products", ["code", "name", "price", "currency"], "SELECT code, name, price, currency FROM products"),
        (
            "coupons",
            [
                "id", "code_hash", "last_four", "currency", "balance", "held", "state", "expires_at", "created_at",
                "campaign", "phone", "hash_version", "on_phone", "state_seq", "state_token", "sealed_code",
            ],
            """
            SELECT id, code_hash, last_four, currency, balance, held, state, expires_at, created_at, campaign, phone,
                hash_version, on_phone, state_seq, state_token, sealed_code FROM coupons
            """
        ),
        (
            "settlements",
            [
                "id", "coupon_id", "station", "status", "total", "charged", "due", "created_at", "balance_before",
                "balance_after", "hold_expires_at", "refunded", "offline_made_at", "shortfall", "stale_state",
            ],
            """
            SELECT id, coupon_id, station, status, total, charged, due, created_at, balance_before, balance_after,
                hold_expires_at, refunded, offline_made_at, shortfall, stale_state FROM settlements
            """
        ),
        (
            "settlement_lines",
            ["settlement_id", "position", "product_code", "name", "unit_price", "quantity", "refunded_quantity"],
            """
            SELECT settlement_id, rowid, product_code, name, unit_price, quantity, refunded_quantity
            FROM settlement_lines ORDER BY rowid
            """
        ),
        (
            "ledger",
            [
                "seq", "coupon_id", "kind", "amount", "balance_before", "balance_after", "held_before", "held_after",
                "actor", "settlement_id", "at",
            ],
            """
            SELECT seq, coupon_id, kind, amount, balance_before, balance_after, held_before, held_after, actor,
                settlement_id, at FROM ledger ORDER BY seq
            """
        ),
        (
            "offline_limits", ["station", "currency", "per_sale", "per_day"],
            "SELECT station, currency, per_sale, per_day FROM offline_limits"
        ),
        (
            "outbox",
            [
                "id", "coupon_id", "sequence", "state_token", "balance", "currency", "expires_at", "status",
                "attempts", "claimed_until", "created_at", "delivered_at",
            ],
            """
            SELECT id, coupon_id, sequence, state_token, balance, currency, expires_at, status, attempts,
                claimed_until, created_at, delivered_at FROM outbox
            """
        ),
        (
            "api_keys", ["id", "key_hash", "role", "station", "name", "created_at", "revoked_at"],
            "SELECT id, key_hash, role, station, name, created_at, revoked_at FROM api_keys"
        ),
        (
            "idempotency_keys", ["scope", "key", "request_hash", "status", "body", "sealed", "created_at"],
            "SELECT scope, key, request_hash, status, body, sealed <> 0, created_at FROM idempotency_keys"
        ),
    ]

    /// Copies every table of a SQLite store into this (empty) database in one transaction: all
    /// or nothing. The ledger keeps its sequence numbers; codes keep working because both stores
    /// use the same secrets (the data folder moves with the shop).
    /// - Throws: ``StoreError`` when this database already holds coupons, keys, products or ledger lines.
    public func importAll(from source: SQLiteCouponStore, progress: @Sendable (String, Int) -> Void = { _, _ in })
        async throws -> ImportCounts
    {
        // Read in one snapshot of the source (a running server may go on writing to it).
        let snapshot: [(name: String, columns: [String], rows: [[DatabaseValue]])] = try await source.pool.read { db in
            try Self.importTables.map { table in
                (table.name, table.columns, try Row.fetchAll(db, sql: table.select).map { Array($0.databaseValues) })
            }
        }
        return try await write { tx in
            for table in ["coupons", "products", "ledger", "api_keys", "settlements"] {
                if try await tx.row(PostgresQuery(unsafeSQL: "SELECT 1 FROM \(table) LIMIT 1")) != nil {
                    throw StoreError(
                        kind: .file("the target database is not empty (\(table) has rows); migrate only into a new one")
                    )
                }
            }
            var counts = ImportCounts()
            for table in snapshot {
                let perStatement = max(1, 20_000 / table.columns.count)
                var index = 0
                while index < table.rows.count {
                    let chunk = table.rows[index..<min(index + perStatement, table.rows.count)]
                    try await tx.execute(try Self.insert(table.name, table.columns, chunk))
                    index += chunk.count
                    progress(table.name, index)
                }
                counts.tables.append((table.name, table.rows.count))
            }
            // The ledger's identity goes on after the last copied number.
            try await tx.execute(
                "SELECT setval(pg_get_serial_sequence('ledger', 'seq'), GREATEST((SELECT MAX(seq) FROM ledger), 1))")
            return counts
        }
    }

    /// One multi-row `INSERT` of SQLite values, bound by their storage class.
    static func insert(_ table: String, _ columns: [String], _ rows: ArraySlice<[DatabaseValue]>) throws
        -> PostgresQuery
    {
        var binds = PostgresBindings(capacity: rows.count * columns.count)
        var tuples: [String] = []
        tuples.reserveCapacity(rows.count)
        var number = 0
        for row in rows {
            var marks: [String] = []
            for value in row {
                number += 1
                marks.append("$\(number)")
                switch value.storage {
                case .null: binds.appendNull()
                case .int64(let integer): binds.append(integer)
                case .double(let double):
                    throw StoreError(kind: .corruptRow("\(table) holds a floating-point value \(double)"))
                case .string(let text): binds.append(text)
                case .blob(let data): binds.append(ByteBuffer(bytes: data))
                }
            }
            tuples.append("(" + marks.joined(separator: ", ") + ")")
        }
        let overriding = table == "ledger" ? " OVERRIDING SYSTEM VALUE" : ""
        // `sealed` and `on_phone` arrive as 0/1 (SQLite booleans) and are bound as integers.
        let values = tuples.map { Self.castBooleans($0, columns: columns) }
        return PostgresQuery(
            unsafeSQL: "INSERT INTO \(table) (\(columns.joined(separator: ", ")))\(overriding) VALUES "
                + values.joined(separator: ", "),
            binds: binds)
    }

    /// The boolean columns, which SQLite stores as integers.
    static let booleanColumns: Set<String> = ["sealed", "on_phone", "stale_state"]

    /// `($1, ..., $6, ...)` with each boolean column's mark made `($6::bigint <> 0)`.
    static func castBooleans(_ tuple: String, columns: [String]) -> String {
        let positions = columns.indices.filter { booleanColumns.contains(columns[$0]) }
        guard !positions.isEmpty else { return tuple }
        var marks = tuple.dropFirst().dropLast().components(separatedBy: ", ")
        for position in positions { marks[position] = "(\(marks[position])::bigint <> 0)" }
        return "(" + marks.joined(separator: ", ") + ")"
    }
}
