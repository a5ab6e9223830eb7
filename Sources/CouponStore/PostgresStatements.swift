import CouponCore
import PostgresNIO

/// A statement on the settle path, prepared once per connection (postgres-nio prepares it on a
/// connection's first use and then only binds and executes it), so PostgreSQL neither parses nor
/// plans it again on every sale. Every parameter is cast in the SQL, so its type does not depend
/// on the values bound the first time (a NULL, say).
protocol PreparedStoreStatement: PostgresPreparedStatement where Row == PostgresStoreRow {}

extension PreparedStoreStatement {
    func decodeRow(_ row: PostgresRow) throws -> PostgresStoreRow { PostgresStoreRow(row.makeRandomAccess()) }
}

extension PostgresTransaction {
    /// Every row of a prepared statement.
    func rows<Statement: PreparedStoreStatement>(_ statement: Statement) async throws -> [PostgresStoreRow] {
        var result: [PostgresStoreRow] = []
        for try await row in try await connection.execute(statement, logger: logger) { result.append(row) }
        return result
    }
}

/// Claims an idempotency key: one row when this transaction claimed it, none when another
/// request did (whose row this statement waited for, when it was not yet committed).
struct ClaimKeyStatement: PreparedStoreStatement {
    static let sql = """
        INSERT INTO idempotency_keys (scope, key, request_hash, status, body, sealed, created_at)
        VALUES ($1::text, $2::text, $3::text, 0, '\\x'::bytea, $4::boolean, $5::bigint)
        ON CONFLICT (scope, key) DO NOTHING RETURNING 1 AS claimed
        """
    var key: IdempotencyKey
    var sealed: Bool
    var now: Int64

    func makeBindings() throws -> PostgresBindings {
        var bindings = PostgresBindings(capacity: 5)
        bindings.append(key.scope)
        bindings.append(key.key)
        bindings.append(key.requestHash)
        bindings.append(sealed)
        bindings.append(now)
        return bindings
    }
}

/// The coupon whose code hash is one of `hashes`, locked, with the catalogue's rows for `codes`
/// as arrays in one row (one round trip for both).
struct LockCouponAndPriceStatement: PreparedStoreStatement {
    static let sql = """
        SELECT c.id, c.code_hash, c.last_four, c.currency, c.balance, c.held, c.state, c.expires_at, c.campaign,
            c.on_phone, c.state_seq, c.state_token, p.codes, p.names, p.prices, p.currencies
        FROM coupons c, LATERAL (
            SELECT array_agg(code ORDER BY code) AS codes, array_agg(name ORDER BY code) AS names,
                array_agg(price ORDER BY code) AS prices, array_agg(currency ORDER BY code) AS currencies
            FROM products WHERE code = ANY($2::text[])) p
        WHERE c.code_hash = ANY($1::text[])
        FOR UPDATE OF c
        """
    var hashes: [String]
    var codes: [String]

    func makeBindings() throws -> PostgresBindings {
        var bindings = PostgresBindings(capacity: 2)
        bindings.append(hashes)
        bindings.append(codes)
        return bindings
    }
}

/// The whole write of an approved settlement in one statement: the conditional deduction (or
/// hold), and only when it changed the coupon, the settlement, its lines in basket order, its
/// ledger lines in order, and the stored answer under its idempotency key (none matches when the
/// request had no key). Foreign keys are checked at the statement's end, when the settlement
/// row is there. `changed` is 0 when the balance no longer covered the charge, and then nothing
/// was written.
struct ApplySettlementStatement: PreparedStoreStatement {
    static let sql = """
        WITH coupon AS (
            UPDATE coupons SET balance = balance - CASE WHEN $3::boolean THEN $2::bigint ELSE 0 END,
                held = held + CASE WHEN $3::boolean THEN 0 ELSE $2::bigint END
            WHERE id = $1::text AND balance - held >= $2::bigint AND state = 'active'
            RETURNING id
        ), settlement AS (
            INSERT INTO settlements (id, coupon_id, station, status, total, charged, due, created_at,
                balance_before, balance_after, hold_expires_at)
            SELECT $4::text, id, $5::text, $6::text, $7::bigint, $2::bigint, $8::bigint, $9::bigint, $10::bigint,
                $11::bigint, $12::bigint
            FROM coupon
        ), settled_lines AS (
            INSERT INTO settlement_lines (settlement_id, position, product_code, name, unit_price, quantity)
            SELECT $4::text, line.position, line.code, line.name, line.price, line.quantity
            FROM coupon, unnest($13::bigint[], $14::text[], $15::text[], $16::bigint[], $17::bigint[])
                AS line(position, code, name, price, quantity)
        ), entries AS (
            INSERT INTO ledger (coupon_id, kind, amount, balance_before, balance_after, held_before, held_after,
                actor, settlement_id, at)
            SELECT coupon.id, entry.kind, $2::bigint, entry.balance_before, entry.balance_after, entry.held_before,
                entry.held_after, $5::text, $4::text, $9::bigint
            FROM coupon, unnest($18::text[], $19::bigint[], $20::bigint[], $21::bigint[], $22::bigint[])
                WITH ORDINALITY AS entry(kind, balance_before, balance_after, held_before, held_after, n)
            ORDER BY entry.n
        ), answer AS (
            UPDATE idempotency_keys SET status = $23::bigint, body = $24::bytea
            FROM coupon WHERE scope = $25::text AND key = $26::text
        )
        SELECT count(*) AS changed FROM coupon
        """

    /// One ledger line of the settlement.
    struct Entry {
        var kind: String
        var balance: (before: Int64, after: Int64)
        var held: (before: Int64, after: Int64)
    }

    var couponID: String
    var amount: Int64
    var capture: Bool
    var settlementID: String
    var station: String
    var total: Int64
    var due: Int64
    var now: Int64
    var balanceBefore: Int64
    var balanceAfter: Int64
    var holdExpiresAt: Int64?
    var lines: [PricedLine]
    var entries: [Entry]
    /// The answer to store, and under which key; nil without a key.
    var answer: (key: IdempotencyKey, response: StoredResponse)?

    func makeBindings() throws -> PostgresBindings {
        var bindings = PostgresBindings(capacity: 26)
        bindings.append(couponID)
        bindings.append(amount)
        bindings.append(capture)
        bindings.append(settlementID)
        bindings.append(station)
        bindings.append(capture ? "captured" : "held")
        bindings.append(total)
        bindings.append(due)
        bindings.append(now)
        bindings.append(balanceBefore)
        bindings.append(balanceAfter)
        bindings.append(holdExpiresAt)
        bindings.append(lines.indices.map { Int64($0) })
        bindings.append(lines.map(\.product.code.value))
        bindings.append(lines.map(\.product.name))
        bindings.append(lines.map(\.product.price.minorUnits))
        bindings.append(lines.map { Int64($0.quantity) })
        bindings.append(entries.map(\.kind))
        bindings.append(entries.map(\.balance.before))
        bindings.append(entries.map(\.balance.after))
        bindings.append(entries.map(\.held.before))
        bindings.append(entries.map(\.held.after))
        bindings.append(answer.map { Int64($0.response.status) })
        bindings.append(answer.map { ByteBuffer(bytes: $0.response.body) })
        bindings.append(answer?.key.scope)
        bindings.append(answer?.key.key)
        return bindings
    }
}

/// `BEGIN` and `COMMIT` of a write transaction, prepared like the rest of the settle path.
struct BeginStatement: PreparedStoreStatement {
    static let sql = "BEGIN"
    func makeBindings() throws -> PostgresBindings { PostgresBindings() }
}

struct CommitStatement: PreparedStoreStatement {
    static let sql = "COMMIT"
    func makeBindings() throws -> PostgresBindings { PostgresBindings() }
}
