import CouponAPI
import CouponCore
import CouponStore
import Foundation
import HTTPTypes
import Hummingbird

/// Reports in the console: liability over time (an SVG drawn here), a campaign, a day per
/// station, the audit and its findings, the console's log, and the ledger as CSV.
extension ConsoleRoutes {
    func registerReports(on console: RouterGroup<AppRequestContext>) {
        console.get("reports") { request, context in try await signedIn(request, context, render: reports) }
        console.get("reports/liability.svg") { request, context in
            try await signedIn(request, context) { _, _ in
                var response = LiabilityChart.svg(try await chart.points(store: store, days: try days(14)))
                response.headers[.cacheControl] = "no-store"
                return response
            }
        }
        console.get("reports/audit") { request, context in try await signedIn(request, context, admin: true, render: audit) }
        console.post("reports/audit") { request, context in
            try await signedIn(request, context, admin: true) { _, _ in
                await audits.start(store: store, ifStale: false)
                return ConsoleView.redirect("/console/reports/audit")
            }
        }
        console.get("log") { request, context in try await signedIn(request, context, admin: true, render: log) }
        console.get("reports/export.csv") { request, context in
            try await signedIn(request, context, admin: true, render: export)
        }
    }

    /// The ends of the last `count` days (today last) in the server's time zone, with their dates.
    func days(_ count: Int) throws -> [(label: String, end: Instant)] {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: configuration.timeZone) ?? .gmt
        let now = Date(timeIntervalSince1970: Double(configuration.clock().secondsSince1970))
        return try (0..<count).reversed().map { back in
            let day = calendar.date(byAdding: .day, value: -back, to: now) ?? now
            let parts = calendar.dateComponents([.year, .month, .day], from: day)
            let label = String(format: "%04d-%02d-%02d", parts.year ?? 0, parts.month ?? 0, parts.day ?? 0)
            return (label, try configuration.endOfDay(label))
        }
    }

    @Sendable func reports(_ request: Request, page: ConsolePage) async throws -> Response {
        let query = page.query
        var values = page.session.values
        values["title"] = "Reports"
        if let name = query["campaign"], !name.isEmpty {
            values["campaign"] = name
            let figures = try await campaigns.rows(name, store: store)
            values["campaignAt"] = ConsoleFormat.time(Instant(secondsSince1970: Int64(figures.at.timeIntervalSince1970)))
            values["campaignRows"] = figures.rows.map { row -> [String: Any] in
                func money(_ value: Int128) -> String { ConsoleFormat.amount(value, currency: row.currency) }
                return [
                    "currency": row.currency, "coupons": row.coupons, "issued": money(row.issued), "loaded": money(row.loaded),
                    "adjusted": money(row.adjusted), "redeemed": money(row.redeemed), "expired": money(row.expired),
                    "outstanding": money(row.outstanding),
                ]
            }
        }
        let date = try query["date"] ?? days(1).first?.label ?? ""
        values["date"] = date
        let end = try configuration.endOfDay(date, errorCode: .badDate)
        values["dailyRows"] = try await store.daily(
            from: Instant(secondsSince1970: end.secondsSince1970 - 86400), to: end, station: nil
        ).map { row -> [String: Any] in
            [
                "station": row.station, "currency": row.currency, "settlements": row.settlements,
                "captured": ConsoleFormat.amount(row.captured, currency: row.currency),
                "refunded": ConsoleFormat.amount(row.refunded, currency: row.currency), "voided": row.voided,
                "expiredHolds": row.expiredHolds, "offline": row.offline,
                "shortfall": ConsoleFormat.amount(row.shortfall, currency: row.currency),
            ]
        }
        values["since"] = String(date.prefix(8)) + "01"
        return view.page("reports", values)
    }

    /// The latest finished audit (a run starts in the background when there is none or it is old).
    @Sendable func audit(_ request: Request, page: ConsolePage) async throws -> Response {
        await audits.start(store: store, ifStale: true)
        var values = page.session.values
        values["title"] = "Audit"
        values["running"] = await audits.isRunning
        if let failure = await audits.failure { values["failure"] = failure }
        guard let run = await audits.latest else { return view.page("audit", values) }
        values["done"] = true
        values["ranAt"] = ConsoleFormat.time(Instant(secondsSince1970: Int64(run.finishedAt.timeIntervalSince1970)))
        values["seconds"] = String(format: "%.2f", run.seconds)
        values["clean"] = run.findings.isEmpty
        values["findings"] = run.findings.map {
            ["coupon": $0.couponID, "stored": $0.stored, "fromLedger": "\($0.fromLedger)", "held": $0.held, "openHolds": "\($0.openHolds)"]
        }
        values["shortfalls"] = run.shortfalls.map { row -> [String: Any] in
            [
                "coupon": row.couponID, "settlement": row.settlementID, "station": row.station,
                "amount": row.amount.description, "state": row.couponState, "at": ConsoleFormat.time(row.at),
            ]
        }
        return view.page("audit", values)
    }

    @Sendable func log(_ request: Request, page: ConsolePage) async throws -> Response {
        let before = page.query["before"].flatMap(Int64.init)
        let events = try await store.consoleLog(before: before, limit: Self.pageSize + 1)
        var values = page.session.values
        values["title"] = "Console log"
        values["events"] = events.prefix(Self.pageSize).map { event -> [String: Any] in
            [
                "at": ConsoleFormat.time(event.at), "actor": event.actor, "action": event.action, "target": event.target,
                "detail": event.detail,
            ]
        }
        if events.count > Self.pageSize, let last = events.prefix(Self.pageSize).last {
            values["older"] = "/console/log?before=\(last.seq)"
        }
        return view.page("log", values)
    }

    /// `/console/reports/export.csv?since=YYYY-MM-DD`: the ledger from that day on, streamed a
    /// thousand lines at a time.
    @Sendable func export(_ request: Request, page: ConsolePage) async throws -> Response {
        guard let since = page.query["since"] else { throw ConsoleRefusal.bad("Give the first day, YYYY-MM-DD.", back: "/console/reports") }
        let start = Instant(secondsSince1970: try configuration.endOfDay(since, errorCode: .badDate).secondsSince1970 - 86400)
        let store = self.store
        let body = ResponseBody { writer in
            try await writer.write(ByteBuffer(string: "seq,at,coupon_id,kind,amount,currency,balance_before,balance_after,actor,settlement_id\n"))
            var after: Int64 = 0
            while true {
                let rows = try await store.export(since: start, after: after, limit: 1000)
                guard let last = rows.last else { break }
                var text = ""
                for row in rows {
                    let fields = [
                        "\(row.seq)", row.at.iso8601, row.couponID, row.kind, "\(row.amount)", row.currency,
                        "\(row.balanceBefore)", "\(row.balanceAfter)", row.actor, row.settlementID ?? "",
                    ]
                    text += fields.map(Self.csvField).joined(separator: ",") + "\n"
                }
                try await writer.write(ByteBuffer(string: text))
                after = last.seq
            }
            try await writer.finish(nil)
        }
        return Response(
            status: .ok,
            headers: [
                .contentType: "text/csv; charset=utf-8", .cacheControl: "no-store",
                .contentDisposition: "attachment; filename=\"ledger-since-\(since).csv\"",
                HTTPField.Name("X-Content-Type-Options")!: "nosniff",
            ],
            body: body)
    }

    /// A CSV field, quoted when it must be, and never read as a formula by a spreadsheet.
    static func csvField(_ text: String) -> String {
        var value = text
        if let first = value.first, "=+-@".contains(first), Int64(value) == nil { value = "'" + value }
        guard value.contains(where: { ",\"\n\r".contains($0) }) else { return value }
        return "\"" + value.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }
}

/// Liability at the end of each day: a past day's figure never changes (the ledger is append-only),
/// so it is computed once; today's is kept for a minute.
actor LiabilityChart {
    private var past: [Int64: [String: Int128]] = [:]
    private var today: (end: Int64, at: Date, value: [String: Int128])? = nil

    func points(store: some CouponStore, days: [(label: String, end: Instant)]) async throws -> [(String, [String: Int128])] {
        var result: [(String, [String: Int128])] = []
        for (index, day) in days.enumerated() {
            if index == days.count - 1 {
                if let today, today.end == day.end.secondsSince1970, Date().timeIntervalSince(today.at) < 60 {
                    result.append((day.label, today.value))
                } else {
                    let value = try await store.liability(asOf: nil)
                    today = (day.end.secondsSince1970, Date(), value)
                    result.append((day.label, value))
                }
            } else if let known = past[day.end.secondsSince1970] {
                result.append((day.label, known))
            } else {
                let value = try await store.liability(asOf: Instant(secondsSince1970: day.end.secondsSince1970 - 1))
                past[day.end.secondsSince1970] = value
                result.append((day.label, value))
            }
        }
        return result
    }

    /// One line per currency over the days, scaled to the largest figure, drawn as SVG.
    static func svg(_ points: [(String, [String: Int128])]) -> Response {
        let (width, height, left, bottom) = (720.0, 280.0, 90.0, 40.0)
        let currencies = Set(points.flatMap { $0.1.keys }).sorted()
        let top = max(1, points.flatMap { $0.1.values }.max() ?? 1)
        let colours = ["#1f6feb", "#d1242f", "#1a7f37", "#9a6700", "#8250df"]
        let step = points.count > 1 ? (width - left - 20) / Double(points.count - 1) : 0
        func y(_ value: Int128) -> Double { height - bottom - (height - bottom - 20) * Double(value) / Double(top) }
        var svg = """
            <svg xmlns="http://www.w3.org/2000/svg" width="\(Int(width))" height="\(Int(height))" viewBox="0 0 \(Int(width)) \(Int(height))" font-family="sans-serif" font-size="11">
            <rect width="100%" height="100%" fill="#fff"/>
            <line x1="\(left)" y1="\(height - bottom)" x2="\(width - 10)" y2="\(height - bottom)" stroke="#888"/>
            <line x1="\(left)" y1="20" x2="\(left)" y2="\(height - bottom)" stroke="#888"/>
            """
        for (index, currency) in currencies.enumerated() {
            let exponent = (try? Currency(code: currency))?.exponent ?? 2
            let coordinates = points.enumerated().map { offset, point in
                String(format: "%.1f,%.1f", left + Double(offset) * step, y(point.1[currency] ?? 0))
            }.joined(separator: " ")
            let colour = colours[index % colours.count]
            let last = points.last?.1[currency] ?? 0
            svg += "<polyline fill=\"none\" stroke=\"\(colour)\" stroke-width=\"2\" points=\"\(coordinates)\"/>"
            svg += "<text x=\"\(left + 6)\" y=\"\(16 + 14 * index)\" fill=\"\(colour)\">\(currency): \(Money.format(minorUnits: last, exponent: exponent)) today</text>"
        }
        // The scale in the first currency's units (the lines share one scale of minor units).
        let scaleExponent = currencies.first.flatMap { try? Currency(code: $0).exponent } ?? 2
        svg += "<text x=\"4\" y=\"24\">\(Money.format(minorUnits: top, exponent: scaleExponent))</text>"
        svg += "<text x=\"4\" y=\"\(height - bottom)\">0</text>"
        for (offset, point) in points.enumerated() where offset % 2 == (points.count - 1) % 2 {
            svg += "<text x=\"\(String(format: "%.1f", left + Double(offset) * step - 18))\" y=\"\(height - 20)\">\(point.0.dropFirst(5))</text>"
        }
        svg += "</svg>"
        return Response(
            status: .ok,
            headers: [.contentType: "image/svg+xml", HTTPField.Name("X-Content-Type-Options")!: "nosniff"],
            body: .init(byteBuffer: ByteBuffer(string: svg)))
    }
}
