import CouponCore
import Foundation
import PostgresNIO

extension PostgresCouponStore {
    /// Signs and queues the next state of a coupon that carries its balance on the phone (nil for
    /// any other coupon), in the caller's transaction; the coupon is locked.
    static func sendState(_ tx: PostgresTransaction, couponID: String, states: PhoneStates?, now: Instant)
        async throws -> SignedBalance?
    {
        guard let coupon = try await lockCoupon(tx, id: couponID), coupon.signedBalance != nil else { return nil }
        guard let states else { throw StoreError(kind: .noStateKey) }
        let snapshot = coupon.snapshot
        let next = try states.next(
            coupon, balance: snapshot.balance.minorUnits, held: snapshot.held.minorUnits,
            expiresAt: snapshot.expiresAt, now: now)
        try await recordState(tx, coupon: coupon, next, available: snapshot.available.minorUnits, now: now)
        return next
    }

    /// Makes `state` the coupon's newest and puts it in the outbox, superseding a pending older one.
    static func recordState(
        _ tx: PostgresTransaction, coupon: CouponRecord, _ state: SignedBalance, available: Int64, now: Instant
    ) async throws {
        let sequence = Int64(state.sequence), id = SQLiteCouponStore.newID("msg")
        let currency = coupon.snapshot.balance.currency.code, expires = coupon.snapshot.expiresAt?.secondsSince1970
        try await tx.execute(
            """
            WITH s AS (UPDATE coupons SET state_seq = \(sequence), state_token = \(state.token) WHERE id = \(coupon.id)),
            o AS (UPDATE outbox SET status = 'superseded' WHERE coupon_id = \(coupon.id) AND status = 'pending')
            INSERT INTO outbox (id, coupon_id, sequence, state_token, balance, currency, expires_at, status, created_at)
            VALUES (\(id), \(coupon.id), \(sequence), \(state.token), \(max(0, available)), \(currency), \(expires),
                'pending', \(now.secondsSince1970))
            """)
    }

    /// Several deliverers at once each take rows no other has locked.
    public func claimOutbox(limit: Int, leaseSeconds: Int64, now: Instant) async throws -> [OutboxMessage] {
        let hasher = self.hasher
        let rows = try await write { tx in
            try await tx.rows(
                """
                WITH claimed AS (
                    SELECT id FROM outbox WHERE status = 'pending' AND claimed_until <= \(now.secondsSince1970)
                    ORDER BY created_at, id LIMIT \(Int64(limit)) FOR UPDATE SKIP LOCKED),
                u AS (
                    UPDATE outbox o SET claimed_until = \(now.secondsSince1970 + leaseSeconds), attempts = attempts + 1
                    FROM claimed WHERE o.id = claimed.id RETURNING o.*)
                SELECT u.*, c.sealed_code, c.phone, c.campaign FROM u JOIN coupons c ON c.id = u.coupon_id
                ORDER BY u.created_at, u.id
                """)
        }
        return try rows.map { row in
            let sealed = try row.get("sealed_code", as: ByteBuffer?.self)
            return try OutboxMessage.opened(
                id: try row.get("id"), couponID: try row.get("coupon_id"),
                sealedCode: sealed.map { Array($0.readableBytesView) },
                sequence: try row.get("sequence"), token: try row.get("state_token"), balance: try row.get("balance"),
                currency: try row.get("currency"), expiresAt: try row.get("expires_at"), phone: try row.get("phone"),
                campaign: try row.get("campaign"), createdAt: try row.get("created_at"),
                // RETURNING gives the count after this claim; a message tells the claims before it.
                attempts: try row.get("attempts", as: Int64.self) - 1, hasher: hasher)
        }
    }

    public func markDelivered(ids: [String], now: Instant) async throws -> Int {
        try await write { tx in
            try await tx.changes(
                """
                UPDATE outbox SET status = 'delivered', delivered_at = \(now.secondsSince1970)
                WHERE id = ANY(\(ids)) AND status = 'pending' RETURNING 1
                """)
        }
    }

    public func deferOutbox(ids: [String], until: Instant) async throws {
        try await write { tx in
            try await tx.execute(
                """
                UPDATE outbox SET claimed_until = \(until.secondsSince1970) WHERE id = ANY(\(ids)) AND status = 'pending'
                """)
        }
    }

    public func pendingOutbox() async throws -> Int {
        try await read { tx in
            Int(try await tx.row("SELECT COUNT(*) AS n FROM outbox WHERE status = 'pending'")?.get("n", as: Int64.self) ?? 0)
        }
    }
}
