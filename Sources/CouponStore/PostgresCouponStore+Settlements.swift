import CouponCore
import Foundation
import PostgresNIO

extension PostgresCouponStore {
    public func settle(_ request: SettleRequest, now: Instant) async throws -> SettlementOutcome {
        let hashes = hasher.hashes(request.code)
        return try await write { tx in try await Self.settle(tx, request, codeHashes: hashes, now: now) }
    }

    /// The settlement in the caller's transaction. The coupon is locked first, so its balance
    /// before is the one the conditional update sees.
    static func settle(_ tx: PostgresTransaction, _ request: SettleRequest, codeHashes hashes: CodeHashes, now: Instant)
        async throws -> SettlementOutcome
    {
        guard let coupon = try await findCoupon(tx, codeHashes: hashes) else {
            return SettlementOutcome(decision: .declined(.unknownCoupon))
        }
        let codes = request.basket.lines.map(\.product.value)
        var products: [ProductCode: Product] = [:]
        for row in try await tx.rows("SELECT * FROM products WHERE code = ANY(\(codes))") {
            let product = try Self.product(row)
            products[product.code] = product
        }
        let decision = try SettlementRule.decide(
            coupon: coupon.snapshot, basket: request.basket, catalog: { products[$0] }, now: now,
            partial: request.partial)
        guard case .approved(let lines, let total, let charged, let due) = decision else {
            return SettlementOutcome(decision: decision, balance: coupon.snapshot.balance)
        }
        let amount = charged.minorUnits
        // One conditional write: it holds or deducts only while the available balance covers it.
        let changed =
            request.capture
            ? try await tx.changes(
                """
                UPDATE coupons SET balance = balance - \(amount)
                WHERE id = \(coupon.id) AND balance - held >= \(amount) AND state = 'active' RETURNING 1
                """)
            : try await tx.changes(
                """
                UPDATE coupons SET held = held + \(amount)
                WHERE id = \(coupon.id) AND balance - held >= \(amount) AND state = 'active' RETURNING 1
                """)
        guard changed == 1 else {
            return SettlementOutcome(
                decision: .declined(.insufficientBalance(available: coupon.snapshot.available, requested: charged)),
                balance: coupon.snapshot.balance)
        }
        let before = coupon.snapshot.balance.minorUnits
        let heldBefore = coupon.snapshot.held.minorUnits
        // For a hold, balance_after is the balance once it is captured in full.
        let after = before - amount
        let id = SQLiteCouponStore.newID("stl")
        let expires = request.capture ? nil : now.secondsSince1970 + request.holdSeconds
        let status = request.capture ? "captured" : "held"
        // The settlement, its lines (in basket order) and its ledger lines (hold, then capture) in
        // one statement: one round trip. Foreign keys are checked at the statement's end, when
        // the settlement row is there.
        let positions = lines.indices.map { Int64($0) }
        let lineCodes = lines.map(\.product.code.value)
        let names = lines.map(\.product.name)
        let prices = lines.map(\.product.price.minorUnits)
        let quantities = lines.map { Int64($0.quantity) }
        let kinds = request.capture ? ["hold", "capture"] : ["hold"]
        let balancesBefore = request.capture ? [before, before] : [before]
        let balancesAfter = request.capture ? [before, after] : [before]
        let heldBefores = request.capture ? [heldBefore, heldBefore + amount] : [heldBefore]
        let heldAfters = request.capture ? [heldBefore + amount, heldBefore] : [heldBefore + amount]
        try await tx.execute(
            """
            WITH settlement AS (
                INSERT INTO settlements (id, coupon_id, station, status, total, charged, due, created_at,
                    balance_before, balance_after, hold_expires_at)
                VALUES (\(id), \(coupon.id), \(request.station), \(status), \(total.minorUnits), \(amount),
                    \(due.minorUnits), \(now.secondsSince1970), \(before), \(after), \(expires))
            ), settled_lines AS (
                INSERT INTO settlement_lines (settlement_id, position, product_code, name, unit_price, quantity)
                SELECT \(id), * FROM unnest(\(positions)::bigint[], \(lineCodes)::text[], \(names)::text[],
                    \(prices)::bigint[], \(quantities)::bigint[])
            )
            INSERT INTO ledger (coupon_id, kind, amount, balance_before, balance_after, held_before, held_after, actor,
                settlement_id, at)
            SELECT \(coupon.id), kind, \(amount), balance_before, balance_after, held_before, held_after,
                \(request.station), \(id), \(now.secondsSince1970)
            FROM unnest(\(kinds)::text[], \(balancesBefore)::bigint[], \(balancesAfter)::bigint[],
                \(heldBefores)::bigint[], \(heldAfters)::bigint[]) WITH ORDINALITY
                AS entry(kind, balance_before, balance_after, held_before, held_after, n)
            ORDER BY n
            """)
        let currency = coupon.snapshot.balance.currency
        let record = SettlementRecord(
            id: id, couponID: coupon.id, station: request.station, status: request.capture ? .captured : .held,
            lines: lines, total: total, charged: charged, due: due,
            balanceBefore: Money(minorUnits: before, currency: currency),
            balanceAfter: Money(minorUnits: after, currency: currency), holdExpiresAt: expires.map(Instant.init),
            createdAt: now)
        return SettlementOutcome(decision: decision, settlement: record)
    }

    /// The coupon whose code hash is one of `hashes`, locked; one found under an older secret is
    /// moved to the newest in the caller's transaction.
    static func findCoupon(_ tx: PostgresTransaction, codeHashes: CodeHashes) async throws -> CouponRecord? {
        let hashes = codeHashes.hashes
        guard let row = try await tx.row("SELECT * FROM coupons WHERE code_hash = ANY(\(hashes)) FOR UPDATE") else {
            return nil
        }
        let record = try Self.record(row)
        if try row.get("code_hash", as: String.self) != hashes[0] {
            try await tx.execute(
                """
                UPDATE coupons SET code_hash = \(hashes[0]), hash_version = \(Int64(codeHashes.currentVersion))
                WHERE id = \(record.id)
                """)
        }
        return record
    }

    public func capture(settlementID: String, amount: Money?, station: String?, now: Instant) async throws
        -> SettlementRecord
    {
        try await write { tx in
            try await Self.capture(tx, settlementID: settlementID, amount: amount, station: station, now: now)
        }.get()
    }

    /// The capture in the caller's transaction; a failure that must still commit (a hold found
    /// expired and released) comes back as `.failure`.
    static func capture(
        _ tx: PostgresTransaction, settlementID: String, amount: Money?, station: String?, now: Instant
    ) async throws -> Result<SettlementRecord, SettlementError> {
        let settlement: SettlementRecord
        switch try await heldSettlement(tx, id: settlementID, station: station, now: now) {
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
        }
        return .success(try await fetchSettlement(tx, id: settlementID)!)
    }

    public func void(settlementID: String, station: String?, now: Instant) async throws -> SettlementRecord {
        try await write { tx in try await Self.void(tx, settlementID: settlementID, station: station, now: now) }.get()
    }

    static func void(_ tx: PostgresTransaction, settlementID: String, station: String?, now: Instant) async throws
        -> Result<SettlementRecord, SettlementError>
    {
        switch try await heldSettlement(tx, id: settlementID, station: station, now: now) {
        case .failure(let error): return .failure(error)
        case .success(let settlement):
            try await release(tx, settlement, status: .voided, actor: station ?? "admin", now: now)
            return .success(try await fetchSettlement(tx, id: settlementID)!)
        }
    }

    /// Every server may run this sweep at once: each takes the expired holds no other server has
    /// locked (`FOR UPDATE SKIP LOCKED`), and a hold is released only while still held, so each is
    /// released exactly once. Coupons are then locked in id order, as every sweep does, so two
    /// sweeps never wait on each other in a circle.
    public func releaseExpiredHolds(now: Instant) async throws -> Int {
        try await write { tx in
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
                try await Self.release(tx, settlement, status: .expired, actor: "expiry", now: now)
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
    static func heldSettlement(_ tx: PostgresTransaction, id: String, station: String?, now: Instant) async throws
        -> Result<SettlementRecord, SettlementError>
    {
        guard try await tx.row("SELECT 1 FROM settlements WHERE id = \(id) FOR UPDATE") != nil,
            let settlement = try await fetchSettlement(tx, id: id)
        else { return .failure(.notFound) }
        if let station, settlement.station != station { return .failure(.otherStation) }
        guard settlement.status == .held else {
            return .failure(settlement.status == .expired ? .holdExpired : .notHeld(settlement.status))
        }
        if let expires = settlement.holdExpiresAt, now >= expires {
            try await release(tx, settlement, status: .expired, actor: "expiry", now: now)
            return .failure(.holdExpired)
        }
        return .success(settlement)
    }

    /// Moves a held settlement to `status` and gives its amount back to the coupon's available balance.
    static func release(
        _ tx: PostgresTransaction, _ settlement: SettlementRecord, status: SettlementStatus, actor: String, now: Instant
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
