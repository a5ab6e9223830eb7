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

    /// The page a phone camera opens from the QR link: its script reads the code from the
    /// fragment (which the browser never sends) and posts it to the balance call.
    @Sendable func page(_ request: Request, context: AppRequestContext) async throws -> Response {
        Response(
            status: .ok,
            headers: [
                .contentType: "text/html; charset=utf-8", .cacheControl: "no-store",
                .contentSecurityPolicy:
                    "default-src 'none'; script-src 'unsafe-inline'; connect-src 'self'; style-src 'unsafe-inline'",
                HTTPField.Name("Referrer-Policy")!: "no-referrer",
            ],
            body: .init(byteBuffer: ByteBuffer(string: Self.html)))
    }

    static var html: String { balancePageHTML }
}

private let balancePageHTML = """
    <!doctype html><html><head><meta charset="utf-8"><meta name="viewport" content="width=device-width">
    <title>Coupon balance</title><style>body{font-family:sans-serif;margin:2em}#b{font-size:2em}</style></head>
    <body><h1>Coupon balance</h1><p id="b">…</p><p id="s"></p><script>
    const code = decodeURIComponent(location.hash.slice(1));
    const show = (b, s) => { document.getElementById('b').textContent = b; document.getElementById('s').textContent = s; };
    if (!code) { show('No coupon code in this link.', ''); } else {
      fetch('/v1/public/balance', {method: 'POST', headers: {'Content-Type': 'application/json'},
            body: JSON.stringify({code})})
        .then(r => r.json())
        .then(d => {
          if (d.error) { show('Not found', d.error.message); return; }
          const digits = {JPY: 0, KRW: 0, VND: 0, KWD: 3, BHD: 3}[d.balance.currency] ?? 2;
          const major = (d.balance.amount / Math.pow(10, digits)).toFixed(digits);
          show(major + ' ' + d.balance.currency, d.state + (d.expires_at ? ', valid until ' + d.expires_at : ''));
        })
        .catch(() => show('Cannot reach the server.', ''));
    }
    </script></body></html>
    """

/// A fixed-window limit per client address: `limit` calls a minute.
final class RateLimiter: Sendable {
    private let limit: Int
    private let counts = MinuteCounts()

    init(limit: Int) { self.limit = limit }

    func allow(_ client: String) -> Bool { counts.add(client) <= limit }
}
