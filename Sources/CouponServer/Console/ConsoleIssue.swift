import CouponAPI
import CouponCore
import CouponMessages
import CouponStore
import Foundation
import Hummingbird
import QRRender

/// Issuing from the console: one coupon, or one per line of a CSV of recipients. The new codes
/// and their QR files (PNG, SVG, MMS) are in that one response only, as `data:` links, since the
/// server keeps no code it could show again.
extension ConsoleRoutes {
    /// The most coupons one console batch makes (each shown with its QR on one page).
    static var maxConsoleBatch: Int { 200 }

    func registerIssue(on console: RouterGroup<AppRequestContext>) {
        console.get("issue") { request, context in
            try await signedIn(request, context, admin: true) { _, page in
                var values = page.session.values.merging(ConsoleFormat.formKeys(page.session)) { $1 }
                values["title"] = "Issue coupons"
                values["batchIdem"] = ConsoleToken.make()
                values["max"] = Self.maxConsoleBatch
                return view.page("issue", values)
            }
        }
        console.post("issue") { request, context in
            try await signedIn(request, context, admin: true) { request, page in
                try await issue(page: page, path: request.uri.path)
            }
        }
    }

    func issue(page: ConsolePage, path: String) async throws -> Response {
        let form = page.form
        let now = configuration.clock()
        let amount = try form.require("amount", "the amount")
        let currency: Currency
        do { currency = try Currency(code: try form.require("currency", "the currency").uppercased()) } catch let error as ConsoleRefusal {
            throw error
        } catch { throw ConsoleRefusal.bad("\(error)", back: "/console/issue") }
        var expiry: Expiry? = nil
        if let days = form["days"] {
            guard let count = Int(days) else { throw ConsoleRefusal.bad("Days of validity is a whole number.", back: "/console/issue") }
            expiry = Expiry(days: count)
        }
        let campaign = form["campaign"]
        let onPhone = form["on_phone"] != nil
        func body(_ text: String, phone: String?) throws -> IssueBody {
            let money = try Money(parsing: text, currency: currency)
            return IssueBody(
                initial: Amount(money), expiry: expiry, campaign: campaign, phone: phone, balanceOnPhone: onPhone)
        }
        var bodies: [IssueBody] = []
        if let csv = form.fields["recipients"], !csv.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty {
            for (index, line) in csv.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
                let fields = line.split(separator: ",", omittingEmptySubsequences: false).map {
                    $0.trimmingCharacters(in: .whitespacesAndNewlines)
                }
                if fields.allSatisfy(\.isEmpty) || (index == 0 && fields.first?.lowercased() == "phone") { continue }
                do {
                    guard fields.count <= 2 else { throw ConsoleRefusal.bad("write phone,amount (two fields at most)") }
                    let request = try body(fields.count > 1 && !fields[1].isEmpty ? fields[1] : amount, phone: fields[0])
                    _ = try CouponRoutes<Store>.issueRequest(request, configuration: configuration, now: now)
                    bodies.append(request)
                } catch {
                    let why = (error as? ConsoleRefusal)?.text ?? APIError.from(error)?.body.error.message ?? "\(error)"
                    throw ConsoleRefusal.bad("Line \(index + 1) of the recipients: \(why). Nothing was issued.", back: "/console/issue")
                }
            }
            guard (1...Self.maxConsoleBatch).contains(bodies.count) else {
                throw ConsoleRefusal.bad(
                    "A batch from the console has 1 to \(Self.maxConsoleBatch) recipients; this one has \(bodies.count).",
                    back: "/console/issue")
            }
        } else {
            bodies = [try body(amount, phone: form["phone"])]
        }
        let requests = try bodies.map { try CouponRoutes<Store>.issueRequest($0, configuration: configuration, now: now) }
        let key = try page.idempotency(path: path)
        let result = try await store.issue(requests, actor: page.session.actor, now: now, idempotency: key) { issued in
            StoredResponse(status: 201, body: Array(issued.map(\.record.id).joined(separator: ",").utf8))
        }
        guard case .fresh(let issued, _) = result else { return alreadyShown("", page: page) }
        try await store.logConsole(
            ConsoleEvent(
                at: now, actor: page.session.actor, action: "issue", target: issued.map(\.record.id).joined(separator: ","),
                detail: "\(issued.count) x \(amount) \(currency.code)"))
        return try issuedPage(issued, page: page, title: issued.count == 1 ? "Coupon issued" : "\(issued.count) coupons issued")
    }

    /// The one page that shows new codes: each with its QR and its files as `data:` links.
    func issuedPage(_ issued: [IssuedCoupon], page: ConsolePage, title: String) throws -> Response {
        var values = page.session.values
        values["title"] = title
        values["coupons"] = try issued.map { coupon -> [String: Any] in
            let link = QRPayload.link(
                baseURL: configuration.publicBaseURL, code: coupon.code, state: coupon.record.signedBalance?.token)
            let matrix = try QREncoder.encode(text: link, level: .medium)
            let png = try QRRenderer.png(matrix)
            let svg = QRRenderer.svg(matrix)
            let message = CouponMessage(
                id: coupon.record.id, amount: coupon.record.snapshot.balance.formatted,
                currency: coupon.record.snapshot.balance.currency.code,
                expires: coupon.record.snapshot.expiresAt.map { String($0.iso8601.prefix(10)) }, link: link, phone: nil,
                language: MessageLanguage.choose(nil, phone: nil, campaign: coupon.record.campaign))
            return [
                "id": coupon.record.id, "code": coupon.code.grouped, "balance": coupon.record.snapshot.balance.description,
                "png": "data:image/png;base64," + Data(png).base64EncodedString(),
                "svg": "data:image/svg+xml;base64," + Data(svg.utf8).base64EncodedString(),
                "mms": "data:message/rfc822;base64," + Data(message.mime(png: png).utf8).base64EncodedString(),
                "sms": message.sms.text,
            ]
        }
        return view.page("issued", values)
    }
}
