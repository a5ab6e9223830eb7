import CouponAPI
import CouponCore
import Foundation
import SignedState

/// Everything `coupon-server` is configured with; defaults suit a local run.
public struct ServerConfiguration: Sendable {
    /// Address to bind.
    public var host = "127.0.0.1"
    /// Port to bind; 0 picks a free one.
    public var port = 8080
    /// The database: a SQLite file (a path, or `sqlite:PATH`), created on first start, or a
    /// PostgreSQL URL (`postgres://USER@HOST:PORT/DB`).
    public var databasePath = "./data/coupons.sqlite"
    /// The folder of the server's secrets and first admin key; nil: `./data` for PostgreSQL, the
    /// SQLite file's folder otherwise.
    public var dataDirectory: String? = nil
    /// Connections each server keeps to PostgreSQL at most.
    public var databasePool = 20
    /// The base of QR links: `<base>/c#<CODE>`.
    public var publicBaseURL = "http://localhost:8080"
    /// How long a hold lasts before it is released, in seconds.
    public var holdSeconds: Int64 = 600
    /// The zone in which an expiry date ends at midnight.
    public var timeZone = "Asia/Shanghai"
    /// Public balance checks allowed per client address and minute.
    public var publicBalanceLimit = 30
    /// Failed code lookups and settlements with unknown codes allowed per key, and per client
    /// address, each minute.
    public var failureLimit = 20
    /// Days a coupon's phone number is kept after the coupon is spent or expired; then it is erased.
    public var phoneRetentionDays = 90
    /// The largest balance, batch, price and request bodies (docs/operations.md lists them).
    public var limits = Limits()
    /// Timeouts and connection caps against clients that hold connections open.
    public var connections = ConnectionLimits()
    /// TLS (certificate and key, reloaded on SIGHUP), or nil for plain HTTP.
    public var tls: TLSReloader? = nil
    /// Proxies whose `X-Forwarded-For` is believed for the client's address.
    public var trustedProxies: [String] = []
    /// The key of receipts' read-only balance links (`/b/<token>`); coupon-server keeps it in the
    /// data folder so links outlive a restart.
    public var balanceLinkSecret: [UInt8] = SecureID.bytes(32)
    /// The bearer token that may read `/metrics` besides an admin key (`data/metrics.key`, for a
    /// Prometheus `bearer_token_file`); nil: admin keys only.
    public var metricsKey: String?
    /// The provider's state keys (`data/state-keys`): they sign the balance of coupons that carry
    /// it on the phone, and check the states stations present. The store signs with the same ring.
    public var stateKeys: KeyRing? = nil
    /// Where the outbox's messages are POSTed (signed), or nil: `couponctl outbox deliver` takes them.
    public var outboxWebhook: OutboxWebhook? = nil
    /// The clock; tests set their own.
    public var clock: @Sendable () -> Instant = { Instant.now }

    public init() {}

    /// Makes and checks receipts' balance links.
    var balanceLinks: BalanceLinks { BalanceLinks(secret: balanceLinkSecret, baseURL: publicBaseURL) }

    /// The instant an expiry date (`2027-12-31`) ends in the configured zone.
    func endOfDay(_ date: String, errorCode: ErrorCode = .badExpiry) throws -> Instant {
        guard let day = CalendarDay(date) else {
            throw APIError(.badRequest, errorCode, "'\(date)' is not a calendar day; write it as YYYY-MM-DD")
        }
        guard let zone = TimeZone(identifier: timeZone) else {
            throw APIError(.badRequest, .badExpiry, "unknown time zone \(timeZone)")
        }
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = zone
        let components = DateComponents(year: day.year, month: day.month, day: day.day + 1)
        guard let next = calendar.date(from: components) else {
            throw APIError(.badRequest, .badExpiry, "'\(date)' is not a date")
        }
        return Instant(secondsSince1970: Int64(next.timeIntervalSince1970))
    }
}
