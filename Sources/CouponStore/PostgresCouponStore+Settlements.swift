import CouponCore
import Foundation
import PostgresNIO

extension PostgresCouponStore {
    public func settle(_ request: SettleRequest, now: Instant) async throws -> SettlementOutcome {
        let hashes = hasher.hashes(request.code)
        let states = phoneStates
        return try await write { tx in
            try await Self.settle(tx, request, codeHashes: hashes, states: states, now: now, answer: nil).outcome
        }
    }

    /// How an approved settlement's answer is stored with its writes: the request's key and the
    /// rendering of its response.
    typealias SettleAnswer = (key: IdempotencyKey, render: @Sendable (SettlementOutcome) throws -> StoredResponse)

    /// The settlement in the caller's transaction, in two statements: the coupon locked and the
    /// basket's products read in one; then, after the decision here, every write of an approved
    /// sale in one more (with its answer under `answer`'s key, rendered before it is written, so the
    /// returned response is already stored). A decline returns no response: the caller stores it.
    static func settle(
        _ tx: PostgresTransaction, _ request: SettleRequest, codeHashes hashes: CodeHashes, states: PhoneStates?,
        now: Instant, answer: SettleAnswer?
    ) async throws -> (outcome: SettlementOutcome, stored: StoredResponse?) {
        let codes = request.basket.lines.map(\.product.value)
        guard
            let row = try await tx.rows(LockCouponAndPriceStatement(hashes: hashes.hashes, codes: codes)).first
        else {
            return (SettlementOutcome(decision: .declined(.unknownCoupon)), nil)
        }
        let coupon = try Self.record(row)
        let stale = try SQLiteCouponStore.isStale(request.presentedState, coupon: coupon)
        if try row.get("code_hash", as: String.self) != hashes.hashes[0] { try await rehash(tx, coupon.id, hashes) }
        let products = try Self.products(row)
        let decision = try SettlementRule.decide(
            coupon: coupon.snapshot, basket: request.basket, catalog: { products[$0] }, now: now,
            partial: request.partial)
        guard case .approved(let lines, let total, let charged, let due) = decision else {
            let outcome = SettlementOutcome(
                decision: decision, balance: coupon.snapshot.balance, signedBalance: coupon.signedBalance,
                staleState: stale)
            return (outcome, nil)
        }
        let amount = charged.minorUnits
        let before = coupon.snapshot.balance.minorUnits
        let heldBefore = coupon.snapshot.held.minorUnits
        // For a hold, balance_after is the balance once it is captured in full.
        let after = before - amount
        let id = SQLiteCouponStore.newID("stl")
        let expires = request.capture ? nil : now.secondsSince1970 + request.holdSeconds
        let currency = coupon.snapshot.balance.currency
        let record = SettlementRecord(
            id: id, couponID: coupon.id, station: request.station, status: request.capture ? .captured : .held,
            lines: lines, total: total, charged: charged, due: due,
            balanceBefore: Money(minorUnits: before, currency: currency),
            balanceAfter: Money(minorUnits: after, currency: currency), holdExpiresAt: expires.map(Instant.init),
            createdAt: now)
        // A phone-balance coupon's next state is signed before the write, so the stored answer
        // carries it; the coupon is locked, so no other change can take its sequence.
        var signed: SignedBalance? = nil
        let (balanceAfter, heldAfter) = request.capture ? (after, heldBefore) : (before, heldBefore + amount)
        if coupon.signedBalance != nil {
            guard let states else { throw StoreError(kind: .noStateKey) }
            signed = try states.next(
                coupon, balance: balanceAfter, held: heldAfter, expiresAt: coupon.snapshot.expiresAt, now: now)
        }
        let outcome = SettlementOutcome(decision: decision, settlement: record, signedBalance: signed, staleState: stale)
        let response = try answer.map { ($0.key, try $0.render(outcome)) }
        typealias Entry = ApplySettlementStatement.Entry
        let hold = Entry(kind: "hold", balance: (before, before), held: (heldBefore, heldBefore + amount))
        let capture = Entry(kind: "capture", balance: (before, after), held: (heldBefore + amount, heldBefore))
        let apply = ApplySettlementStatement(
            couponID: coupon.id, amount: amount, capture: request.capture, settlementID: id,
            station: request.station, total: total.minorUnits,
            due: due.minorUnits, now: now.secondsSince1970, balanceBefore: before, balanceAfter: after,
            holdExpiresAt: expires, lines: lines, entries: request.capture ? [hold, capture] : [hold],
            answer: response)
        // The deduction is conditional, as everywhere: it holds or deducts only while the available
        // balance covers it (the coupon is locked, so the decision above saw the same balance).
        let changed = try await tx.rows(apply).first?.get("changed", as: Int64.self) ?? 0
        guard changed == 1 else {
            let declined = SettlementDecision.declined(
                .insufficientBalance(available: coupon.snapshot.available, requested: charged))
            let outcome = SettlementOutcome(
                decision: declined, balance: coupon.snapshot.balance, signedBalance: coupon.signedBalance,
                staleState: stale)
            return (outcome, nil)
        }
        if let signed {
            try await recordState(tx, coupon: coupon, signed, available: balanceAfter - heldAfter, now: now)
        }
        return (outcome, response?.1)
    }

    /// The basket's products from the arrays of ``LockCouponAndPriceStatement``'s row.
    static func products(_ row: PostgresStoreRow) throws -> [ProductCode: Product] {
        guard let codes = try row.get("codes", as: [String]?.self) else { return [:] }
        let names = try row.get("names", as: [String].self)
        let prices = try row.get("prices", as: [Int64].self)
        let currencies = try row.get("currencies", as: [String].self)
        guard names.count == codes.count, prices.count == codes.count, currencies.count == codes.count else {
            throw StoreError(kind: .corruptRow("products: arrays of different lengths"))
        }
        var products: [ProductCode: Product] = [:]
        for index in codes.indices {
            let code = try ProductCode(codes[index])
            products[code] = Product(
                code: code, name: names[index],
                price: Money(minorUnits: prices[index], currency: try Currency(code: currencies[index])))
        }
        return products
    }

    /// Moves a coupon found under an older secret's hash to the newest.
    static func rehash(_ tx: PostgresTransaction, _ id: String, _ codeHashes: CodeHashes) async throws {
        try await tx.execute(
            """
            UPDATE coupons SET code_hash = \(codeHashes.hashes[0]), hash_version = \(Int64(codeHashes.currentVersion))
            WHERE id = \(id)
            """)
    }

    /// The coupon whose code hash is one of `hashes`, locked; one found under an older secret is
    /// moved to the newest in the caller's transaction.
    static func findCoupon(_ tx: PostgresTransaction, codeHashes: CodeHashes) async throws -> CouponRecord? {
        let hashes = codeHashes.hashes
        guard let row = try await tx.row("SELECT * FROM coupons WHERE code_hash = ANY(\(hashes)) FOR UPDATE") else {
            return nil
        }
        let record = try Self.record(row)
        if try row.get("code_hash", as: String.self) != hashes[0] { try await rehash(tx, record.id, codeHashes) }
        return record
    }

    public func capture(settlementID: String, amount: Money?, station: String?, now: Instant) async throws
        -> SettlementRecord
    {
        let states = phoneStates
        return try await write { tx in
            try await Self.capture(
                tx, settlementID: settlementID, amount: amount, station: station, states: states, now: now)
        }.get()
    }

    /// The capture in the caller's transaction; a failure that must still commit (a hold found
    /// expired and released) comes back as `.failure`.
    static func capture(
        _ tx: PostgresTransaction, settlementID: String, amount: Money?, station: String?, states: PhoneStates?,
        now: Instant
    ) async throws -> Result<SettlementRecord, SettlementError> {
        let settlement: SettlementRecord
        switch try await heldSettlement(tx, id: settlementID, station: station, states: states, now: now) {
        case .success(let found): settlement = found
        case .failure(let error): return .failure(error)
        }
        let held = settlement.charged
        let take = amount ?? held
        guard take.currency == held.currency, take.minorUnits >= 0, take.minorUnits <= held.minorUnits else {
            return .failure(.exceedsHold(held: held, requested: take))
        }
        let changed = try await tx.changes(
            """
            UPDATE settlements SET status = 'captured', charged = \(take.minorUnits),
                balance_after = balance_before - \(take.minorUnits)
            WHERE id = \(settlementID) AND status = 'held' RETURNING 1
            """)
        guard changed == 1 else { return .failure(.notHeld(.captured)) }
        let coupon = try await couponRow(tx, id: settlement.couponID)
        try await tx.execute(
            """
            UPDATE coupons SET balance = balance - \(take.minorUnits), held = held - \(held.minorUnits)
            WHERE id = \(settlement.couponID)
            """)
        let actor = station ?? "admin"
        try await appendLedger(
            tx, coupon: settlement.couponID, kind: .capture, amount: take.minorUnits,
            balance: (coupon.balance, coupon.balance - take.minorUnits),
            held: (coupon.held, coupon.held - take.minorUnits), actor: actor, settlement: settlementID, at: now)
        let rest = held.minorUnits - take.minorUnits
        if rest > 0 {
            try await appendLedger(
                tx, coupon: settlement.couponID, kind: .release, amount: rest,
                balance: (coupon.balance - take.minorUnits, coupon.balance - take.minorUnits),
                held: (coupon.held - take.minorUnits, coupon.held - held.minorUnits), actor: actor,
                settlement: settlementID, at: now)
            _ = try await sendState(tx, couponID: settlement.couponID, states: states, now: now)
        }
        return .success(try await fetchSettlement(tx, id: settlementID)!)
    }

    public func void(settlementID: String, station: String?, now: Instant) async throws -> SettlementRecord {
        let states = phoneStates
        return try await write { tx in
            try await Self.void(tx, settlementID: settlementID, station: station, states: states, now: now)
        }.get()
    }

    static func void(
        _ tx: PostgresTransaction, settlementID: String, station: String?, states: PhoneStates?, now: Instant
    ) async throws -> Result<SettlementRecord, SettlementError> {
        switch try await heldSettlement(tx, id: settlementID, station: station, states: states, now: now) {
        case .failure(let error): return .failure(error)
        case .success(let settlement):
            try await release(tx, settlement, status: .voided, actor: station ?? "admin", states: states, now: now)
            return .success(try await fetchSettlement(tx, id: settlementID)!)
        }
    }

    /// Every server may run this sweep at once: each takes the expired holds no other server has
    /// locked (`FOR UPDATE SKIP LOCKED`), and a hold is released only while still held, so each is
    /// released exactly once. Coupons are then locked in id order, as every sweep does, so two
    /// sweeps never wait on each other in a circle.
    public func releaseExpiredHolds(now: Instant) async throws -> Int {
        let states = phoneStates
        return try await write { tx in
            let ids = try await tx.rows(
                """
                SELECT id FROM settlements WHERE status = 'held' AND hold_expires_at <= \(now.secondsSince1970)
                ORDER BY coupon_id, id LIMIT 1000 FOR UPDATE SKIP LOCKED
                """
            ).map { try $0.get("id", as: String.self) }
            var released = 0
            for id in ids {
                guard let settlement = try await Self.fetchSettlement(tx, id: id), settlement.status == .held else {
                    continue
                }
                try await Self.release(tx, settlement, status: .expired, actor: "expiry", states: states, now: now)
                released += 1
            }
            return released
        }
    }

    public func settlement(id: String) async throws -> SettlementRecord? {
        try await read { tx in try await Self.fetchSettlement(tx, id: id) }
    }

    /// The settlement, locked, checked to be held, this station's and within its hold time. A hold
    /// found expired is released on the spot (in the caller's transaction, which must commit).
    static func heldSettlement(
        _ tx: PostgresTransaction, id: String, station: String?, states: PhoneStates?, now: Instant
    ) async throws -> Result<SettlementRecord, SettlementError> {
        guard try await tx.row("SELECT 1 FROM settlements WHERE id = \(id) FOR UPDATE") != nil,
            let settlement = try await fetchSettlement(tx, id: id)
        else { return .failure(.notFound) }
        if let station, settlement.station != station { return .failure(.otherStation) }
        guard settlement.status == .held else {
            return .failure(settlement.status == .expired ? .holdExpired : .notHeld(settlement.status))
        }
        if let expires = settlement.holdExpiresAt, now >= expires {
            try await release(tx, settlement, status: .expired, actor: "expiry", states: states, now: now)
            return .failure(.holdExpired)
        }
        return .success(settlement)
    }

    /// Moves a held settlement to `status` and gives its amount back to the coupon's available balance.
    static func release(
        _ tx: PostgresTransaction, _ settlement: SettlementRecord, status: SettlementStatus, actor: String,
        states: PhoneStates?, now: Instant
    ) async throws {
        let changed = try await tx.changes(
            "UPDATE settlements SET status = \(status.rawValue) WHERE id = \(settlement.id) AND status = 'held' RETURNING 1"
        )
        guard changed == 1 else { throw SettlementError.notHeld(status) }
        let coupon = try await couponRow(tx, id: settlement.couponID)
        let amount = settlement.charged.minorUnits
        try await tx.execute("UPDATE coupons SET held = held - \(amount) WHERE id = \(settlement.couponID)")
        try await appendLedger(
            tx, coupon: settlement.couponID, kind: .release, amount: amount, balance: (coupon.balance, coupon.balance),
            held: (coupon.held, coupon.held - amount), actor: actor, settlement: settlement.id, at: now)
        _ = try await sendState(tx, couponID: settlement.couponID, states: states, now: now)
    }

    /// The coupon's balance and held amount, locked.
    static func couponRow(_ tx: PostgresTransaction, id: String) async throws -> (balance: Int64, held: Int64) {
        guard let row = try await tx.row("SELECT balance, held FROM coupons WHERE id = \(id) FOR UPDATE") else {
            throw StoreError(kind: .corruptRow("settlement without its coupon \(id)"))
        }
        return (try row.get("balance"), try row.get("held"))
    }

    static func fetchSettlement(_ tx: PostgresTransaction, id: String) async throws -> SettlementRecord? {
        guard
            let row = try await tx.row(
                "SELECT s.*, c.currency FROM settlements s JOIN coupons c ON c.id = s.coupon_id WHERE s.id = \(id)")
        else { return nil }
        let currency = try Currency(code: try row.get("currency"))
        guard let status = SettlementStatus(rawValue: try row.get("status")) else {
            throw StoreError(kind: .corruptRow("settlement status"))
        }
        let lines = try await tx.rows(
            "SELECT * FROM settlement_lines WHERE settlement_id = \(id) ORDER BY position"
        ).map { line in
            let price = Money(minorUnits: try line.get("unit_price"), currency: currency)
            let quantity = Int(try line.get("quantity", as: Int64.self))
            let product = Product(
                code: try ProductCode(try line.get("product_code", as: String.self)), name: try line.get("name"),
                price: price)
            return PricedLine(product: product, quantity: quantity, total: try price.multiplied(by: quantity))
        }
        func money(_ column: String) throws -> Money { Money(minorUnits: try row.get(column), currency: currency) }
        let expires: Int64? = try row.get("hold_expires_at")
        return SettlementRecord(
            id: id, couponID: try row.get("coupon_id"), station: try row.get("station"), status: status, lines: lines,
            total: try money("total"), charged: try money("charged"), due: try money("due"),
            balanceBefore: try money("balance_before"), balanceAfter: try money("balance_after"),
            holdExpiresAt: expires.map(Instant.init), createdAt: Instant(secondsSince1970: try row.get("created_at")),
            refunded: try money("refunded"))
    }
}
