import CouponAPI

/// The station's calls: hold, capture, void and read settlements, and find what a hold sent under
/// an idempotency key did when its answer was lost.
public struct StationAPI: Sendable {
    public var client: APIClient

    public init(_ client: APIClient) { self.client = client }

    /// Prices the basket and holds its amount on the coupon (`capture: false`).
    public func hold(couponCode: String, items: [BasketItem], idempotencyKey: String)
        async throws(APIClientError) -> Settlement
    {
        try await client.call(
            .post, "/v1/settlements", body: SettlementBody(couponCode: couponCode, items: items, capture: false),
            idempotencyKey: idempotencyKey)
    }

    /// Settles in one call: held and captured at once (`capture: true`).
    public func settle(couponCode: String, items: [BasketItem], idempotencyKey: String)
        async throws(APIClientError) -> Settlement
    {
        try await client.call(
            .post, "/v1/settlements", body: SettlementBody(couponCode: couponCode, items: items, capture: true),
            idempotencyKey: idempotencyKey)
    }

    /// Captures all of a hold, or `amount` of it.
    public func capture(settlementID: String, amount: Amount? = nil, idempotencyKey: String)
        async throws(APIClientError) -> Settlement
    {
        try await client.call(
            .post, "/v1/settlements/\(APIClient.segment(settlementID))/capture", body: CaptureBody(amount: amount),
            idempotencyKey: idempotencyKey)
    }

    /// Releases a hold.
    public func void(settlementID: String, idempotencyKey: String) async throws(APIClientError) -> Settlement {
        try await client.call(
            .post, "/v1/settlements/\(APIClient.segment(settlementID))/void", idempotencyKey: idempotencyKey)
    }

    /// The settlement as the provider has it now.
    public func settlement(id: String) async throws(APIClientError) -> Settlement {
        try await client.call(.get, "/v1/settlements/\(APIClient.segment(id))")
    }

    /// What the hold sent under `idempotencyKey` did: its settlement, a decline (thrown as the
    /// stored answer's error), or nil when the server never completed it (nothing was held).
    public func holdOutcome(idempotencyKey: String) async throws(APIClientError) -> Settlement? {
        do {
            return try await client.call(
                .get, "/v1/settlements?idempotency_key=\(APIClient.query(idempotencyKey))", as: Settlement.self)
        } catch .api(404, let body) where body.error.code == .notFound {
            return nil
        }
    }

    /// A coupon by its code or QR link (any key).
    public func lookup(code: String) async throws(APIClientError) -> Coupon {
        try await client.call(.post, "/v1/coupons/lookup", body: LookupBody(code: code))
    }

    /// A product of the catalogue (any key).
    public func product(code: String) async throws(APIClientError) -> ProductInfo {
        try await client.call(.get, "/v1/products/\(APIClient.segment(code))")
    }

    /// The catalogue, a page at a time (for the till's offline copy).
    public func products(after: String?, limit: Int = 1000) async throws(APIClientError) -> ProductList {
        try await client.call(
            .get, "/v1/products?limit=\(limit)" + (after.map { "&after=\(APIClient.query($0))" } ?? ""))
    }

    /// This station's offline limits, the state keys and the provider's clock.
    public func offline() async throws(APIClientError) -> StationOffline {
        try await client.call(.get, "/v1/station/offline")
    }

    /// Forwards a sale made offline, under the sale's own key (a retry applies it once).
    public func forwardOffline(_ body: OfflineSaleBody, idempotencyKey: String) async throws(APIClientError)
        -> OfflineSettlement
    {
        try await client.call(.post, "/v1/settlements/offline", body: body, idempotencyKey: idempotencyKey)
    }

    /// The provider's state keys and clock (no key needed): a till checks phone states with them.
    public func publicKeys() async throws(APIClientError) -> PublicKeys {
        try await client.call(.get, "/v1/public/keys")
    }
}
