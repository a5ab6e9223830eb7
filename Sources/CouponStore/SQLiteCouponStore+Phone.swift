import CouponCore
import Foundation
import GRDB

extension SQLiteCouponStore {
    /// Signs and queues the next state of a coupon that carries its balance on the phone (nil for
    /// any other coupon), in the caller's write transaction.
    static func sendState(_ db: Database, couponID: String, states: PhoneStates?, now: Instant) throws
        -> SignedBalance?
    {
        guard let coupon = try fetchCoupon(db, sql: "SELECT * FROM coupons WHERE id = ?", couponID),
            coupon.signedBalance != nil
        else { return nil }
        guard let states else { throw StoreError(kind: .noStateKey) }
        let snapshot = coupon.snapshot
        let next = try states.next(
            coupon, balance: snapshot.balance.minorUnits, held: snapshot.held.minorUnits,
            expiresAt: snapshot.expiresAt, now: now)
        try recordState(db, coupon: coupon, next, available: snapshot.available.minorUnits, now: now)
        return next
    }

    /// Makes `state` the coupon's newest and puts it in the outbox, superseding a pending older one.
    static func recordState(
        _ db: Database, coupon: CouponRecord, _ state: SignedBalance, available: Int64, now: Instant
    ) throws {
        try db.run(
            sql: "UPDATE coupons SET state_seq = ?, state_token = ? WHERE id = ?",
            arguments: [Int64(state.sequence), state.token, coupon.id])
        try db.run(
            sql: "UPDATE outbox SET status = 'superseded' WHERE coupon_id = ? AND status = 'pending'",
            arguments: [coupon.id])
        try db.run(
            sql: """
                INSERT INTO outbox (id, coupon_id, sequence, state_token, balance, currency, expires_at, status, created_at)
                VALUES (?, ?, ?, ?, ?, ?, ?, 'pending', ?)
                """,
            arguments: [
                newID("msg"), coupon.id, Int64(state.sequence), state.token, max(0, available),
                coupon.snapshot.balance.currency.code, coupon.snapshot.expiresAt?.secondsSince1970,
                now.secondsSince1970,
            ])
    }

    public func claimOutbox(limit: Int, leaseSeconds: Int64, now: Instant) async throws -> [OutboxMessage] {
        let hasher = self.hasher
        return try await pool.write { db in
            let rows = try db.rows(
                sql: """
                    SELECT o.*, c.sealed_code, c.phone, c.campaign FROM outbox o JOIN coupons c ON c.id = o.coupon_id
                    WHERE o.status = 'pending' AND o.claimed_until <= ? ORDER BY o.created_at, o.id LIMIT ?
                    """, arguments: [now.secondsSince1970, limit])
            for row in rows {
                try db.run(
                    sql: "UPDATE outbox SET claimed_until = ?, attempts = attempts + 1 WHERE id = ?",
                    arguments: [now.secondsSince1970 + leaseSeconds, row["id"] as String])
            }
            return try rows.map { row in
                try OutboxMessage.opened(
                id: row["id"], couponID: row["coupon_id"], sealedCode: (row["sealed_code"] as Data?).map { [UInt8]($0) },
                sequence: row["sequence"], token: row["state_token"], balance: row["balance"],
                currency: row["currency"], expiresAt: row["expires_at"], phone: row["phone"],
                    campaign: row["campaign"], createdAt: row["created_at"], attempts: row["attempts"], hasher: hasher)
            }
        }
    }

    public func markDelivered(ids: [String], now: Instant) async throws -> Int {
        try await pool.write { db in
            var changed = 0
            for id in ids {
                try db.run(
                    sql: "UPDATE outbox SET status = 'delivered', delivered_at = ? WHERE id = ? AND status = 'pending'",
                    arguments: [now.secondsSince1970, id])
                changed += db.changesCount
            }
            return changed
        }
    }

    public func deferOutbox(ids: [String], until: Instant) async throws {
        try await pool.write { db in
            for id in ids {
                try db.run(
                    sql: "UPDATE outbox SET claimed_until = ? WHERE id = ? AND status = 'pending'",
                    arguments: [until.secondsSince1970, id])
            }
        }
    }

    public func pendingOutbox() async throws -> Int {
        try await pool.read { db in try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM outbox WHERE status = 'pending'") ?? 0 }
    }
}

extension OutboxMessage {
    /// A claimed row, its coupon's code opened from the seal.
    static func opened(
        id: String, couponID: String, sealedCode: [UInt8]?, sequence: Int64, token: String, balance: Int64,
        currency: String, expiresAt: Int64?, phone: String?, campaign: String?, createdAt: Int64, attempts: Int64,
        hasher: CodeHasher
    ) throws -> OutboxMessage {
        guard let sealedCode, let opened = try? hasher.open(sealedCode),
            let code = try? CouponCode(parsing: String(decoding: opened, as: UTF8.self))
        else {
            throw StoreError(kind: .corruptRow("outbox \(id): the coupon's sealed code cannot be opened with this server's secrets"))
        }
        return OutboxMessage(
            id: id, couponID: couponID, code: code,
            state: SignedBalance(sequence: UInt32(truncatingIfNeeded: sequence), token: token),
            balance: Money(minorUnits: balance, currency: try Currency(code: currency)),
            expiresAt: expiresAt.map(Instant.init), phone: phone, campaign: campaign,
            createdAt: Instant(secondsSince1970: createdAt), attempts: Int(attempts))
    }
}
