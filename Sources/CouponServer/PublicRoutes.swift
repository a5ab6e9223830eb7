import CouponAPI
import CouponCore
import CouponStore
import Foundation
import HTTPTypes
import Hummingbird

/// What anyone holding a coupon may do without a key: see its balance. The code comes in a POST
/// body, never in a URL, and failures say nothing about whether a code exists.
struct PublicRoutes<Store: CouponStore> {
    let store: Store
    let limiter: RateLimiter
    let trustedProxies: [String]
    let limits: Limits

    func register(on router: Router<AppRequestContext>) {
        router.post("v1/public/balance", use: balance)
        router.get("c", use: page)
    }

    @Sendable func balance(_ request: Request, context: AppRequestContext) async throws -> PublicBalance {
        let client = context.clientAddress(request, trustedProxies: trustedProxies)
        guard limiter.allow(client) else {
            throw APIError.rateLimited("too many balance checks from this address; wait a minute")
        }
        let body = try await request.json(LookupBody.self, upTo: limits.maxBody)
        // A malformed code and an unknown one get the same answer.
        guard let code = try? QRPayload.code(from: body.code), let record = try await store.coupon(code: code) else {
            throw APIError(.notFound, .notFound, "no coupon matches this code")
        }
        return PublicBalance(
            balance: Amount(record.snapshot.balance), available: Amount(record.snapshot.available),
            state: record.snapshot.state.rawValue, expiresAt: record.snapshot.expiresAt.map(\.iso8601))
    }

    /// The page a phone camera opens from the QR link, in the language the phone asks for
    /// (CustomerPages): its script reads the code from the fragment, which the browser never sends.
    @Sendable func page(_ request: Request, context: AppRequestContext) async throws -> Response {
        let language = CustomerPages.Language(acceptLanguage: request.headers[.acceptLanguage])
        return CustomerPages.page(CustomerPages.balancePage(language), language: language)
    }
}

/// A fixed-window limit per client address: `limit` calls a minute.
final class RateLimiter: Sendable {
    private let limit: Int
    private let counts = MinuteCounts()

    init(limit: Int) { self.limit = limit }

    func allow(_ client: String) -> Bool { counts.add(client) <= limit }
}
