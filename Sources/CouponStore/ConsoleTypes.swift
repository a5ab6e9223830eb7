import CouponCore

/// What the issuer's console keeps: its named users, their sessions, the log of what they did,
/// and the lookups its pages need (coupon search, a coupon's ledger and settlements, paged).
/// Every ``CouponStore`` is one.
public protocol ConsoleStore: Sendable {
    /// Adds a console user. - Throws: ``ConsoleUserExists`` when the name is taken.
    func addConsoleUser(_ user: ConsoleUser, now: Instant) async throws
    /// The user of this name, with the password hash, or nil.
    func consoleUser(name: String) async throws -> ConsoleUser?
    /// Every console user, by name.
    func consoleUsers() async throws -> [ConsoleUser]
    /// Stores a new session (its id only as a hash).
    func startSession(_ session: ConsoleSession) async throws
    /// The session whose id hashes to `idHash` if it has not ended, or nil.
    func session(idHash: String) async throws -> ConsoleSession?
    /// Records a session's latest use (for the idle expiry).
    func touchSession(idHash: String, now: Instant) async throws
    /// Ends a session (sign out, or expiry found): it cannot be used again.
    func endSession(idHash: String, now: Instant) async throws
    /// Appends to the console's log of actions.
    func logConsole(_ event: ConsoleEvent) async throws
    /// The console's log, newest first, before sequence number `before` (nil: from the newest).
    func consoleLog(before: Int64?, limit: Int) async throws -> [ConsoleEvent]
    /// Coupons matching `query`, in id order after `after`, at most `limit`.
    func searchCoupons(_ query: CouponQuery, after: String?, limit: Int) async throws -> [CouponRecord]
    /// How many settlements are held now (from the open holds' index, not a scan of the coupons).
    func openHoldCount() async throws -> Int
    /// A coupon with a page of its ledger (newest first, before sequence number `ledgerBefore`;
    /// nil: from the newest) and its latest settlements (newest first), read in one snapshot, or
    /// nil for an unknown id.
    func couponPage(id: String, ledgerBefore: Int64?, ledgerLimit: Int, settlementLimit: Int) async throws
        -> CouponPage?
}

/// What a coupon's console page shows, read in one snapshot.
public struct CouponPage: Sendable {
    public var coupon: CouponRecord
    public var ledger: [LedgerEntry]
    public var settlements: [SettlementRecord]
}

/// Who may sign in to the console: an admin changes things, a viewer only looks.
public struct ConsoleUser: Sendable, Equatable {
    public enum Role: String, Sendable, Codable, CaseIterable {
        case admin, viewer
    }

    public var name: String
    public var role: Role
    /// The password's scrypt hash in its PHC-like text form (parameters, salt, hash).
    public var passwordHash: String
    /// Who added the user (an admin key's or user's actor).
    public var createdBy: String

    public init(name: String, role: Role, passwordHash: String, createdBy: String) {
        self.name = name
        self.role = role
        self.passwordHash = passwordHash
        self.createdBy = createdBy
    }

    /// The name written as the actor in the ledger and the console's log.
    public var actor: String { "user:\(name)" }
}

/// A signed-in console session. Its id is kept only as a hash; the CSRF token is sent with
/// every form of the session's pages.
public struct ConsoleSession: Sendable, Equatable {
    public var idHash: String
    /// The actor the session acts as (`user:NAME`, or an admin key's actor).
    public var actor: String
    public var role: ConsoleUser.Role
    public var csrf: String
    public var createdAt: Instant
    public var lastSeen: Instant

    public init(idHash: String, actor: String, role: ConsoleUser.Role, csrf: String, createdAt: Instant, lastSeen: Instant) {
        self.idHash = idHash
        self.actor = actor
        self.role = role
        self.csrf = csrf
        self.createdAt = createdAt
        self.lastSeen = lastSeen
    }
}

/// One line of the console's log: who did what to which thing.
public struct ConsoleEvent: Sendable, Equatable {
    public var seq: Int64
    public var at: Instant
    public var actor: String
    public var action: String
    public var target: String
    public var detail: String

    public init(seq: Int64 = 0, at: Instant, actor: String, action: String, target: String, detail: String = "") {
        self.seq = seq
        self.at = at
        self.actor = actor
        self.action = action
        self.target = target
        self.detail = detail
    }
}

/// How the console finds coupons.
public enum CouponQuery: Sendable, Equatable {
    /// Every coupon.
    case all
    /// The coupon with this id.
    case id(String)
    /// Coupons whose code ends in these four characters.
    case lastFour(String)
    case campaign(String)
    /// Coupons sent to this phone number (as written at issue).
    case phone(String)
}

/// A console user's name is taken.
public struct ConsoleUserExists: Error, Sendable, CustomStringConvertible {
    public var name: String
    public var description: String { "a console user named \(name) exists already" }
}

/// The console's tables, the same on both stores but for their types.
enum ConsoleSchema {
    static let sqlite = """
        CREATE TABLE console_users (
            name TEXT PRIMARY KEY,
            role TEXT NOT NULL CHECK (role IN ('admin', 'viewer')),
            password_hash TEXT NOT NULL,
            created_by TEXT NOT NULL,
            created_at INTEGER NOT NULL
        );
        CREATE TABLE console_sessions (
            id_hash TEXT PRIMARY KEY,
            actor TEXT NOT NULL,
            role TEXT NOT NULL,
            csrf TEXT NOT NULL,
            created_at INTEGER NOT NULL,
            last_seen INTEGER NOT NULL,
            ended_at INTEGER
        );
        CREATE TABLE console_log (
            seq INTEGER PRIMARY KEY AUTOINCREMENT,
            at INTEGER NOT NULL,
            actor TEXT NOT NULL,
            action TEXT NOT NULL,
            target TEXT NOT NULL,
            detail TEXT NOT NULL
        );
        CREATE INDEX coupons_by_last_four ON coupons(last_four, id);
        DROP INDEX coupons_by_campaign;
        CREATE INDEX coupons_by_campaign_id ON coupons(campaign, id) WHERE campaign IS NOT NULL;
        CREATE INDEX coupons_by_phone ON coupons(phone, id) WHERE phone IS NOT NULL;
        CREATE INDEX settlements_by_coupon ON settlements(coupon_id, created_at);
        CREATE INDEX ledger_settled_by_time ON ledger(at) WHERE settlement_id IS NOT NULL;
        """

    static let postgres = """
        CREATE TABLE console_users (
            name TEXT PRIMARY KEY,
            role TEXT NOT NULL CHECK (role IN ('admin', 'viewer')),
            password_hash TEXT NOT NULL,
            created_by TEXT NOT NULL,
            created_at BIGINT NOT NULL
        );
        CREATE TABLE console_sessions (
            id_hash TEXT PRIMARY KEY,
            actor TEXT NOT NULL,
            role TEXT NOT NULL,
            csrf TEXT NOT NULL,
            created_at BIGINT NOT NULL,
            last_seen BIGINT NOT NULL,
            ended_at BIGINT
        );
        CREATE TABLE console_log (
            seq BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
            at BIGINT NOT NULL,
            actor TEXT NOT NULL,
            action TEXT NOT NULL,
            target TEXT NOT NULL,
            detail TEXT NOT NULL
        );
        DROP INDEX coupons_by_last_four;
        CREATE INDEX coupons_by_last_four_id ON coupons(last_four, id);
        DROP INDEX coupons_by_campaign;
        CREATE INDEX coupons_by_campaign_id ON coupons(campaign, id) WHERE campaign IS NOT NULL;
        CREATE INDEX coupons_by_phone ON coupons(phone, id) WHERE phone IS NOT NULL;
        DROP INDEX settlements_by_coupon;
        CREATE INDEX settlements_by_coupon_time ON settlements(coupon_id, created_at);
        CREATE INDEX ledger_settled_by_time ON ledger(at) WHERE settlement_id IS NOT NULL;
        """
}
