import CouponAPI
import CouponCore
import CouponStore
import Foundation
import HTTPTypes
import Hummingbird

/// `GET /b/{token}`: the read-only balance page a receipt's QR opens. The token names a settlement
/// (signed by the server), so it shows that purchase and the coupon's balance now, and cannot pay:
/// it holds no coupon code. JSON when the client asks for it, HTML otherwise.
struct ReceiptLinkRoutes<Store: CouponStore> {
    let store: Store
    let links: BalanceLinks

    func register(on router: Router<AppRequestContext>) {
        router.get("b/:token", use: show)
    }

    @Sendable func show(_ request: Request, context: AppRequestContext) async throws -> Response {
        let token = try context.parameters.require("token")
        guard let id = links.settlementID(fromToken: token), let settlement = try await store.settlement(id: id),
            let coupon = try await store.coupon(id: settlement.couponID)
        else {
            throw APIError(.notFound, .notFound, "this balance link is not valid")
        }
        let view = ReceiptView(
            settlementID: settlement.id, status: settlement.status.rawValue, charged: Amount(settlement.charged),
            balance: Amount(coupon.snapshot.balance), available: Amount(coupon.snapshot.available),
            state: coupon.snapshot.state.rawValue, expiresAt: coupon.snapshot.expiresAt.map(\.iso8601),
            lastFour: coupon.lastFour)
        if request.headers[.accept]?.contains("application/json") == true {
            var response = try view.response(from: request, context: context)
            response.headers[.cacheControl] = "no-store"
            return response
        }
        return Response(
            status: .ok,
            headers: [
                .contentType: "text/html; charset=utf-8", .cacheControl: "no-store",
                .contentSecurityPolicy: "default-src 'none'; style-src 'unsafe-inline'",
                HTTPField.Name("Referrer-Policy")!: "no-referrer",
            ],
            body: .init(byteBuffer: ByteBuffer(string: Self.html(view, balance: coupon.snapshot.balance))))
    }

    static func html(_ view: ReceiptView, balance: Money) -> String {
        let expiry = view.expiresAt.map { ", valid until \($0)" } ?? ""
        return """
            <!doctype html><html><head><meta charset="utf-8"><meta name="viewport" content="width=device-width">
            <title>Coupon balance</title><style>body{font-family:sans-serif;margin:2em}#b{font-size:2em}</style></head>
            <body><h1>Coupon …\(escape(view.lastFour))</h1><p id="b">\(escape(balance.description))</p>
            <p>\(escape(view.state + expiry))</p>
            <p>Receipt \(escape(view.settlementID)): \(escape(view.status)).</p>
            <p>This page shows the balance only; it cannot be used to pay.</p></body></html>
            """
    }

    static func escape(_ text: String) -> String {
        text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
            .replacingOccurrences(of: ">", with: "&gt;").replacingOccurrences(of: "\"", with: "&quot;")
    }
}
