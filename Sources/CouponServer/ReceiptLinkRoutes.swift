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
        let language = CustomerPages.Language(acceptLanguage: request.headers[.acceptLanguage])
        return CustomerPages.page(Self.html(view, balance: coupon.snapshot.balance, language: language), language: language)
    }

    /// The receipt's page in `language`: the coupon's last four, its balance and state now, the purchase.
    static func html(_ view: ReceiptView, balance: Money, language: CustomerPages.Language) -> String {
        let t = CustomerPages.Text(language: language)
        let escape = HTML.escape
        let state = ["active": t("Active", "可用"), "blocked": t("Blocked", "已冻结"), "expired": t("Expired", "已过期")][
            view.state] ?? view.state
        let expiry = view.expiresAt.map { " · " + t("valid until", "有效期至") + " " + String($0.prefix(10)) } ?? ""
        return """
            <!doctype html><html lang="\(language.tag)"><head><meta charset="utf-8">
            <meta name="viewport" content="width=device-width, initial-scale=1">
            <title>\(t("Coupon balance", "储值券余额"))</title><link rel="stylesheet" href="/assets/coupon.css"></head>
            <body><main><h1>\(t("Coupon", "储值券")) ****\(escape(view.lastFour))</h1>
            <p class="amount">\(escape(balance.formatted)) \(escape(balance.currency.code))</p>
            <p>\(escape(state + expiry))</p>
            <p>\(t("Receipt", "收据")) \(escape(view.settlementID)): \(escape(view.status)), \(escape(view.charged.currency)) \(escape((try? view.charged.money().formatted) ?? ""))</p>
            <p class="note">\(t("This page shows the balance only; it cannot be used to pay.", "此页面仅显示余额，不能用于支付。"))</p>
            </main></body></html>
            """
    }
}
