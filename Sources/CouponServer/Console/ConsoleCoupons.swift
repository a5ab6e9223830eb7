import CouponAPI
import CouponCore
import CouponStore
import Foundation
import Hummingbird

/// The console's coupon pages: search, a coupon (balance, ledger, settlements, actions), a
/// settlement (its lines, refunds).
extension ConsoleRoutes {
    func registerCoupons(on console: RouterGroup<AppRequestContext>) {
        console.get("coupons") { request, context in try await signedIn(request, context, render: search) }
        console.get("coupons/:id") { request, context in
            let id = try context.parameters.require("id")
            return try await signedIn(request, context) { request, page in try await coupon(id, page: page) }
        }
        console.post("coupons/:id/:action") { request, context in
            let id = try context.parameters.require("id")
            let action = try context.parameters.require("action")
            return try await signedIn(request, context, admin: true) { request, page in
                try await act(action, on: id, page: page, path: request.uri.path)
            }
        }
        console.get("settlements/:id") { request, context in
            let id = try context.parameters.require("id")
            return try await signedIn(request, context) { _, page in try await settlement(id, page: page) }
        }
        console.post("settlements/:id/refund") { request, context in
            let id = try context.parameters.require("id")
            return try await signedIn(request, context, admin: true) { request, page in
                try await refund(id, page: page, path: request.uri.path)
            }
        }
    }

    /// `/console/coupons?by=last4&q=7XQ2`: by id, last four characters, campaign or phone, paged by id.
    @Sendable func search(_ request: Request, page: ConsolePage) async throws -> Response {
        let query = page.query
        let text = query["q"]?.trimmingCharacters(in: .whitespaces) ?? ""
        let by = query["by"] ?? "last4"
        let search: CouponQuery
        if text.isEmpty {
            search = .all
        } else {
            switch by {
            case "id": search = .id(text)
            case "campaign": search = .campaign(text)
            case "phone": search = .phone(text)
            default: search = .lastFour(String(CouponCode.cleaned(text).suffix(4)))
            }
        }
        let after = query["after"]
        let found = try await store.searchCoupons(search, after: after, limit: Self.pageSize + 1)
        var values = page.session.values
        values["title"] = "Coupons"
        values["q"] = text
        values["by_" + by] = true
        values["rows"] = HTMLRows.rows(found.prefix(Self.pageSize).map(Self.couponCells))
        values["none"] = found.isEmpty
        if found.count > Self.pageSize, let last = found.prefix(Self.pageSize).last {
            values["next"] = "/console/coupons?" + Self.queryString(["by": by, "q": text, "after": last.id])
        }
        return view.page("coupons", values)
    }

    static func couponRow(_ record: CouponRecord) -> [String: Any] {
        [
            "id": record.id, "lastFour": record.lastFour, "balance": record.snapshot.balance.description,
            "held": record.snapshot.held.description, "state": record.snapshot.state.rawValue,
            "campaign": record.campaign ?? "", "expires": record.snapshot.expiresAt.map(ConsoleFormat.time) ?? "never",
        ]
    }

    static func couponCells(_ record: CouponRecord) -> [HTMLRows.Cell] {
        let row = couponRow(record)
        return [.link("/console/coupons/\(record.id)", record.id)]
            + ["lastFour", "balance", "held", "state", "campaign", "expires"].map { name in
                .text((name == "lastFour" ? "…" : "") + (row[name] as? String ?? ""))
            }
    }

    static func queryString(_ values: [String: String]) -> String {
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-_.")
        return values.sorted { $0.key < $1.key }.map {
            "\($0.key)=\($0.value.addingPercentEncoding(withAllowedCharacters: allowed) ?? "")"
        }.joined(separator: "&")
    }

    /// A coupon: its balance, held, state and expiry, its ledger (paged, newest first), its latest
    /// settlements, and (for an admin) the forms that change it.
    func coupon(_ id: String, page: ConsolePage) async throws -> Response {
        let before = page.query["before"].flatMap(Int64.init)
        guard
            let found = try await store.couponPage(
                id: id, ledgerBefore: before, ledgerLimit: Self.pageSize + 1, settlementLimit: Self.pageSize)
        else {
            throw ConsoleRefusal(status: .notFound, title: "No such coupon", text: "No coupon has the id \(id).", back: "/console/coupons")
        }
        let (record, ledger, settlements) = (found.coupon, found.ledger, found.settlements)
        var values = page.session.values.merging(ConsoleFormat.formKeys(page.session)) { $1 }
        values["title"] = "Coupon \(id)"
        values["coupon"] = Self.couponRow(record)
        values["blocked"] = record.snapshot.state == .blocked
        values["available"] = record.snapshot.available.description
        values["currency"] = record.snapshot.balance.currency.code
        values["onPhone"] = record.signedBalance != nil
        values["ledgerRows"] = HTMLRows.rows(
            ledger.prefix(Self.pageSize).map { entry in
                [
                    .text(ConsoleFormat.time(entry.at)), .text(entry.kind.rawValue), .text(entry.amount.formatted),
                    .text(entry.balanceBefore.formatted), .text(entry.balanceAfter.formatted), .text(entry.actor),
                    .text(entry.settlementID ?? ""),
                ]
            })
        if ledger.count > Self.pageSize, let last = ledger.prefix(Self.pageSize).last {
            values["olderLedger"] = "/console/coupons/\(id)?before=\(last.seq)"
        }
        if before != nil { values["newestLedger"] = "/console/coupons/\(id)" }
        values["settlementRows"] = HTMLRows.rows(
            settlements.map { settlement in
                let row = Self.settlementRow(settlement)
                return [.link("/console/settlements/\(settlement.id)", settlement.id)]
                    + ["station", "status", "total", "charged", "refunded", "at"].map { .text(row[$0] as? String ?? "") }
            })
        return view.page("coupon", values)
    }

    static func settlementRow(_ settlement: SettlementRecord) -> [String: Any] {
        [
            "id": settlement.id, "station": settlement.station, "status": settlement.status.rawValue,
            "total": settlement.total.description, "charged": settlement.charged.description,
            "refunded": settlement.refunded?.description ?? "", "at": ConsoleFormat.time(settlement.createdAt),
        ]
    }

    /// Block, unblock, load, adjust or reissue: the same store calls as the API, under the form's
    /// idempotency key; the console log records who did it.
    func act(_ action: String, on id: String, page: ConsolePage, path: String) async throws -> Response {
        let key = try page.idempotency(path: path)
        let actor = page.session.actor
        let now = configuration.clock()
        let back = "/console/coupons/\(id)"
        let render: @Sendable (CouponRecord) throws -> StoredResponse = { record in
            StoredResponse(status: 200, body: Array(record.id.utf8))
        }
        var detail = ""
        let result: Idempotent<CouponRecord>
        switch action {
        case "block", "unblock":
            result = try await store.setBlocked(
                couponID: id, blocked: action == "block", actor: actor, now: now, idempotency: key, render: render)
        case "load", "adjust":
            guard let record = try await store.coupon(id: id) else { throw ConsoleRefusal.bad("No such coupon.") }
            let text = try page.form.require("amount", "the amount")
            let money = try Money(
                parsing: text, currency: record.snapshot.balance.currency, allowNegative: action == "adjust")
            let note = try AdminRoutes<Store>.note(
                try page.form.require("note", action == "load" ? "the reference" : "the reason"),
                field: action == "load" ? "reference" : "reason")
            detail = "\(money.description): \(note)"
            if action == "load" {
                guard money.minorUnits > 0 else { throw ConsoleRefusal.bad("A load adds more than nothing.", back: back) }
                result = try await store.load(
                    couponID: id, amount: money, reference: note, actor: actor, now: now, idempotency: key, render: render)
            } else {
                guard money.minorUnits != 0 else { throw ConsoleRefusal.bad("An adjustment changes something.", back: back) }
                result = try await store.adjust(
                    couponID: id, amount: money, reason: note, actor: actor, now: now, idempotency: key, render: render)
            }
        case "reissue":
            let result = try await store.reissue(couponID: id, actor: actor, now: now, idempotency: key) { issued in
                StoredResponse(status: 200, body: Array(issued.record.id.utf8))
            }
            guard case .fresh(let issued, _) = result else { return alreadyShown(id, page: page) }
            try await store.logConsole(ConsoleEvent(at: now, actor: actor, action: "reissue", target: id))
            return try issuedPage([issued], page: page, title: "Coupon reissued")
        default:
            throw ConsoleRefusal(status: .notFound, title: "No such action", text: "The console cannot \(action) a coupon.")
        }
        // A form sent again (a reload) did nothing the second time: the log keeps the one action.
        if case .fresh = result {
            try await store.logConsole(ConsoleEvent(at: now, actor: actor, action: action, target: id, detail: detail))
        }
        return ConsoleView.redirect(back)
    }

    /// A settlement: its lines with what was refunded, and a refund form per line.
    func settlement(_ id: String, page: ConsolePage) async throws -> Response {
        guard let record = try await store.settlement(id: id) else {
            throw ConsoleRefusal(status: .notFound, title: "No such settlement", text: "No settlement has the id \(id).")
        }
        var values = page.session.values.merging(ConsoleFormat.formKeys(page.session)) { $1 }
        values["title"] = "Settlement \(id)"
        values["settlement"] = Self.settlementRow(record)
        values["couponID"] = record.couponID
        values["lines"] = record.lines.map { line -> [String: Any] in
            [
                "code": line.product.code.value, "name": line.product.name, "quantity": line.quantity,
                "price": line.product.price.description, "total": line.total.description,
                "refundable": record.status == .captured,
                "csrf": page.session.csrf, "idem": ConsoleToken.make(), "settlementID": id,
            ]
        }
        return view.page("settlement", values)
    }

    func refund(_ id: String, page: ConsolePage, path: String) async throws -> Response {
        let key = try page.idempotency(path: path)
        let code = try ProductCode(try page.form.require("code", "the product"))
        guard let quantity = Int(try page.form.require("quantity", "the quantity")), (1...999).contains(quantity) else {
            throw ConsoleRefusal.bad("A refund quantity is 1 to 999.", back: "/console/settlements/\(id)")
        }
        let now = configuration.clock()
        let result = try await store.refund(
            settlementID: id, lines: [(code, quantity)], actor: page.session.actor, now: now, idempotency: key
        ) { record in StoredResponse(status: 200, body: Array(record.id.utf8)) }
        if case .fresh = result {
            try await store.logConsole(
                ConsoleEvent(at: now, actor: page.session.actor, action: "refund", target: id, detail: "\(quantity) x \(code.value)"))
        }
        return ConsoleView.redirect("/console/settlements/\(id)")
    }

    /// The answer to a form sent again (a reload, a double click): it was done once; a code is not shown again.
    func alreadyShown(_ id: String, page: ConsolePage) -> Response {
        view.message(
            "Done already",
            "This form was sent before and was carried out then. A coupon's code is shown only once, so it is not shown again.",
            status: .ok, session: page.session, back: id.isEmpty ? "/console" : "/console/coupons/\(id)")
    }
}
