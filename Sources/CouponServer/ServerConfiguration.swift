import CouponCore
import Foundation

/// Everything `coupon-server` is configured with; defaults suit a local run.
public struct ServerConfiguration: Sendable {
    /// Address to bind.
    public var host = "127.0.0.1"
    /// Port to bind; 0 picks a free one.
    public var port = 8080
    /// Where the SQLite database lives; created on first start.
    public var databasePath = "./data/coupons.sqlite"
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
    /// Proxies whose `X-Forwarded-For` is believed for the client's address.
    public var trustedProxies: [String] = []
    /// The key of receipts' read-only balance links (`/b/<token>`); coupon-server keeps it in the
    /// data folder so links outlive a restart.
    public var balanceLinkSecret: [UInt8] = (0..<32).map { _ in UInt8.random(in: 0...255) }
    /// The clock; tests set their own.
    public var clock: @Sendable () -> Instant = { Instant.now }

    public init() {}

    /// Makes and checks receipts' balance links.
    var balanceLinks: BalanceLinks { BalanceLinks(secret: balanceLinkSecret, baseURL: publicBaseURL) }

    /// The instant an expiry date (`2027-12-31`) ends in the configured zone.
    func endOfDay(_ date: String) throws -> Instant {
        let parts = date.split(separator: "-").compactMap { Int($0) }
        guard parts.count == 3, let zone = TimeZone(identifier: timeZone) else {
            throw APIError(.badRequest, "bad_expiry", "write an expiry date as YYYY-MM-DD")
        }
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = zone
        let components = DateComponents(year: parts[0], month: parts[1], day: parts[2] + 1)
        guard (1...12).contains(parts[1]), (1...31).contains(parts[2]), let next = calendar.date(from: components)
        else {
            throw APIError(.badRequest, "bad_expiry", "'\(date)' is not a date")
        }
        return Instant(secondsSince1970: Int64(next.timeIntervalSince1970))
    }
}
