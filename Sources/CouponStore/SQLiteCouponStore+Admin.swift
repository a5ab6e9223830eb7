import CouponCore
import Foundation
import GRDB

extension SQLiteCouponStore {
    public func issue(
        _ requests: [IssueRequest], actor: String, now: Instant, idempotency: IdempotencyKey?,
        render: @escaping @Sendable ([IssuedCoupon]) throws -> StoredResponse
    ) async throws -> Idempotent<[IssuedCoupon]> {
        for request in requests { try checkBalance(request.initial.minorUnits, currency: request.initial.currency) }
        let work = issueWork(requests, actor: actor, now: now)
        guard let idempotency else {
            let issued = try await pool.write(work)
            return .fresh(issued, try render(issued))
        }
        return try await idempotentWrite(idempotency, now: now, sealed: true, body: work, render: render)
    }

    /// The write that issues `requests`, with codes drawn now (outside the transaction).
    func issueWork(_ requests: [IssueRequest], actor: String, now: Instant)
        -> @Sendable (Database) throws -> [IssuedCoupon]
    {
        let codes = requests.map { _ in CouponCode.generate() }
        let hashes = codes.map(hasher.hash)
        let version = hasher.currentVersion
        let states = phoneStates
        let sealed = Result {
            try requests.indices.map { requests[$0].balanceOnPhone ? try hasher.seal(Array(codes[$0].value.utf8)) : nil }
        }
        return { db in
            let sealed = try sealed.get()
            var issued: [IssuedCoupon] = []
            issued.reserveCapacity(requests.count)
            for (index, request) in requests.enumerated() {
                var coupon = try Self.issue(
                    db, code: codes[index], codeHash: hashes[index], hashVersion: version, initial: request.initial,
                    expiresAt: request.expiresAt, actor: actor, now: now)
                if request.campaign != nil || request.phone != nil {
                    try db.execute(
                        sql: "UPDATE coupons SET campaign = ?, phone = ? WHERE id = ?",
                        arguments: [request.campaign, request.phone, coupon.record.id])
                }
                coupon.record.campaign = request.campaign
                if let sealedCode = sealed[index] {
                    guard let states else { throw StoreError(kind: .noStateKey) }
                    let signed = try states.sign(
                        couponID: coupon.record.id, available: request.initial, expiresAt: request.expiresAt,
                        sequence: 1, now: now)
                    try db.execute(
                        sql: "UPDATE coupons SET on_phone = 1, state_seq = 1, state_token = ?, sealed_code = ? WHERE id = ?",
                        arguments: [signed.token, Data(sealedCode), coupon.record.id])
                    coupon.record.signedBalance = signed
                }
                issued.append(coupon)
            }
            return issued
        }
    }

    public func load(
        couponID: String, amount: Money, reference: String, actor: String, now: Instant,
        idempotency: IdempotencyKey?, render: @escaping @Sendable (CouponRecord) throws -> StoredResponse
    ) async throws -> Idempotent<CouponRecord> {
        guard amount.minorUnits > 0 else { throw AdminError.emptyChange("a load adds more than nothing") }
        let store = self
        return try await change(
            couponID: couponID, currency: amount.currency, now: now, idempotency: idempotency, render: render
        ) { db, row in
            guard row.snapshot.state != .expired else {
                throw AdminError.wrongState("an expired coupon cannot be loaded")
            }
            let (balance, held) = (row.snapshot.balance.minorUnits, row.snapshot.held.minorUnits)
            let (after, overflow) = balance.addingReportingOverflow(amount.minorUnits)
            guard !overflow else { throw MoneyError.overflow }
            try store.checkBalance(after, currency: amount.currency)
            try db.execute(sql: "UPDATE coupons SET balance = ? WHERE id = ?", arguments: [after, couponID])
            try Self.appendLedger(
                db, coupon: couponID, kind: .load, amount: amount.minorUnits, balance: (balance, after),
                held: (held, held), actor: actor + " " + reference, settlement: nil, at: now)
        }
    }

    public func adjust(
        couponID: String, amount: Money, reason: String, actor: String, now: Instant,
        idempotency: IdempotencyKey?, render: @escaping @Sendable (CouponRecord) throws -> StoredResponse
    ) async throws -> Idempotent<CouponRecord> {
        guard amount.minorUnits != 0 else { throw AdminError.emptyChange("an adjustment of zero changes nothing") }
        let store = self
        return try await change(
            couponID: couponID, currency: amount.currency, now: now, idempotency: idempotency, render: render
        ) { db, row in
            let (balance, held) = (row.snapshot.balance.minorUnits, row.snapshot.held.minorUnits)
            let (after, overflow) = balance.addingReportingOverflow(amount.minorUnits)
            guard !overflow else { throw MoneyError.overflow }
            guard after >= held else {
                throw AdminError.belowHeld(balance: row.snapshot.balance, held: row.snapshot.held, change: amount)
            }
            // Lowering a balance is always allowed (the limit may have been lowered since).
            if amount.minorUnits > 0 { try store.checkBalance(after, currency: amount.currency) }
            try db.execute(sql: "UPDATE coupons SET balance = ? WHERE id = ?", arguments: [after, couponID])
            try Self.appendLedger(
                db, coupon: couponID, kind: .adjust, amount: amount.minorUnits, balance: (balance, after),
                held: (held, held), actor: actor + " " + reason, settlement: nil, at: now)
        }
    }

    public func setBlocked(
        couponID: String, blocked: Bool, actor: String, now: Instant, idempotency: IdempotencyKey?,
        render: @escaping @Sendable (CouponRecord) throws -> StoredResponse
    ) async throws -> Idempotent<CouponRecord> {
        try await change(couponID: couponID, currency: nil, now: now, idempotency: idempotency, render: render) {
            db, row in
            let state = row.snapshot.state
            guard state != .expired else { throw AdminError.wrongState("the coupon has expired") }
            guard state != (blocked ? .blocked : .active) else {
                throw AdminError.wrongState("the coupon is already \(state.rawValue)")
            }
            try db.execute(
                sql: "UPDATE coupons SET state = ? WHERE id = ?", arguments: [blocked ? "blocked" : "active", couponID])
            let (balance, held) = (row.snapshot.balance.minorUnits, row.snapshot.held.minorUnits)
            try Self.appendLedger(
                db, coupon: couponID, kind: blocked ? .block : .unblock, amount: 0, balance: (balance, balance),
                held: (held, held), actor: actor, settlement: nil, at: now)
        }
    }

    public func forgetPhone(
        couponID: String, actor: String, now: Instant, idempotency: IdempotencyKey?,
        render: @escaping @Sendable (CouponRecord) throws -> StoredResponse
    ) async throws -> Idempotent<CouponRecord> {
        try await change(couponID: couponID, currency: nil, now: now, idempotency: idempotency, render: render) {
            db, row in
            try db.execute(sql: "UPDATE coupons SET phone = NULL WHERE id = ?", arguments: [couponID])
            let (balance, held) = (row.snapshot.balance.minorUnits, row.snapshot.held.minorUnits)
            try Self.appendLedger(
                db, coupon: couponID, kind: .forgetPhone, amount: 0, balance: (balance, balance), held: (held, held),
                actor: actor, settlement: nil, at: now)
        }
    }

    public func forgetPhones(spentOrExpiredBefore cutoff: Instant, now: Instant) async throws -> Int {
        try await pool.write { db in
            let rows = try Row.fetchAll(
                db,
                sql: """
                    SELECT id, balance, held FROM coupons c
                    WHERE phone IS NOT NULL AND state <> 'blocked' AND (
                        (expires_at IS NOT NULL AND expires_at <= :cutoff)
                        OR (balance = 0 AND held = 0
                            AND (SELECT at FROM ledger WHERE coupon_id = c.id ORDER BY seq DESC LIMIT 1) <= :cutoff))
                    LIMIT 1000
                    """, arguments: ["cutoff": cutoff.secondsSince1970])
            for row in rows {
                let id: String = row["id"], balance: Int64 = row["balance"], held: Int64 = row["held"]
                try db.execute(sql: "UPDATE coupons SET phone = NULL WHERE id = ?", arguments: [id])
                try Self.appendLedger(
                    db, coupon: id, kind: .forgetPhone, amount: 0, balance: (balance, balance), held: (held, held),
                    actor: "retention", settlement: nil, at: now)
            }
            return rows.count
        }
    }

    public func reissue(
        couponID: String, actor: String, now: Instant, idempotency: IdempotencyKey?,
        render: @escaping @Sendable (IssuedCoupon) throws -> StoredResponse
    ) async throws -> Idempotent<IssuedCoupon> {
        let code = CouponCode.generate()
        let hash = hasher.hash(code)
        let version = hasher.currentVersion
        let sealedCode = try hasher.seal(Array(code.value.utf8))
        let states = phoneStates
        let work: @Sendable (Database) throws -> IssuedCoupon = { db in
            guard let row = try Self.fetchCoupon(db, sql: "SELECT * FROM coupons WHERE id = ?", couponID) else {
                throw AdminError.couponNotFound
            }
            guard row.snapshot.state != .expired else { throw AdminError.wrongState("the coupon has expired") }
            try db.execute(
                sql: "UPDATE coupons SET code_hash = ?, last_four = ?, hash_version = ? WHERE id = ?",
                arguments: [hash, code.lastFour, version, couponID])
            let (balance, held) = (row.snapshot.balance.minorUnits, row.snapshot.held.minorUnits)
            try Self.appendLedger(
                db, coupon: couponID, kind: .reissue, amount: 0, balance: (balance, balance), held: (held, held),
                actor: actor, settlement: nil, at: now)
            if row.signedBalance != nil {
                // The phone gets the new code with a new state; the old QR stops working.
                try db.execute(
                    sql: "UPDATE coupons SET sealed_code = ? WHERE id = ?", arguments: [Data(sealedCode), couponID])
                _ = try Self.sendState(db, couponID: couponID, states: states, now: now)
            }
            let after = try Self.fetchCoupon(db, sql: "SELECT * FROM coupons WHERE id = ?", couponID)!
            return IssuedCoupon(record: after, code: code)
        }
        guard let idempotency else {
            let issued = try await pool.write(work)
            return .fresh(issued, try render(issued))
        }
        return try await idempotentWrite(idempotency, now: now, sealed: true, body: work, render: render)
    }

    /// Reads the coupon, runs `body` in the same write transaction, and returns the coupon after;
    /// under an idempotency key, records `render`'s response in that transaction too.
    func change(
        couponID: String, currency: Currency?, now: Instant, idempotency: IdempotencyKey?,
        render: (@Sendable (CouponRecord) throws -> StoredResponse)?,
        _ body: @escaping @Sendable (Database, CouponRecord) throws -> Void
    ) async throws -> Idempotent<CouponRecord> {
        let states = phoneStates
        let work: @Sendable (Database) throws -> CouponRecord = { db in
            guard let record = try Self.fetchCoupon(db, sql: "SELECT * FROM coupons WHERE id = ?", couponID) else {
                throw AdminError.couponNotFound
            }
            if let currency, currency != record.snapshot.balance.currency {
                throw AdminError.currencyMismatch(coupon: record.snapshot.balance.currency.code, given: currency.code)
            }
            try body(db, record)
            let after = try Self.fetchCoupon(db, sql: "SELECT * FROM coupons WHERE id = ?", couponID)!
            // The phone gets a new state when what a state carries changed (not for a block).
            guard after.signedBalance != nil, after.snapshot.available != record.snapshot.available
            else { return after }
            _ = try Self.sendState(db, couponID: couponID, states: states, now: now)
            return try Self.fetchCoupon(db, sql: "SELECT * FROM coupons WHERE id = ?", couponID)!
        }
        let render = render ?? { _ in StoredResponse(status: 200, body: []) }
        if let idempotency {
            return try await idempotentWrite(idempotency, now: now, body: work, render: render)
        }
        let record = try await pool.write(work)
        return .fresh(record, try render(record))
    }

    func change(
        couponID: String, currency: Currency?, now: Instant,
        _ body: @escaping @Sendable (Database, CouponRecord) throws -> Void
    ) async throws -> CouponRecord {
        let result: Idempotent<CouponRecord> = try await change(
            couponID: couponID, currency: currency, now: now, idempotency: nil, render: nil, body)
        guard case .fresh(let record, _) = result else { throw AdminError.couponNotFound }
        return record
    }

    public func refund(
        settlementID: String, lines: [(code: ProductCode, quantity: Int)], actor: String, now: Instant,
        idempotency: IdempotencyKey?, render: @escaping @Sendable (SettlementRecord) throws -> StoredResponse
    ) async throws -> Idempotent<SettlementRecord> {
        let store = self
        let states = phoneStates
        let work: @Sendable (Database) throws -> SettlementRecord = { db in
            guard let settlement = try Self.fetchSettlement(db, id: settlementID) else {
                throw AdminError.settlementNotFound
            }
            guard settlement.status == .captured || settlement.status == .partiallyRefunded else {
                throw AdminError.wrongState(
                    "only a captured settlement can be refunded; this one is \(settlement.status.rawValue)")
            }
            guard !lines.isEmpty else { throw AdminError.emptyChange("name the lines to refund") }
            var value: Int64 = 0
            for line in lines {
                guard line.quantity > 0 else { throw AdminError.emptyChange("a refund quantity is at least 1") }
                guard
                    let row = try Row.fetchOne(
                        db,
                        sql: """
                            SELECT unit_price, quantity, refunded_quantity FROM settlement_lines
                            WHERE settlement_id = ? AND product_code = ?
                            """, arguments: [settlementID, line.code.value])
                else {
                    throw AdminError.refundTooLarge("the settlement did not sell \(line.code.value)")
                }
                let left = (row["quantity"] as Int) - (row["refunded_quantity"] as Int)
                guard line.quantity <= left else {
                    throw AdminError.refundTooLarge("only \(left) of \(line.code.value) are left to refund")
                }
                let (lineValue, o1) = (row["unit_price"] as Int64).multipliedReportingOverflow(by: Int64(line.quantity))
                let (sum, o2) = value.addingReportingOverflow(lineValue)
                guard !o1, !o2 else { throw MoneyError.overflow }
                value = sum
                try db.execute(
                    sql: """
                        UPDATE settlement_lines SET refunded_quantity = refunded_quantity + ?
                        WHERE settlement_id = ? AND product_code = ?
                        """, arguments: [line.quantity, settlementID, line.code.value])
            }
            // The coupon part is refunded first, up to what the coupon paid (partial tender: the rest
            // of the value goes back by the other means of payment).
            let already = settlement.refunded?.minorUnits ?? 0
            let toCoupon = min(value, settlement.charged.minorUnits - already)
            let remaining =
                try Int.fetchOne(
                    db,
                    sql: "SELECT SUM(quantity - refunded_quantity) FROM settlement_lines WHERE settlement_id = ?",
                    arguments: [settlementID]) ?? 0
            let status: SettlementStatus =
                remaining == 0 || already + toCoupon >= settlement.charged.minorUnits ? .refunded : .partiallyRefunded
            try db.execute(
                sql: "UPDATE settlements SET refunded = refunded + ?, status = ? WHERE id = ?",
                arguments: [toCoupon, status.rawValue, settlementID])
            if toCoupon > 0 {
                let (balance, held) = try Self.couponRow(db, id: settlement.couponID)
                let (after, overflow) = balance.addingReportingOverflow(toCoupon)
                guard !overflow else { throw MoneyError.overflow }
                try store.checkBalance(after, currency: settlement.charged.currency)
                try db.execute(
                    sql: "UPDATE coupons SET balance = balance + ? WHERE id = ?",
                    arguments: [toCoupon, settlement.couponID])
                try Self.appendLedger(
                    db, coupon: settlement.couponID, kind: .refund, amount: toCoupon,
                    balance: (balance, balance + toCoupon),
                    held: (held, held), actor: actor, settlement: settlementID, at: now)
                _ = try Self.sendState(db, couponID: settlement.couponID, states: states, now: now)
            }
            return try Self.fetchSettlement(db, id: settlementID)!
        }
        if let idempotency {
            return try await idempotentWrite(idempotency, now: now, body: work, render: render)
        }
        let record = try await pool.write(work)
        return .fresh(record, try render(record))
    }

    public func expireCoupons(now: Instant) async throws -> Int {
        let states = phoneStates
        return try await pool.write { db in
            // A coupon with open holds waits for them to be captured, voided or released.
            let rows = try Row.fetchAll(
                db,
                sql: """
                    SELECT id, balance FROM coupons
                    WHERE state != 'expired' AND expires_at IS NOT NULL AND expires_at <= ? AND held = 0
                    """, arguments: [now.secondsSince1970])
            for row in rows {
                let id: String = row["id"], balance: Int64 = row["balance"]
                try db.execute(
                    sql: "UPDATE coupons SET state = 'expired', balance = 0 WHERE id = ?", arguments: [id])
                try Self.appendLedger(
                    db, coupon: id, kind: .expire, amount: balance, balance: (balance, 0), held: (0, 0),
                    actor: "expiry", settlement: nil, at: now)
                _ = try Self.sendState(db, couponID: id, states: states, now: now)
            }
            return rows.count
        }
    }

    public func keys() async throws -> [KeyInfo] {
        try await pool.read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM api_keys ORDER BY created_at, id").map { row in
                let revoked: Int64? = row["revoked_at"]
                return KeyInfo(
                    id: row["id"], role: Principal.Role(rawValue: row["role"]) ?? .station, station: row["station"],
                    name: row["name"], createdAt: Instant(secondsSince1970: row["created_at"]),
                    revokedAt: revoked.map(Instant.init))
            }
        }
    }

    public func revokeKey(id: String, now: Instant) async throws -> Bool {
        try await pool.write { db in
            try db.execute(
                sql: "UPDATE api_keys SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL",
                arguments: [now.secondsSince1970, id])
            return db.changesCount == 1
        }
    }
}
