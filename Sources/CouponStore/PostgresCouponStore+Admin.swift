import CouponCore
import Foundation
import PostgresNIO

extension PostgresCouponStore {
    public func issue(
        _ requests: [IssueRequest], actor: String, now: Instant, idempotency: IdempotencyKey?,
        render: @escaping @Sendable ([IssuedCoupon]) throws -> StoredResponse
    ) async throws -> Idempotent<[IssuedCoupon]> {
        for request in requests { try checkBalance(request.initial.minorUnits, currency: request.initial.currency) }
        let codes = requests.map { _ in CouponCode.generate() }
        let hashes = codes.map(hasher.hash)
        let version = Int64(hasher.currentVersion)
        let states = phoneStates
        let sealed = try requests.indices.map {
            requests[$0].balanceOnPhone ? try hasher.seal(Array(codes[$0].value.utf8)) : nil
        }
        let work: @Sendable (PostgresTransaction) async throws -> [IssuedCoupon] = { tx in
            var issued: [IssuedCoupon] = []
            issued.reserveCapacity(requests.count)
            // In chunks of rows per statement: one round trip for many coupons and their ledger lines.
            for chunk in stride(from: 0, to: requests.count, by: 1000) {
                let range = chunk..<min(chunk + 1000, requests.count)
                var ids: [String] = [], hashList: [String] = [], lastFours: [String] = [], currencies: [String] = []
                // postgres-nio sends no arrays of optionals: each nullable column goes as its values
                // and a flag per row saying whether it is there.
                var balances: [Int64] = [], expiries: [Int64] = [], campaigns: [String] = [], phones: [String] = []
                var hasExpiry: [Bool] = [], hasCampaign: [Bool] = [], hasPhone: [Bool] = []
                for index in range {
                    let request = requests[index]
                    let id = SQLiteCouponStore.newID("cpn")
                    ids.append(id)
                    hashList.append(hashes[index])
                    lastFours.append(codes[index].lastFour)
                    currencies.append(request.initial.currency.code)
                    balances.append(request.initial.minorUnits)
                    expiries.append(request.expiresAt?.secondsSince1970 ?? 0)
                    campaigns.append(request.campaign ?? "")
                    phones.append(request.phone ?? "")
                    hasExpiry.append(request.expiresAt != nil)
                    hasCampaign.append(request.campaign != nil)
                    hasPhone.append(request.phone != nil)
                    let snapshot = CouponSnapshot(
                        state: .active, balance: request.initial, held: .zero(request.initial.currency),
                        expiresAt: request.expiresAt)
                    issued.append(
                        IssuedCoupon(
                            record: CouponRecord(
                                id: id, lastFour: codes[index].lastFour, snapshot: snapshot,
                                campaign: request.campaign),
                            code: codes[index]))
                }
                try await tx.execute(
                    """
                    INSERT INTO coupons (id, code_hash, last_four, currency, balance, held, state, expires_at,
                        created_at, campaign, phone, hash_version)
                    SELECT id, hash, four, currency, balance, 0, 'active', CASE WHEN has_expiry THEN expires END,
                        \(now.secondsSince1970), CASE WHEN has_campaign THEN campaign END,
                        CASE WHEN has_phone THEN phone END, \(version)
                    FROM unnest(\(ids)::text[], \(hashList)::text[], \(lastFours)::text[], \(currencies)::text[],
                        \(balances)::bigint[], \(expiries)::bigint[], \(hasExpiry)::boolean[], \(campaigns)::text[],
                        \(hasCampaign)::boolean[], \(phones)::text[], \(hasPhone)::boolean[])
                        AS t(id, hash, four, currency, balance, expires, has_expiry, campaign, has_campaign, phone,
                            has_phone)
                    """)
                try await tx.execute(
                    """
                    INSERT INTO ledger (coupon_id, kind, amount, balance_before, balance_after, held_before, held_after,
                        actor, settlement_id, at)
                    SELECT id, 'issue', balance, 0, balance, 0, 0, \(actor), NULL, \(now.secondsSince1970)
                    FROM unnest(\(ids)::text[], \(balances)::bigint[]) WITH ORDINALITY AS t(id, balance, n)
                    ORDER BY n
                    """)
            }
            for index in issued.indices {
                guard let sealedCode = sealed[index] else { continue }
                guard let states else { throw StoreError(kind: .noStateKey) }
                let id = issued[index].record.id
                let signed = try states.sign(
                    couponID: id, available: requests[index].initial, expiresAt: requests[index].expiresAt,
                    sequence: 1, now: now)
                try await tx.execute(
                    """
                    UPDATE coupons SET on_phone = true, state_seq = 1, state_token = \(signed.token),
                        sealed_code = \(ByteBuffer(bytes: sealedCode)) WHERE id = \(id)
                    """)
                issued[index].record.signedBalance = signed
            }
            return issued
        }
        guard let idempotency else {
            let issued = try await write(work)
            return .fresh(issued, try render(issued))
        }
        return try await idempotentWrite(idempotency, now: now, sealed: true, body: work, render: render)
    }

    public func load(
        couponID: String, amount: Money, reference: String, actor: String, now: Instant,
        idempotency: IdempotencyKey?, render: @escaping @Sendable (CouponRecord) throws -> StoredResponse
    ) async throws -> Idempotent<CouponRecord> {
        guard amount.minorUnits > 0 else { throw AdminError.emptyChange("a load adds more than nothing") }
        let store = self
        return try await change(
            couponID: couponID, currency: amount.currency, now: now, idempotency: idempotency, render: render
        ) { tx, row in
            guard row.snapshot.state != .expired else {
                throw AdminError.wrongState("an expired coupon cannot be loaded")
            }
            let (balance, held) = (row.snapshot.balance.minorUnits, row.snapshot.held.minorUnits)
            let (after, overflow) = balance.addingReportingOverflow(amount.minorUnits)
            guard !overflow else { throw MoneyError.overflow }
            try store.checkBalance(after, currency: amount.currency)
            try await tx.execute("UPDATE coupons SET balance = \(after) WHERE id = \(couponID)")
            try await Self.appendLedger(
                tx, coupon: couponID, kind: .load, amount: amount.minorUnits, balance: (balance, after),
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
        ) { tx, row in
            let (balance, held) = (row.snapshot.balance.minorUnits, row.snapshot.held.minorUnits)
            let (after, overflow) = balance.addingReportingOverflow(amount.minorUnits)
            guard !overflow else { throw MoneyError.overflow }
            guard after >= held else {
                throw AdminError.belowHeld(balance: row.snapshot.balance, held: row.snapshot.held, change: amount)
            }
            if amount.minorUnits > 0 { try store.checkBalance(after, currency: amount.currency) }
            try await tx.execute("UPDATE coupons SET balance = \(after) WHERE id = \(couponID)")
            try await Self.appendLedger(
                tx, coupon: couponID, kind: .adjust, amount: amount.minorUnits, balance: (balance, after),
                held: (held, held), actor: actor + " " + reason, settlement: nil, at: now)
        }
    }

    public func setBlocked(
        couponID: String, blocked: Bool, actor: String, now: Instant, idempotency: IdempotencyKey?,
        render: @escaping @Sendable (CouponRecord) throws -> StoredResponse
    ) async throws -> Idempotent<CouponRecord> {
        try await change(couponID: couponID, currency: nil, now: now, idempotency: idempotency, render: render) {
            tx, row in
            let state = row.snapshot.state
            guard state != .expired else { throw AdminError.wrongState("the coupon has expired") }
            guard state != (blocked ? .blocked : .active) else {
                throw AdminError.wrongState("the coupon is already \(state.rawValue)")
            }
            let newState = blocked ? "blocked" : "active"
            try await tx.execute("UPDATE coupons SET state = \(newState) WHERE id = \(couponID)")
            let (balance, held) = (row.snapshot.balance.minorUnits, row.snapshot.held.minorUnits)
            try await Self.appendLedger(
                tx, coupon: couponID, kind: blocked ? .block : .unblock, amount: 0, balance: (balance, balance),
                held: (held, held), actor: actor, settlement: nil, at: now)
        }
    }

    public func forgetPhone(
        couponID: String, actor: String, now: Instant, idempotency: IdempotencyKey?,
        render: @escaping @Sendable (CouponRecord) throws -> StoredResponse
    ) async throws -> Idempotent<CouponRecord> {
        try await change(couponID: couponID, currency: nil, now: now, idempotency: idempotency, render: render) {
            tx, row in
            try await tx.execute("UPDATE coupons SET phone = NULL WHERE id = \(couponID)")
            let (balance, held) = (row.snapshot.balance.minorUnits, row.snapshot.held.minorUnits)
            try await Self.appendLedger(
                tx, coupon: couponID, kind: .forgetPhone, amount: 0, balance: (balance, balance), held: (held, held),
                actor: actor, settlement: nil, at: now)
        }
    }

    public func forgetPhones(spentOrExpiredBefore cutoff: Instant, now: Instant) async throws -> Int {
        try await write { tx in
            let limit = cutoff.secondsSince1970
            let rows = try await tx.rows(
                """
                SELECT id, balance, held FROM coupons c
                WHERE phone IS NOT NULL AND state <> 'blocked' AND (
                    (expires_at IS NOT NULL AND expires_at <= \(limit))
                    OR (balance = 0 AND held = 0
                        AND (SELECT at FROM ledger WHERE coupon_id = c.id ORDER BY seq DESC LIMIT 1) <= \(limit)))
                ORDER BY id LIMIT 1000 FOR UPDATE SKIP LOCKED
                """)
            for row in rows {
                let id = try row.get("id", as: String.self)
                let balance = try row.get("balance", as: Int64.self), held = try row.get("held", as: Int64.self)
                try await tx.execute("UPDATE coupons SET phone = NULL WHERE id = \(id)")
                try await Self.appendLedger(
                    tx, coupon: id, kind: .forgetPhone, amount: 0, balance: (balance, balance), held: (held, held),
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
        let version = Int64(hasher.currentVersion)
        let sealedCode = try hasher.seal(Array(code.value.utf8))
        let states = phoneStates
        let work: @Sendable (PostgresTransaction) async throws -> IssuedCoupon = { tx in
            guard let row = try await Self.lockCoupon(tx, id: couponID) else { throw AdminError.couponNotFound }
            guard row.snapshot.state != .expired else { throw AdminError.wrongState("the coupon has expired") }
            try await tx.execute(
                """
                UPDATE coupons SET code_hash = \(hash), last_four = \(code.lastFour), hash_version = \(version)
                WHERE id = \(couponID)
                """)
            let (balance, held) = (row.snapshot.balance.minorUnits, row.snapshot.held.minorUnits)
            try await Self.appendLedger(
                tx, coupon: couponID, kind: .reissue, amount: 0, balance: (balance, balance), held: (held, held),
                actor: actor, settlement: nil, at: now)
            var after = row
            after.lastFour = code.lastFour
            if row.signedBalance != nil {
                // The phone gets the new code with a new state; the old QR stops working.
                try await tx.execute(
                    "UPDATE coupons SET sealed_code = \(ByteBuffer(bytes: sealedCode)) WHERE id = \(couponID)")
                after.signedBalance = try await Self.sendState(tx, couponID: couponID, states: states, now: now)
            }
            return IssuedCoupon(record: after, code: code)
        }
        guard let idempotency else {
            let issued = try await write(work)
            return .fresh(issued, try render(issued))
        }
        return try await idempotentWrite(idempotency, now: now, sealed: true, body: work, render: render)
    }

    /// Locks the coupon, runs `body` in the same transaction, and returns the coupon after; under
    /// an idempotency key, records `render`'s response in that transaction too.
    func change(
        couponID: String, currency: Currency?, now: Instant, idempotency: IdempotencyKey?,
        render: (@Sendable (CouponRecord) throws -> StoredResponse)?,
        _ body: @escaping @Sendable (PostgresTransaction, CouponRecord) async throws -> Void
    ) async throws -> Idempotent<CouponRecord> {
        let states = phoneStates
        let work: @Sendable (PostgresTransaction) async throws -> CouponRecord = { tx in
            guard let record = try await Self.lockCoupon(tx, id: couponID) else { throw AdminError.couponNotFound }
            if let currency, currency != record.snapshot.balance.currency {
                throw AdminError.currencyMismatch(coupon: record.snapshot.balance.currency.code, given: currency.code)
            }
            try await body(tx, record)
            let after = try await Self.lockCoupon(tx, id: couponID)!
            // The phone gets a new state when what a state carries changed (not for a block).
            guard after.signedBalance != nil, after.snapshot.available != record.snapshot.available
            else { return after }
            _ = try await Self.sendState(tx, couponID: couponID, states: states, now: now)
            return try await Self.lockCoupon(tx, id: couponID)!
        }
        let render = render ?? { _ in StoredResponse(status: 200, body: []) }
        if let idempotency {
            return try await idempotentWrite(idempotency, now: now, body: work, render: render)
        }
        let record = try await write(work)
        return .fresh(record, try render(record))
    }

    public func refund(
        settlementID: String, lines: [(code: ProductCode, quantity: Int)], actor: String, now: Instant,
        idempotency: IdempotencyKey?, render: @escaping @Sendable (SettlementRecord) throws -> StoredResponse
    ) async throws -> Idempotent<SettlementRecord> {
        let store = self, states = phoneStates
        let lines = lines.map { RefundLine(code: $0.code, quantity: $0.quantity) }
        let work: @Sendable (PostgresTransaction) async throws -> SettlementRecord = { tx in
            guard try await tx.row("SELECT 1 FROM settlements WHERE id = \(settlementID) FOR UPDATE") != nil,
                let settlement = try await Self.fetchSettlement(tx, id: settlementID)
            else { throw AdminError.settlementNotFound }
            guard settlement.status == .captured || settlement.status == .partiallyRefunded else {
                throw AdminError.wrongState(
                    "only a captured settlement can be refunded; this one is \(settlement.status.rawValue)")
            }
            guard !lines.isEmpty else { throw AdminError.emptyChange("name the lines to refund") }
            var value: Int64 = 0
            for line in lines {
                guard line.quantity > 0 else { throw AdminError.emptyChange("a refund quantity is at least 1") }
                guard
                    let row = try await tx.row(
                        """
                        SELECT unit_price, quantity, refunded_quantity FROM settlement_lines
                        WHERE settlement_id = \(settlementID) AND product_code = \(line.code.value)
                        """)
                else { throw AdminError.refundTooLarge("the settlement did not sell \(line.code.value)") }
                let left = try row.get("quantity", as: Int64.self) - row.get("refunded_quantity", as: Int64.self)
                guard Int64(line.quantity) <= left else {
                    throw AdminError.refundTooLarge("only \(left) of \(line.code.value) are left to refund")
                }
                let (lineValue, o1) = try row.get("unit_price", as: Int64.self).multipliedReportingOverflow(
                    by: Int64(line.quantity))
                let (sum, o2) = value.addingReportingOverflow(lineValue)
                guard !o1, !o2 else { throw MoneyError.overflow }
                value = sum
                try await tx.execute(
                    """
                    UPDATE settlement_lines SET refunded_quantity = refunded_quantity + \(Int64(line.quantity))
                    WHERE settlement_id = \(settlementID) AND product_code = \(line.code.value)
                    """)
            }
            let already = settlement.refunded?.minorUnits ?? 0
            let toCoupon = min(value, settlement.charged.minorUnits - already)
            let remaining =
                try await tx.row(
                    """
                    SELECT COALESCE(SUM(quantity - refunded_quantity), 0)::bigint AS n FROM settlement_lines
                    WHERE settlement_id = \(settlementID)
                    """)?.get("n", as: Int64.self) ?? 0
            let status: SettlementStatus =
                remaining == 0 || already + toCoupon >= settlement.charged.minorUnits ? .refunded : .partiallyRefunded
            try await tx.execute(
                """
                UPDATE settlements SET refunded = refunded + \(toCoupon), status = \(status.rawValue)
                WHERE id = \(settlementID)
                """)
            if toCoupon > 0 {
                let (balance, held) = try await Self.couponRow(tx, id: settlement.couponID)
                let (after, overflow) = balance.addingReportingOverflow(toCoupon)
                guard !overflow else { throw MoneyError.overflow }
                try store.checkBalance(after, currency: settlement.charged.currency)
                try await tx.execute(
                    "UPDATE coupons SET balance = balance + \(toCoupon) WHERE id = \(settlement.couponID)")
                try await Self.appendLedger(
                    tx, coupon: settlement.couponID, kind: .refund, amount: toCoupon,
                    balance: (balance, balance + toCoupon), held: (held, held), actor: actor,
                    settlement: settlementID, at: now)
                _ = try await Self.sendState(tx, couponID: settlement.couponID, states: states, now: now)
            }
            return try await Self.fetchSettlement(tx, id: settlementID)!
        }
        if let idempotency {
            return try await idempotentWrite(idempotency, now: now, body: work, render: render)
        }
        let record = try await write(work)
        return .fresh(record, try render(record))
    }

    /// Every server may sweep at once: each takes the coupons no other has locked, and a coupon
    /// is expired only while it is not yet, so each balance leaves the ledger once.
    public func expireCoupons(now: Instant) async throws -> Int {
        let states = phoneStates
        return try await write { tx in
            let rows = try await tx.rows(
                """
                SELECT id, balance FROM coupons
                WHERE state <> 'expired' AND expires_at IS NOT NULL AND expires_at <= \(now.secondsSince1970) AND held = 0
                ORDER BY id LIMIT 1000 FOR UPDATE SKIP LOCKED
                """)
            var expired = 0
            for row in rows {
                let id = try row.get("id", as: String.self)
                let balance = try row.get("balance", as: Int64.self)
                let changed = try await tx.changes(
                    """
                    UPDATE coupons SET state = 'expired', balance = 0
                    WHERE id = \(id) AND state <> 'expired' AND held = 0 RETURNING 1
                    """)
                guard changed == 1 else { continue }
                try await Self.appendLedger(
                    tx, coupon: id, kind: .expire, amount: balance, balance: (balance, 0), held: (0, 0),
                    actor: "expiry", settlement: nil, at: now)
                _ = try await Self.sendState(tx, couponID: id, states: states, now: now)
                expired += 1
            }
            return expired
        }
    }
}

/// A refund line, Sendable (the protocol's tuples are not captured across the transaction).
struct RefundLine: Sendable {
    var code: ProductCode
    var quantity: Int
}
