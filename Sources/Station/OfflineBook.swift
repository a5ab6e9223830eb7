import CouponAPI
import CouponCore
import Foundation
import GRDB

/// The offline part of the station's journal: what it pinned from the provider (state keys,
/// limits, clock), its copy of the catalogue, the sales it made offline until they are
/// forwarded, and the newest state it has seen of each coupon. One file with the checkouts, so a
/// sale and its receipt are journalled together.
public struct OfflineBook: Sendable {
    let journal: Journal

    public init(_ journal: Journal) { self.journal = journal }

    static let schema = """
        CREATE TABLE pins (
            id INTEGER PRIMARY KEY CHECK (id = 1),
            station TEXT NOT NULL,
            offline TEXT NOT NULL,
            clock_offset REAL NOT NULL,
            synced_at REAL NOT NULL
        );
        CREATE TABLE catalogue (
            code TEXT PRIMARY KEY,
            name TEXT NOT NULL,
            price INTEGER NOT NULL,
            currency TEXT NOT NULL
        );
        CREATE TABLE offline_sales (
            id TEXT PRIMARY KEY,
            checkout_id TEXT NOT NULL REFERENCES checkouts(id),
            coupon_id TEXT NOT NULL,
            state_seq INTEGER NOT NULL,
            day TEXT NOT NULL,
            currency TEXT NOT NULL,
            total INTEGER NOT NULL,
            payload TEXT,
            body TEXT NOT NULL,
            status TEXT NOT NULL CHECK (status IN ('pending', 'forwarded', 'refused')),
            answer TEXT,
            made_at REAL NOT NULL
        );
        CREATE INDEX offline_pending ON offline_sales(made_at) WHERE status = 'pending';
        CREATE INDEX offline_by_coupon ON offline_sales(coupon_id, day);
        CREATE TABLE seen_states (coupon_id TEXT PRIMARY KEY, sequence INTEGER NOT NULL);
        """

    /// What the till pinned at its last sync.
    public struct Pins: Sendable {
        public var offline: StationOffline
        /// The provider's clock minus the till's, in seconds, at the sync.
        public var clockOffset: Double
        public var syncedAt: Date
        public var catalogueSize: Int
    }

    /// Pins the provider's keys, limits and clock, and replaces the catalogue copy, in one transaction.
    public func pin(_ offline: StationOffline, clockOffset: Double, products: [ProductInfo], at: Date) throws {
        let json = String(decoding: try JSONEncoder().encode(offline), as: UTF8.self)
        try journal.pool.write { db in
            try Self.writePins(db, offline.station, json, clockOffset, at, catalogueTime: true)
            try db.execute(sql: "DELETE FROM catalogue")
            for product in products {
                try db.execute(
                    sql: "INSERT INTO catalogue (code, name, price, currency) VALUES (?, ?, ?, ?)",
                    arguments: [product.code, product.name, product.price.amount, product.price.currency])
            }
        }
    }

    /// Pins the provider's keys, limits and clock again, keeping the catalogue copy (a till that
    /// never synced gets pins with an empty catalogue: it sells nothing offline until `sync`).
    public func repin(_ offline: StationOffline, clockOffset: Double, at: Date) throws {
        let json = String(decoding: try JSONEncoder().encode(offline), as: UTF8.self)
        try journal.pool.write { db in
            try Self.writePins(db, offline.station, json, clockOffset, at, catalogueTime: false)
        }
    }

    /// The pins row; `synced_at` (the catalogue copy's age) moves only with the catalogue.
    static func writePins(
        _ db: Database, _ station: String, _ json: String, _ offset: Double, _ at: Date, catalogueTime: Bool
    ) throws {
        try db.execute(
            sql: """
                INSERT INTO pins (id, station, offline, clock_offset, synced_at) VALUES (1, ?, ?, ?, ?)
                ON CONFLICT (id) DO UPDATE SET station = excluded.station, offline = excluded.offline,
                    clock_offset = excluded.clock_offset\(catalogueTime ? ", synced_at = excluded.synced_at" : "")
                """, arguments: [station, json, offset, at.timeIntervalSince1970])
    }

    public func pins() throws -> Pins? {
        try journal.pool.read { db in
            guard let row = try Row.fetchOne(db, sql: "SELECT * FROM pins WHERE id = 1") else { return nil }
            let offline = try JSONDecoder().decode(StationOffline.self, from: Data((row["offline"] as String).utf8))
            let count = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM catalogue") ?? 0
            return Pins(
                offline: offline, clockOffset: row["clock_offset"],
                syncedAt: Date(timeIntervalSince1970: row["synced_at"]), catalogueSize: count)
        }
    }

    /// A product of the catalogue copy, or nil.
    public func product(_ code: String) throws -> ProductInfo? {
        try journal.pool.read { db in
            try Row.fetchOne(db, sql: "SELECT * FROM catalogue WHERE code = ?", arguments: [code]).map {
                ProductInfo(
                    code: $0["code"], name: $0["name"], price: Amount(amount: $0["price"], currency: $0["currency"]))
            }
        }
    }

    /// Remembers the newest state seen of a coupon (online or offline).
    public func saw(couponID: String, sequence: Int) throws {
        try journal.pool.write { db in
            try db.execute(
                sql: """
                    INSERT INTO seen_states (coupon_id, sequence) VALUES (?, ?)
                    ON CONFLICT (coupon_id) DO UPDATE SET sequence = MAX(sequence, excluded.sequence)
                    """, arguments: [couponID, sequence])
        }
    }

    /// The newest state this till has seen of a coupon, or nil.
    public func newestSeen(couponID: String) throws -> Int? {
        try journal.pool.read { db in
            try Int.fetchOne(db, sql: "SELECT sequence FROM seen_states WHERE coupon_id = ?", arguments: [couponID])
        }
    }

    /// Whether this till already sold offline on this state of the coupon.
    public func spent(couponID: String, sequence: Int) throws -> Bool {
        try journal.pool.read { db in
            try Bool.fetchOne(
                db, sql: "SELECT EXISTS (SELECT 1 FROM offline_sales WHERE coupon_id = ? AND state_seq = ?)",
                arguments: [couponID, sequence]) ?? false
        }
    }

    /// What this till sold offline from a coupon on a day (the provider's date), in minor units.
    public func soldToday(couponID: String, day: String) throws -> Int64 {
        try journal.pool.read { db in
            try Int64.fetchOne(
                db, sql: "SELECT COALESCE(SUM(total), 0) FROM offline_sales WHERE coupon_id = ? AND day = ?",
                arguments: [couponID, day]) ?? 0
        }
    }

    /// A sale made offline: its checkout (captured, with its receipt) and the sale to forward, in
    /// one transaction, before the receipt prints.
    public struct Sale: Sendable {
        public var id: String
        public var couponID: String
        public var stateSequence: Int
        public var day: String
        public var body: OfflineSaleBody
        public var madeAt: Date
    }

    public func record(_ sale: Sale, couponLastFour: String, items: [BasketLine], receipt: Receipt) throws
        -> Journal.Entry
    {
        let entry = Journal.Entry(
            id: SecureID.make(prefix: "co"), state: .captured, settlementID: nil, receipt: receipt,
            couponLastFour: couponLastFour, items: items, createdAt: sale.madeAt)
        let itemsJSON = String(decoding: try JSONEncoder().encode(items), as: UTF8.self)
        let receiptJSON = String(decoding: try JSONEncoder().encode(receipt), as: UTF8.self)
        // The body without the code: the code is kept apart (payload) and erased once forwarded.
        var stored = sale.body
        stored.couponCode = ""
        let bodyJSON = String(decoding: try JSONEncoder().encode(stored), as: UTF8.self)
        let time = sale.madeAt.timeIntervalSince1970
        try journal.pool.write { db in
            try db.execute(
                sql: """
                    INSERT INTO checkouts (id, state, coupon_last_four, items, receipt, created_at, updated_at)
                    VALUES (?, 'captured', ?, ?, ?, ?, ?)
                    """, arguments: [entry.id, couponLastFour, itemsJSON, receiptJSON, time, time])
            try db.execute(
                sql: """
                    INSERT INTO offline_sales (id, checkout_id, coupon_id, state_seq, day, currency, total, payload,
                        body, status, made_at)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 'pending', ?)
                    """,
                arguments: [
                    sale.id, entry.id, sale.couponID, sale.stateSequence, sale.day, sale.body.total.currency,
                    sale.body.total.amount, sale.body.couponCode, bodyJSON, time,
                ])
            try Journal.event(db, entry.id, "sold offline: \(sale.body.total.amount) (sale \(sale.id))")
        }
        return entry
    }

    /// A sale waiting to be forwarded: its body with the code put back.
    public struct Pending: Sendable {
        public var id: String
        public var checkoutID: String
        public var body: OfflineSaleBody
    }

    public func pending() throws -> [Pending] {
        try journal.pool.read { db in
            try Row.fetchAll(
                db, sql: "SELECT * FROM offline_sales WHERE status = 'pending' ORDER BY made_at, id"
            ).map { row in
                var body = try JSONDecoder().decode(OfflineSaleBody.self, from: Data((row["body"] as String).utf8))
                body.couponCode = row["payload"] ?? ""
                return Pending(id: row["id"], checkoutID: row["checkout_id"], body: body)
            }
        }
    }

    /// The provider applied the sale (or refused it for good): the code is erased, the answer kept.
    public func settle(_ id: String, forwarded: Bool, answer: String) throws {
        try journal.pool.write { db in
            guard let checkout = try String.fetchOne(
                db, sql: "SELECT checkout_id FROM offline_sales WHERE id = ?", arguments: [id])
            else { return }
            try db.execute(
                sql: "UPDATE offline_sales SET status = ?, payload = NULL, answer = ? WHERE id = ? AND status = 'pending'",
                arguments: [forwarded ? "forwarded" : "refused", answer, id])
            try Journal.event(db, checkout, forwarded ? "forwarded: \(answer)" : "forward refused: \(answer)")
        }
    }

    /// Counts by status, for `coupon-station forward` and `sync`.
    public func counts() throws -> [String: Int] {
        try journal.pool.read { db in
            var counts: [String: Int] = [:]
            for row in try Row.fetchAll(db, sql: "SELECT status, COUNT(*) AS n FROM offline_sales GROUP BY status") {
                counts[row["status"]] = row["n"]
            }
            return counts
        }
    }
}
