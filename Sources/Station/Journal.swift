import CouponCore
import Foundation
import GRDB

/// The station's local journal (SQLite, `synchronous=FULL`): every checkout in flight with its
/// idempotency key, the provider's last answer and the receipt, written before the next step is
/// taken, so a station that crashed or lost its connection can finish each one on restart.
public final class Journal: Sendable {
    /// Where a checkout stands. Each step is journalled before the next begins.
    public enum State: String, Sendable, Codable {
        /// The hold was sent; its answer is not known.
        case sending
        /// The provider holds the amount; the operator has not confirmed.
        case held
        /// The operator confirmed; the capture is sent or about to be.
        case confirmed
        /// Captured: the receipt is written here and is to be printed.
        case captured
        /// Not paid (declined, voided, expired or never sent): the slip is to be printed.
        case unpaid
        /// The receipt or slip was printed; nothing more to do.
        case done
    }

    public struct Entry: Sendable, Equatable {
        public var id: String
        public var state: State
        public var settlementID: String?
        public var receipt: Receipt?
        public var couponLastFour: String
        public var items: [BasketLine]
        public var createdAt: Date
    }

    let pool: DatabasePool

    /// Opens (creating) the journal at `path`.
    public init(path: String) throws(StationError) {
        do {
            let directory = (path as NSString).deletingLastPathComponent
            if !directory.isEmpty {
                try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
            }
            var configuration = Configuration()
            configuration.prepareDatabase { db in try db.execute(sql: "PRAGMA synchronous = FULL") }
            pool = try DatabasePool(path: path, configuration: configuration)
            var migrator = DatabaseMigrator()
            migrator.registerMigration("v1") { db in
                try db.execute(
                    sql: """
                        CREATE TABLE checkouts (
                            id TEXT PRIMARY KEY,
                            state TEXT NOT NULL,
                            coupon_last_four TEXT NOT NULL,
                            items TEXT NOT NULL,
                            settlement_id TEXT,
                            receipt TEXT,
                            created_at REAL NOT NULL,
                            updated_at REAL NOT NULL
                        );
                        CREATE INDEX checkouts_open ON checkouts(state) WHERE state != 'done';
                        CREATE TABLE events (
                            seq INTEGER PRIMARY KEY AUTOINCREMENT,
                            checkout_id TEXT NOT NULL REFERENCES checkouts(id),
                            at REAL NOT NULL,
                            what TEXT NOT NULL
                        );
                        """)
            }
            // Offline sales (phone-balance coupons): what the till pinned, its catalogue copy, the
            // sales it made offline until they are forwarded, the newest state seen per coupon.
            migrator.registerMigration("v2-offline") { db in try db.execute(sql: OfflineBook.schema) }
            try migrator.migrate(pool)
        } catch {
            throw .journal("cannot open \(path): \(error)")
        }
    }

    /// Starts a checkout before its hold is sent; its id is the hold's idempotency key.
    public func start(couponLastFour: String, items: [BasketLine]) throws -> Entry {
        let entry = Entry(
            id: SecureID.make(prefix: "co"), state: .sending,
            settlementID: nil, receipt: nil, couponLastFour: couponLastFour, items: items, createdAt: Date())
        let itemsJSON = String(decoding: try JSONEncoder().encode(items), as: UTF8.self)
        try pool.write { db in
            try db.execute(
                sql: """
                    INSERT INTO checkouts (id, state, coupon_last_four, items, created_at, updated_at)
                    VALUES (?, 'sending', ?, ?, ?, ?)
                    """,
                arguments: [
                    entry.id, couponLastFour, itemsJSON, entry.createdAt.timeIntervalSince1970,
                    entry.createdAt.timeIntervalSince1970,
                ])
            try Self.event(db, entry.id, "hold sent for \(items.count) line(s)")
        }
        return entry
    }

    /// Moves a checkout on, with what is known by now, and records why.
    public func update(
        _ id: String, state: State, settlementID: String? = nil, receipt: Receipt? = nil, event: String
    ) throws {
        let receiptJSON = try receipt.map { String(decoding: try JSONEncoder().encode($0), as: UTF8.self) }
        try pool.write { db in
            try db.execute(
                sql: """
                    UPDATE checkouts SET state = ?, settlement_id = COALESCE(?, settlement_id),
                        receipt = COALESCE(?, receipt), updated_at = ? WHERE id = ?
                    """,
                arguments: [state.rawValue, settlementID, receiptJSON, Date().timeIntervalSince1970, id])
            try Self.event(db, id, event)
        }
    }

    /// Checkouts not yet done, oldest first.
    public func open() throws -> [Entry] {
        try pool.read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM checkouts WHERE state != 'done' ORDER BY created_at")
                .map(Self.entry)
        }
    }

    /// One checkout by id, or the most recent one with a receipt when `id` is nil.
    public func entry(_ id: String?) throws -> Entry? {
        try pool.read { db in
            let row =
                if let id {
                    try Row.fetchOne(
                        db, sql: "SELECT * FROM checkouts WHERE id = ? OR settlement_id = ?", arguments: [id, id])
                } else {
                    try Row.fetchOne(
                        db, sql: "SELECT * FROM checkouts WHERE receipt IS NOT NULL ORDER BY created_at DESC LIMIT 1")
                }
            return try row.map(Self.entry)
        }
    }

    /// The events of a checkout, oldest first (what the operator and the provider did).
    public func events(_ id: String) throws -> [String] {
        try pool.read { db in
            try String.fetchAll(db, sql: "SELECT what FROM events WHERE checkout_id = ? ORDER BY seq", arguments: [id])
        }
    }

    static func event(_ db: Database, _ id: String, _ what: String) throws {
        try db.execute(
            sql: "INSERT INTO events (checkout_id, at, what) VALUES (?, ?, ?)",
            arguments: [id, Date().timeIntervalSince1970, what])
    }

    static func entry(_ row: Row) throws -> Entry {
        let items = try JSONDecoder().decode([BasketLine].self, from: Data((row["items"] as String).utf8))
        let receipt = try (row["receipt"] as String?).map {
            try JSONDecoder().decode(Receipt.self, from: Data($0.utf8))
        }
        return Entry(
            id: row["id"], state: State(rawValue: row["state"]) ?? .done, settlementID: row["settlement_id"],
            receipt: receipt, couponLastFour: row["coupon_last_four"], items: items,
            createdAt: Date(timeIntervalSince1970: row["created_at"]))
    }
}
