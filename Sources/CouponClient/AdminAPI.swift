import CouponAPI
import Foundation

/// The issuer's calls (an admin key): coupons, catalogue, stations and keys, reports, audit,
/// backup, export. Every state change sends a fresh `Idempotency-Key`, the same one on its retries.
public struct AdminAPI: Sendable {
    public var client: APIClient

    public init(_ client: APIClient) { self.client = client }

    private func key() -> String { APIClient.newIdempotencyKey() }
    private func coupon(_ id: String, _ action: String = "") -> String {
        "/v1/coupons/\(APIClient.segment(id))" + (action.isEmpty ? "" : "/" + action)
    }

    // MARK: Coupons

    public func issue(_ body: IssueBody, idempotencyKey: String? = nil) async throws(APIClientError) -> Coupon {
        try await client.call(.post, "/v1/coupons", body: body, idempotencyKey: idempotencyKey ?? key())
    }

    public func issue(batch: BatchBody, idempotencyKey: String? = nil) async throws(APIClientError) -> CouponList {
        try await client.call(.post, "/v1/coupons/batch", body: batch, idempotencyKey: idempotencyKey ?? key())
    }

    public func coupon(id: String) async throws(APIClientError) -> Coupon {
        try await client.call(.get, coupon(id))
    }

    public func lookup(code: String) async throws(APIClientError) -> Coupon {
        try await client.call(.post, "/v1/coupons/lookup", body: LookupBody(code: code))
    }

    public func ledger(couponID: String) async throws(APIClientError) -> Ledger {
        try await client.call(.get, coupon(couponID, "ledger"))
    }

    public func load(couponID: String, _ body: LoadBody) async throws(APIClientError) -> Coupon {
        try await client.call(.post, coupon(couponID, "load"), body: body, idempotencyKey: key())
    }

    public func adjust(couponID: String, _ body: AdjustBody) async throws(APIClientError) -> Coupon {
        try await client.call(.post, coupon(couponID, "adjust"), body: body, idempotencyKey: key())
    }

    public func setBlocked(couponID: String, _ blocked: Bool) async throws(APIClientError) -> Coupon {
        try await client.call(.post, coupon(couponID, blocked ? "block" : "unblock"), idempotencyKey: key())
    }

    /// Erases the coupon's phone number.
    public func forgetPhone(couponID: String) async throws(APIClientError) -> Coupon {
        try await client.call(.post, coupon(couponID, "forget-phone"), idempotencyKey: key())
    }

    public func reissue(couponID: String) async throws(APIClientError) -> Coupon {
        try await client.call(.post, coupon(couponID, "reissue"), idempotencyKey: key())
    }

    public func refund(settlementID: String, lines: [BasketItem]) async throws(APIClientError) -> Settlement {
        try await client.call(
            .post, "/v1/settlements/\(APIClient.segment(settlementID))/refund", body: RefundBody(lines: lines),
            idempotencyKey: key())
    }

    public func settlement(id: String) async throws(APIClientError) -> Settlement {
        try await client.call(.get, "/v1/settlements/\(APIClient.segment(id))")
    }

    // MARK: The outbox of phone-balance coupons

    /// Pending messages (with their coupons' codes), each leased to this caller for `leaseSeconds`.
    public func claimOutbox(limit: Int, leaseSeconds: Int) async throws(APIClientError) -> OutboxMessages {
        try await client.call(
            .post, "/v1/outbox/claim", body: OutboxClaimBody(limit: limit, leaseSeconds: leaseSeconds))
    }

    /// Marks messages delivered (repeating it changes nothing).
    public func markDelivered(ids: [String]) async throws(APIClientError) -> OutboxStatus {
        try await client.call(.post, "/v1/outbox/delivered", body: OutboxDeliveredBody(ids: ids), idempotencyKey: key())
    }

    public func outboxStatus() async throws(APIClientError) -> OutboxStatus {
        try await client.call(.get, "/v1/outbox")
    }

    // MARK: Catalogue

    public func putProduct(code: String, _ body: ProductBody) async throws(APIClientError) -> ProductInfo {
        try await client.call(.put, "/v1/products/\(APIClient.segment(code))", body: body)
    }

    public func products(after: String?, limit: Int = 1000) async throws(APIClientError) -> ProductList {
        try await client.call(
            .get, "/v1/products?limit=\(limit)" + (after.map { "&after=\(APIClient.query($0))" } ?? ""))
    }

    /// A CSV catalogue (`code,name,price,currency`): all rows or none.
    public func importProducts(csv: [UInt8]) async throws(APIClientError) -> Imported {
        let answer = try await client.send(.post, "/v1/products/import", bytes: csv, contentType: "text/csv")
        do { return try JSONDecoder().decode(Imported.self, from: answer.body) } catch {
            throw .unexpected(status: answer.status, "the import answer is not a count: \(error)")
        }
    }

    // MARK: Stations and keys

    public func addStation(name: String) async throws(APIClientError) -> StationKey {
        try await client.call(.post, "/v1/stations", body: StationBody(name: name), idempotencyKey: key())
    }

    /// Sets how far a station may sell offline in the amounts' currency.
    public func setOfflineLimit(station: String, _ body: OfflineLimitBody) async throws(APIClientError)
        -> OfflineLimitBody
    {
        try await client.call(.put, "/v1/stations/\(APIClient.segment(station))/offline-limits", body: body)
    }

    public func stations() async throws(APIClientError) -> KeyList {
        try await client.call(.get, "/v1/stations")
    }

    /// Adds a console user (the password travels once, to be hashed by the server).
    public func addConsoleUser(_ body: ConsoleUserBody) async throws(APIClientError) -> ConsoleUserInfo {
        try await client.call(.post, "/v1/users", body: body)
    }

    public func consoleUsers() async throws(APIClientError) -> ConsoleUserList {
        try await client.call(.get, "/v1/users")
    }

    public func keys() async throws(APIClientError) -> KeyList {
        try await client.call(.get, "/v1/keys")
    }

    public func addAdminKey(name: String) async throws(APIClientError) -> AdminKey {
        try await client.call(.post, "/v1/keys", body: AdminKeyBody(name: name), idempotencyKey: key())
    }

    public func revokeKey(id: String) async throws(APIClientError) -> KeyList {
        try await client.call(.post, "/v1/keys/\(APIClient.segment(id))/revoke")
    }

    // MARK: Reports and books

    public func audit() async throws(APIClientError) -> Audit {
        try await client.call(.get, "/v1/audit")
    }

    public func liability(asOf: String?) async throws(APIClientError) -> Liability {
        try await client.call(
            .get, "/v1/reports/liability" + (asOf.map { "?as_of=\(APIClient.query($0))" } ?? ""))
    }

    public func campaign(_ name: String) async throws(APIClientError) -> Campaign {
        try await client.call(.get, "/v1/reports/campaign/\(APIClient.segment(name))")
    }

    public func daily(date: String, station: String?) async throws(APIClientError) -> Daily {
        try await client.call(
            .get,
            "/v1/reports/daily?date=\(APIClient.query(date))"
                + (station.map { "&station=\(APIClient.query($0))" } ?? ""))
    }

    public func export(since: String, after: String? = nil, limit: Int = 5000) async throws(APIClientError) -> Export {
        let cursor = after.map { "&after=\(APIClient.query($0))" } ?? ""
        return try await client.call(.get, "/v1/export?since=\(APIClient.query(since))\(cursor)&limit=\(limit)")
    }

    /// An online backup of the database, as its bytes.
    public func backup() async throws(APIClientError) -> Data {
        try await client.send(.post, "/v1/backup").body
    }
}
