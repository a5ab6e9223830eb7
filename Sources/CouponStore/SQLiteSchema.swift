import GRDB

/// The SQLite schema, as GRDB migrations. A database with a migration this binary does not know
/// was written by a newer version, and is refused.
enum SQLiteSchema {
    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1") { db in
            try db.execute(
                sql: """
                    CREATE TABLE coupons (
                        id TEXT PRIMARY KEY,
                        code_hash TEXT NOT NULL UNIQUE,
                        last_four TEXT NOT NULL,
                        currency TEXT NOT NULL,
                        balance INTEGER NOT NULL CHECK (balance >= 0),
                        held INTEGER NOT NULL DEFAULT 0 CHECK (held >= 0 AND held <= balance),
                        state TEXT NOT NULL CHECK (state IN ('active', 'blocked', 'expired')),
                        expires_at INTEGER,
                        created_at INTEGER NOT NULL
                    );
                    CREATE TABLE products (
                        code TEXT PRIMARY KEY,
                        name TEXT NOT NULL,
                        price INTEGER NOT NULL CHECK (price >= 0),
                        currency TEXT NOT NULL
                    );
                    CREATE TABLE settlements (
                        id TEXT PRIMARY KEY,
                        coupon_id TEXT NOT NULL REFERENCES coupons(id),
                        station TEXT NOT NULL,
                        status TEXT NOT NULL,
                        total INTEGER NOT NULL,
                        charged INTEGER NOT NULL,
                        due INTEGER NOT NULL,
                        created_at INTEGER NOT NULL
                    );
                    CREATE TABLE settlement_lines (
                        settlement_id TEXT NOT NULL REFERENCES settlements(id),
                        product_code TEXT NOT NULL,
                        name TEXT NOT NULL,
                        unit_price INTEGER NOT NULL,
                        quantity INTEGER NOT NULL,
                        PRIMARY KEY (settlement_id, product_code)
                    );
                    CREATE TABLE ledger (
                        seq INTEGER PRIMARY KEY AUTOINCREMENT,
                        coupon_id TEXT NOT NULL REFERENCES coupons(id),
                        kind TEXT NOT NULL,
                        amount INTEGER NOT NULL,
                        balance_before INTEGER NOT NULL,
                        balance_after INTEGER NOT NULL,
                        held_before INTEGER NOT NULL,
                        held_after INTEGER NOT NULL,
                        actor TEXT NOT NULL,
                        settlement_id TEXT REFERENCES settlements(id),
                        at INTEGER NOT NULL
                    );
                    CREATE INDEX ledger_by_coupon ON ledger(coupon_id, seq);
                    -- The ledger is append-only.
                    CREATE TRIGGER ledger_no_update BEFORE UPDATE ON ledger BEGIN SELECT RAISE(ABORT, 'ledger is append-only'); END;
                    CREATE TRIGGER ledger_no_delete BEFORE DELETE ON ledger BEGIN SELECT RAISE(ABORT, 'ledger is append-only'); END;
                    """)
        }
        migrator.registerMigration("v2-holds") { db in
            try db.execute(
                sql: """
                    ALTER TABLE settlements ADD COLUMN balance_before INTEGER NOT NULL DEFAULT 0;
                    ALTER TABLE settlements ADD COLUMN balance_after INTEGER NOT NULL DEFAULT 0;
                    ALTER TABLE settlements ADD COLUMN hold_expires_at INTEGER;
                    CREATE INDEX settlements_open_holds ON settlements(hold_expires_at) WHERE status = 'held';
                    """)
        }
        migrator.registerMigration("v3-keys") { db in
            try db.execute(
                sql: """
                    CREATE TABLE api_keys (
                        id TEXT PRIMARY KEY,
                        key_hash TEXT NOT NULL UNIQUE,
                        role TEXT NOT NULL CHECK (role IN ('admin', 'station')),
                        station TEXT,
                        created_at INTEGER NOT NULL,
                        revoked_at INTEGER
                    );
                    """)
        }
        migrator.registerMigration("v4-idempotency") { db in
            try db.execute(
                sql: """
                    CREATE TABLE idempotency_keys (
                        scope TEXT NOT NULL,
                        key TEXT NOT NULL,
                        request_hash TEXT NOT NULL,
                        status INTEGER NOT NULL,
                        body BLOB NOT NULL,
                        created_at INTEGER NOT NULL,
                        PRIMARY KEY (scope, key)
                    );
                    CREATE INDEX idempotency_by_age ON idempotency_keys(created_at);
                    """)
        }
        migrator.registerMigration("v5-admin") { db in
            try db.execute(
                sql: """
                    ALTER TABLE coupons ADD COLUMN campaign TEXT;
                    ALTER TABLE coupons ADD COLUMN phone TEXT;
                    CREATE INDEX coupons_by_campaign ON coupons(campaign) WHERE campaign IS NOT NULL;
                    ALTER TABLE settlements ADD COLUMN refunded INTEGER NOT NULL DEFAULT 0;
                    ALTER TABLE settlement_lines ADD COLUMN refunded_quantity INTEGER NOT NULL DEFAULT 0;
                    CREATE INDEX ledger_by_time ON ledger(at);
                    """)
        }
        // Issue and reissue answers hold codes: their stored replays are sealed (AES-GCM).
        migrator.registerMigration("v6-sealed-replays") { db in
            try db.execute(sql: "ALTER TABLE idempotency_keys ADD COLUMN sealed INTEGER NOT NULL DEFAULT 0")
        }
        // Named admin keys (who issued, adjusted or refunded, in the ledger's actor).
        migrator.registerMigration("v7-key-names") { db in
            try db.execute(
                sql: """
                    ALTER TABLE api_keys ADD COLUMN name TEXT;
                    CREATE UNIQUE INDEX api_keys_by_name ON api_keys(name) WHERE name IS NOT NULL;
                    """)
        }
        // The code-hash secret's version each coupon's hash was made under (rotation).
        migrator.registerMigration("v8-hash-versions") { db in
            try db.execute(sql: "ALTER TABLE coupons ADD COLUMN hash_version INTEGER NOT NULL DEFAULT 1")
        }
        // The patent's first embodiment: a coupon whose signed balance goes back to its phone.
        migrator.registerMigration("v9-phone-balance") { db in
            try db.execute(sql: PhoneBalanceSchema.sqlite)
        }
        // Offline sales forwarded by tills, and the limits they sell within.
        migrator.registerMigration("v10-offline-sales") { db in
            try db.execute(sql: OfflineSchema.sqlite)
        }
        // The issuer's console: named users, sessions, its log, and the indexes its searches use.
        migrator.registerMigration("v11-console") { db in
            try db.execute(sql: ConsoleSchema.sqlite)
        }
        return migrator
    }
}
