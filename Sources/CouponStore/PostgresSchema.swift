import CouponCore
import Foundation

/// The PostgreSQL schema, as numbered migrations, each applied in one transaction under an
/// advisory lock (several servers may start at once). A database with a migration this binary
/// does not know was written by a newer version, and is refused, as for SQLite.
///
/// The tables and their meaning are SQLite's (``SQLiteSchema``, all of its migrations at once),
/// with PostgreSQL's types: `BIGINT` for every amount and instant, `BYTEA` for stored bodies, an
/// identity column for the ledger's order, and the append-only ledger enforced by a trigger.
enum PostgresSchema {
    /// The advisory lock key migrations take (any constant that no other program uses).
    static let migrationLock: Int64 = 0x436F_7570_6F6E_4D69  // "CouponMi"

    static let migrations: [(version: Int64, sql: String)] = [
        (
            1,
            """
            CREATE TABLE coupons (
                id TEXT PRIMARY KEY,
                code_hash TEXT NOT NULL UNIQUE,
                last_four TEXT NOT NULL,
                currency TEXT NOT NULL,
                balance BIGINT NOT NULL CHECK (balance >= 0),
                held BIGINT NOT NULL DEFAULT 0 CHECK (held >= 0 AND held <= balance),
                state TEXT NOT NULL CHECK (state IN ('active', 'blocked', 'expired')),
                expires_at BIGINT,
                created_at BIGINT NOT NULL,
                campaign TEXT,
                phone TEXT,
                hash_version BIGINT NOT NULL DEFAULT 1
            );
            CREATE INDEX coupons_by_campaign ON coupons(campaign) WHERE campaign IS NOT NULL;
            CREATE INDEX coupons_to_expire ON coupons(expires_at) WHERE state <> 'expired' AND expires_at IS NOT NULL;
            CREATE INDEX coupons_by_last_four ON coupons(last_four);
            CREATE TABLE products (
                code TEXT PRIMARY KEY,
                name TEXT NOT NULL,
                price BIGINT NOT NULL CHECK (price >= 0),
                currency TEXT NOT NULL
            );
            CREATE TABLE settlements (
                id TEXT PRIMARY KEY,
                coupon_id TEXT NOT NULL REFERENCES coupons(id),
                station TEXT NOT NULL,
                status TEXT NOT NULL,
                total BIGINT NOT NULL,
                charged BIGINT NOT NULL,
                due BIGINT NOT NULL,
                created_at BIGINT NOT NULL,
                balance_before BIGINT NOT NULL,
                balance_after BIGINT NOT NULL,
                hold_expires_at BIGINT,
                refunded BIGINT NOT NULL DEFAULT 0
            );
            CREATE INDEX settlements_open_holds ON settlements(hold_expires_at) WHERE status = 'held';
            CREATE INDEX settlements_by_coupon ON settlements(coupon_id);
            CREATE INDEX settlements_by_time ON settlements(created_at);
            CREATE TABLE settlement_lines (
                settlement_id TEXT NOT NULL REFERENCES settlements(id),
                position BIGINT NOT NULL,
                product_code TEXT NOT NULL,
                name TEXT NOT NULL,
                unit_price BIGINT NOT NULL,
                quantity BIGINT NOT NULL,
                refunded_quantity BIGINT NOT NULL DEFAULT 0,
                PRIMARY KEY (settlement_id, product_code)
            );
            CREATE TABLE ledger (
                seq BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
                coupon_id TEXT NOT NULL REFERENCES coupons(id),
                kind TEXT NOT NULL,
                amount BIGINT NOT NULL,
                balance_before BIGINT NOT NULL,
                balance_after BIGINT NOT NULL,
                held_before BIGINT NOT NULL,
                held_after BIGINT NOT NULL,
                actor TEXT NOT NULL,
                settlement_id TEXT REFERENCES settlements(id),
                at BIGINT NOT NULL
            );
            CREATE INDEX ledger_by_coupon ON ledger(coupon_id, seq);
            CREATE INDEX ledger_by_time ON ledger(at);
            CREATE INDEX ledger_by_settlement ON ledger(settlement_id) WHERE settlement_id IS NOT NULL;
            -- The ledger is append-only: no row is changed or removed, and the table is not emptied.
            CREATE FUNCTION ledger_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
                BEGIN RAISE EXCEPTION 'ledger is append-only'; END $$;
            CREATE TRIGGER ledger_no_change BEFORE UPDATE OR DELETE ON ledger
                FOR EACH ROW EXECUTE FUNCTION ledger_append_only();
            CREATE TRIGGER ledger_no_truncate BEFORE TRUNCATE ON ledger
                FOR EACH STATEMENT EXECUTE FUNCTION ledger_append_only();
            CREATE TABLE api_keys (
                id TEXT PRIMARY KEY,
                key_hash TEXT NOT NULL UNIQUE,
                role TEXT NOT NULL CHECK (role IN ('admin', 'station')),
                station TEXT,
                name TEXT,
                created_at BIGINT NOT NULL,
                revoked_at BIGINT
            );
            CREATE UNIQUE INDEX api_keys_by_name ON api_keys(name) WHERE name IS NOT NULL;
            CREATE TABLE idempotency_keys (
                scope TEXT NOT NULL,
                key TEXT NOT NULL,
                request_hash TEXT NOT NULL,
                status BIGINT NOT NULL,
                body BYTEA NOT NULL,
                sealed BOOLEAN NOT NULL DEFAULT false,
                created_at BIGINT NOT NULL,
                PRIMARY KEY (scope, key)
            );
            CREATE INDEX idempotency_by_age ON idempotency_keys(created_at);
            -- A check value of each code-hash secret (an HMAC of a constant, not the secret): every
            -- server on this database must hold the same secrets.
            CREATE TABLE secret_checks (
                version BIGINT PRIMARY KEY,
                check_value TEXT NOT NULL
            );
            """
        ),
        (2, PhoneBalanceSchema.postgres),
        (3, OfflineSchema.postgres),
        (4, ConsoleSchema.postgres),
    ]

    /// A migration's statements one by one (the extended query protocol runs one per query): split
    /// after each line that ends in `;` outside a `$$` body.
    static func statements(_ sql: String) -> [String] {
        var result: [String] = []
        var current: [Substring] = []
        var inBody = false
        for line in sql.split(separator: "\n", omittingEmptySubsequences: false) {
            if line.trimmingCharacters(in: .whitespaces).hasPrefix("--") { continue }
            current.append(line)
            if line.components(separatedBy: "$$").count % 2 == 0 { inBody.toggle() }
            if !inBody, line.hasSuffix(";") {
                result.append(current.joined(separator: "\n"))
                current = []
            }
        }
        let rest = current.joined(separator: "\n").trimmingCharacters(in: .whitespacesAndNewlines)
        if !rest.isEmpty { result.append(rest) }
        return result
    }

    /// The newest version this binary knows.
    static var latest: Int64 { migrations.map(\.version).max() ?? 0 }
}
