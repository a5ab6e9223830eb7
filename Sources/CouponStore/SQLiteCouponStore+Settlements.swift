import CouponCore
import SignedState
import Foundation
import GRDB

extension SQLiteCouponStore {
    public func settle(_ request: SettleRequest, now: Instant) async throws -> SettlementOutcome {
        let hashes = hasher.hashes(request.code)
        let states = phoneStates
        return try await group.write { db in
            try Self.settle(db, request, codeHashes: hashes, states: states, now: now)
        }
    }

    /// The settlement in the caller's write transaction.
    static func settle(
        _ db: Database, _ request: SettleRequest, codeHashes hashes: CodeHashes, states: PhoneStates?, now: Instant
    ) throws -> SettlementOutcome {
        do {
            guard let row = try findCoupon(db, codeHashes: hashes) else {
                return SettlementOutcome(decision: .declined(.unknownCoupon))
            }
            let coupon = try Self.record(row)
            let stale = try Self.isStale(request.presentedState, coupon: coupon)
            var products: [ProductCode: Product] = [:]
            for line in request.basket.lines { products[line.product] = try Self.fetchProduct(db, line.product) }
            let decision = try SettlementRule.decide(
                coupon: coupon.snapshot, basket: request.basket, catalog: { products[$0] }, now: now,
                partial: request.partial)
            guard case .approved(let lines, let total, let charged, let due) = decision else {
                return SettlementOutcome(
                    decision: decision, balance: coupon.snapshot.balance, signedBalance: coupon.signedBalance,
                    staleState: stale)
            }
            let amount = charged.minorUnits
            // One conditional write: it holds or deducts only while the available balance covers it.
            let update =
                request.capture
                ? "UPDATE coupons SET balance = balance - ? WHERE id = ? AND balance - held >= ? AND state = 'active'"
                : "UPDATE coupons SET held = held + ? WHERE id = ? AND balance - held >= ? AND state = 'active'"
            try db.run(sql: update, arguments: [amount, coupon.id, amount])
            guard db.changesCount == 1 else {
                let available = coupon.snapshot.available
                return SettlementOutcome(
                    decision: .declined(.insufficientBalance(available: available, requested: charged)),
                    balance: coupon.snapshot.balance, signedBalance: coupon.signedBalance, staleState: stale)
            }
            let before = coupon.snapshot.balance.minorUnits
            let heldBefore = coupon.snapshot.held.minorUnits
            // For a hold, balance_after is the balance once it is captured in full.
            let after = before - amount
            let id = Self.newID("stl")
            let expires = request.capture ? nil : now.secondsSince1970 + request.holdSeconds
            try db.run(
                sql: """
                    INSERT INTO settlements (id, coupon_id, station, status, total, charged, due, created_at,
                        balance_before, balance_after, hold_expires_at)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                    """,
                arguments: [
                    id, coupon.id, request.station, request.capture ? "captured" : "held", total.minorUnits, amount,
                    due.minorUnits, now.secondsSince1970, before, after, expires,
                ])
            for line in lines {
                try db.run(
                    sql:
                        "INSERT INTO settlement_lines (settlement_id, product_code, name, unit_price, quantity) VALUES (?, ?, ?, ?, ?)",
                    arguments: [
                        id, line.product.code.value, line.product.name, line.product.price.minorUnits, line.quantity,
                    ])
            }
            try Self.appendLedger(
                db, coupon: coupon.id, kind: .hold, amount: amount, balance: (before, before),
                held: (heldBefore, heldBefore + amount), actor: request.station, settlement: id, at: now)
            if request.capture {
                try Self.appendLedger(
                    db, coupon: coupon.id, kind: .capture, amount: amount, balance: (before, after),
                    held: (heldBefore + amount, heldBefore), actor: request.station, settlement: id, at: now)
            }
            // Built from what was just written: no read-back on the settle path.
            let currency = coupon.snapshot.balance.currency
            let record = SettlementRecord(
                id: id, couponID: coupon.id, station: request.station, status: request.capture ? .captured : .held,
                lines: lines, total: total, charged: charged, due: due,
                balanceBefore: Money(minorUnits: before, currency: currency),
                balanceAfter: Money(minorUnits: after, currency: currency), holdExpiresAt: expires.map(Instant.init),
                createdAt: now)
            var signed: SignedBalance? = nil
            if coupon.signedBalance != nil {
                guard let states else { throw StoreError(kind: .noStateKey) }
                let (balance, held) = request.capture ? (after, heldBefore) : (before, heldBefore + amount)
                let next = try states.next(
                    coupon, balance: balance, held: held, expiresAt: coupon.snapshot.expiresAt, now: now)
                try Self.recordState(db, coupon: coupon, next, available: balance - held, now: now)
                signed = next
            }
            return SettlementOutcome(decision: decision, settlement: record, signedBalance: signed, staleState: stale)
        }
    }

    /// Whether the state the station read off the phone is older than the coupon's own; throws
    /// when it is not this coupon's.
    static func isStale(_ presented: PhoneState?, coupon: CouponRecord) throws -> Bool {
        guard let presented else { return false }
        guard let current = coupon.signedBalance, presented.couponID == coupon.id else { throw PhoneStateMismatch() }
        return presented.sequence < current.sequence
    }

    /// The coupon row whose code hash is one of `hashes` (every live secret's, newest first). A
    /// coupon found under an older secret is moved to the newest in the caller's transaction, so
    /// the old secret can be retired once no coupon needs it.
    static func findCoupon(_ db: Database, codeHashes: CodeHashes) throws -> Row? {
        let hashes = codeHashes.hashes
        if hashes.count == 1 {
            return try db.row(sql: "SELECT * FROM coupons WHERE code_hash = ?", arguments: [hashes[0]])
        }
        let marks = Array(repeating: "?", count: hashes.count).joined(separator: ", ")
        guard
            let row = try db.row(
                sql: "SELECT * FROM coupons WHERE code_hash IN (\(marks))", arguments: StatementArguments(hashes))
        else { return nil }
        if row["code_hash"] != hashes[0] {
            try db.run(
                sql: "UPDATE coupons SET code_hash = ?, hash_version = ? WHERE id = ?",
                arguments: [hashes[0], codeHashes.currentVersion, row["id"] as String])
        }
        return row
    }

    public func capture(settlementID: String, amount: Money?, station: String?, now: Instant) async throws
        -> SettlementRecord
    {
        // An expired hold is released in a transaction that commits; the error is thrown after it.
        let states = phoneStates
        return try await pool.write { db in
            try Self.capture(db, settlementID: settlementID, amount: amount, station: station, states: states, now: now)
        }.get()
    }

    /// The capture in the caller's write transaction; a failure that must still commit (a hold
    /// found expired and released) comes back as `.failure`.
    static func capture(
        _ db: Database, settlementID: String, amount: Money?, station: String?, states: PhoneStates?, now: Instant
    ) throws -> Result<SettlementRecord, SettlementError> {
        do {
            let settlement: SettlementRecord
            switch try Self.heldSettlement(db, id: settlementID, station: station, states: states, now: now) {
            case .success(let found): settlement = found
            case .failure(let error): return .failure(error)
            }
            let held = settlement.charged
            let take = amount ?? held
            guard take.currency == held.currency, take.minorUnits >= 0, take.minorUnits <= held.minorUnits else {
                return .failure(.exceedsHold(held: held, requested: take))
            }
            // Only a settlement still held changes: capture, void and expiry cannot both win.
            try db.run(
                sql:
                    "UPDATE settlements SET status = 'captured', charged = ?, balance_after = balance_before - ? WHERE id = ? AND status = 'held'",
                arguments: [take.minorUnits, take.minorUnits, settlementID])
            guard db.changesCount == 1 else { return .failure(.notHeld(.captured)) }
            let coupon = try Self.couponRow(db, id: settlement.couponID)
            try db.run(
                sql: "UPDATE coupons SET balance = balance - ?, held = held - ? WHERE id = ?",
                arguments: [take.minorUnits, held.minorUnits, settlement.couponID])
            let actor = station ?? "admin"
            try Self.appendLedger(
                db, coupon: settlement.couponID, kind: .capture, amount: take.minorUnits,
                balance: (coupon.balance, coupon.balance - take.minorUnits),
                held: (coupon.held, coupon.held - take.minorUnits),
                actor: actor, settlement: settlementID, at: now)
            let rest = held.minorUnits - take.minorUnits
            if rest > 0 {
                try Self.appendLedger(
                    db, coupon: settlement.couponID, kind: .release, amount: rest,
                    balance: (coupon.balance - take.minorUnits, coupon.balance - take.minorUnits),
                    held: (coupon.held - take.minorUnits, coupon.held - held.minorUnits), actor: actor,
                    settlement: settlementID,
                    at: now)
                _ = try sendState(db, couponID: settlement.couponID, states: states, now: now)
            }
            return .success(try Self.fetchSettlement(db, id: settlementID)!)
        }
    }

    public func void(settlementID: String, station: String?, now: Instant) async throws -> SettlementRecord {
        let states = phoneStates
        return try await pool.write { db in
            try Self.void(db, settlementID: settlementID, station: station, states: states, now: now)
        }.get()
    }

    /// The void in the caller's write transaction.
    static func void(_ db: Database, settlementID: String, station: String?, states: PhoneStates?, now: Instant)
        throws -> Result<SettlementRecord, SettlementError>
    {
        switch try heldSettlement(db, id: settlementID, station: station, states: states, now: now) {
        case .failure(let error): return .failure(error)
        case .success(let settlement):
            try release(db, settlement, status: .voided, actor: station ?? "admin", states: states, now: now)
            return .success(try fetchSettlement(db, id: settlementID)!)
        }
    }

    public func releaseExpiredHolds(now: Instant) async throws -> Int {
        let states = phoneStates
        return try await pool.write { db in
            let ids = try String.fetchAll(
                db, sql: "SELECT id FROM settlements WHERE status = 'held' AND hold_expires_at <= ?",
                arguments: [now.secondsSince1970])
            for id in ids {
                guard let settlement = try Self.fetchSettlement(db, id: id) else { continue }
                try Self.release(db, settlement, status: .expired, actor: "expiry", states: states, now: now)
            }
            return ids.count
        }
    }

    public func settlement(id: String) async throws -> SettlementRecord? {
        try await pool.read { db in try Self.fetchSettlement(db, id: id) }
    }

    /// The settlement, checked to be held, this station's, and within its hold time. A hold found
    /// expired is released on the spot (in the caller's transaction, which must commit) and
    /// reported as such.
    static func heldSettlement(_ db: Database, id: String, station: String?, states: PhoneStates?, now: Instant)
        throws -> Result<SettlementRecord, SettlementError>
    {
        guard let settlement = try fetchSettlement(db, id: id) else { return .failure(.notFound) }
        if let station, settlement.station != station { return .failure(.otherStation) }
        guard settlement.status == .held else {
            return .failure(settlement.status == .expired ? .holdExpired : .notHeld(settlement.status))
        }
        if let expires = settlement.holdExpiresAt, now >= expires {
            try release(db, settlement, status: .expired, actor: "expiry", states: states, now: now)
            return .failure(.holdExpired)
        }
        return .success(settlement)
    }

    /// Moves a held settlement to `status` and gives its amount back to the coupon's available balance.
    static func release(
        _ db: Database, _ settlement: SettlementRecord, status: SettlementStatus, actor: String,
        states: PhoneStates?, now: Instant
    ) throws {
        try db.run(
            sql: "UPDATE settlements SET status = ? WHERE id = ? AND status = 'held'",
            arguments: [status.rawValue, settlement.id])
        guard db.changesCount == 1 else { throw SettlementError.notHeld(status) }
        let coupon = try couponRow(db, id: settlement.couponID)
        let amount = settlement.charged.minorUnits
        try db.run(
            sql: "UPDATE coupons SET held = held - ? WHERE id = ?", arguments: [amount, settlement.couponID])
        try appendLedger(
            db, coupon: settlement.couponID, kind: .release, amount: amount, balance: (coupon.balance, coupon.balance),
            held: (coupon.held, coupon.held - amount), actor: actor, settlement: settlement.id, at: now)
        _ = try sendState(db, couponID: settlement.couponID, states: states, now: now)
    }

    static func couponRow(_ db: Database, id: String) throws -> (balance: Int64, held: Int64) {
        guard let row = try db.row(sql: "SELECT balance, held FROM coupons WHERE id = ?", arguments: [id])
        else {
            throw StoreError(kind: .corruptRow("settlement without its coupon \(id)"))
        }
        return (row["balance"], row["held"])
    }

    static func fetchSettlement(_ db: Database, id: String) throws -> SettlementRecord? {
        guard
            let row = try db.row(
                sql: "SELECT s.*, c.currency FROM settlements s JOIN coupons c ON c.id = s.coupon_id WHERE s.id = ?",
                arguments: [id])
        else { return nil }
        let currency = try Currency(code: row["currency"])
        guard let status = SettlementStatus(rawValue: row["status"]) else {
            throw StoreError(kind: .corruptRow("settlement status"))
        }
        let lines = try db.rows(
            sql: "SELECT * FROM settlement_lines WHERE settlement_id = ? ORDER BY rowid", arguments: [id]
        ).map { line in
            let price = Money(minorUnits: line["unit_price"], currency: currency)
            let quantity: Int = line["quantity"]
            let product = Product(
                code: try ProductCode(line["product_code"] as String), name: line["name"], price: price)
            return PricedLine(product: product, quantity: quantity, total: try price.multiplied(by: quantity))
        }
        func money(_ column: String) -> Money { Money(minorUnits: row[column], currency: currency) }
        let expires: Int64? = row["hold_expires_at"]
        return SettlementRecord(
            id: id, couponID: row["coupon_id"], station: row["station"], status: status, lines: lines,
            total: money("total"),
            charged: money("charged"), due: money("due"), balanceBefore: money("balance_before"),
            balanceAfter: money("balance_after"),
            holdExpiresAt: expires.map(Instant.init), createdAt: Instant(secondsSince1970: row["created_at"]),
            refunded: money("refunded"))
    }

    static func newID(_ prefix: String) -> String {
        SecureID.make(prefix: prefix)
    }
}
