import ArgumentParser
import CouponAPI
import CouponClient
import Foundation

/// `coupon-bench console`: the console's pages with many coupons in the database, each timed next
/// to `/healthz` of the same server in the same run.
struct ConsoleBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "console",
        abstract: "Time every console page on a database of many coupons, next to /healthz of the same server.",
        discussion: """
            Starts the built coupon-server on a fresh SQLite database, issues --coupons coupons (in ten campaigns, \
            some with a phone), settles a few, signs in as a console user, then requests every page --requests times \
            in turn on one kept-alive connection and prints each page's median and 95th percentile beside /healthz's.
              swift run -c release coupon-bench console --coupons 100000
            """)

    @Option(help: "Coupons in the database.") var coupons = 100_000
    @Option(help: "Timed requests per page (after three to warm up).") var requests = 50

    static let password = "bench password, long enough"

    func run() async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("console-bench-\(getpid())")
        defer { try? FileManager.default.removeItem(at: folder) }
        try await BenchServer.run(folder: folder.appendingPathComponent("server")) { server in
            let admin = server.admin
            _ = try await admin.putProduct(
                code: "6901234567892", ProductBody(name: "Cake", price: Amount(amount: 10000, currency: "CNY")))
            let fill = try await fillDatabase(admin)
            let station = try await admin.addStation(name: "bench").key
            let till = server.station(key: station)
            var settlementID = ""
            for _ in 0..<3 {
                let settled = try await till.settle(
                    couponCode: fill.code, items: [BasketItem(productCode: "6901234567892", quantity: 1)],
                    idempotencyKey: APIClient.newIdempotencyKey(prefix: "bench"))
                settlementID = settled.id
            }
            _ = try await admin.addConsoleUser(ConsoleUserBody(name: "bench", role: "admin", password: Self.password))
            let client = try SocketClient(port: server.port)
            let cookie = try signIn(client)
            let today = String(ISO8601DateFormatter().string(from: Date()).prefix(10))
            let pages: [(String, String)] = [
                ("/healthz", "health check"),
                ("/console", "home (liability, open holds)"),
                ("/console/coupons", "coupons, first page"),
                ("/console/coupons?by=last4&q=\(fill.lastFour)", "search by last four"),
                ("/console/coupons?by=campaign&q=c3", "search by campaign (\(coupons / 10) coupons)"),
                ("/console/coupons?by=phone&q=%2B8613800000007", "search by phone"),
                ("/console/coupons?by=id&q=\(fill.id)", "search by id"),
                ("/console/coupons/\(fill.id)", "a coupon (ledger, settlements)"),
                ("/console/settlements/\(settlementID)", "a settlement"),
                ("/console/issue", "issue form"),
                ("/console/products", "catalogue"),
                ("/console/stations", "stations and keys"),
                ("/console/reports", "reports (day per station)"),
                ("/console/reports?campaign=c3&date=\(today)", "reports with a campaign"),
                ("/console/reports/liability.svg", "liability chart (14 days)"),
                ("/console/reports/audit", "audit (every coupon)"),
                ("/console/log", "console log"),
            ]
            print("\(coupons) coupons; \(requests) requests per page on one kept-alive connection, in turn")
            print("page".padding(toLength: 52, withPad: " ", startingAt: 0) + "  median ms    p95 ms   x healthz")
            var healthz = 0.0
            for (path, name) in pages {
                let times = try time(client, path: path, cookie: cookie)
                let figures = Percentiles(times)
                if path == "/healthz" { healthz = figures.median }
                let ratio = healthz > 0 ? figures.median / healthz : 1
                print(
                    "\(name) ".padding(toLength: 52, withPad: ".", startingAt: 0)
                        + "  \(format(figures.median, 3).leftPadded(9))  \(format(figures.p95, 3).leftPadded(8))  \(format(ratio, 1).leftPadded(10))"
                )
            }
        }
    }

    struct Fill {
        var id: String
        var code: String
        var lastFour: String
    }

    /// Issues the coupons in batches: ten campaigns, and one batch of a thousand with phone numbers.
    func fillDatabase(_ admin: AdminAPI) async throws -> Fill {
        let batch = 5000
        var first: Fill? = nil
        var issued = 0
        let terminal = isatty(STDERR_FILENO) == 1
        while issued < coupons {
            let count = min(batch, coupons - issued)
            let campaign = "c\((issued / batch) % 10)"
            let list: CouponList
            if issued == 0 {
                let bodies = (0..<count).map { index in
                    IssueBody(
                        initial: Amount(amount: 30000, currency: "CNY"), campaign: campaign,
                        phone: index < 1000 ? "+86138000\(String(format: "%05d", index))" : nil)
                }
                list = try await admin.issue(batch: BatchBody(coupons: bodies))
            } else {
                list = try await admin.issue(
                    batch: BatchBody(count: count, initial: Amount(amount: 30000, currency: "CNY"), campaign: campaign))
            }
            if first == nil, let coupon = list.coupons.first, let code = coupon.code {
                first = Fill(id: coupon.id, code: code, lastFour: coupon.lastFour)
            }
            issued += list.coupons.count
            if terminal {
                FileHandle.standardError.write(Data("\rissuing: \(issued) of \(coupons)".utf8))
            }
        }
        if terminal { FileHandle.standardError.write(Data("\n".utf8)) }
        guard let first else { throw ValidationError("no coupon was issued") }
        return first
    }

    /// Signs in through the console's form and returns the session cookie.
    func signIn(_ client: SocketClient) throws -> String {
        let form = "name=bench&password=" + (Self.password.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? "")
        let answer = try client.request(
            "POST", "/console/login", headers: ["Content-Type": "application/x-www-form-urlencoded"], body: Array(form.utf8))
        guard answer.status == 303,
            let cookie = answer.headers.first(where: { $0.0 == "set-cookie" })?.1.split(separator: ";").first
        else { throw ValidationError("signing in answered \(answer.status)") }
        return String(cookie)
    }

    /// Milliseconds of each of `requests` requests of `path` (after three unmeasured ones), each
    /// checked to be a page, not an error.
    func time(_ client: SocketClient, path: String, cookie: String) throws -> [Double] {
        let clock = ContinuousClock()
        var times: [Double] = []
        for round in 0..<(requests + 3) {
            let start = clock.now
            let answer = try client.request("GET", path, headers: ["Cookie": cookie])
            let elapsed = (clock.now - start).milliseconds
            guard answer.status == 200 else { throw ValidationError("\(path) answered \(answer.status)") }
            if round >= 3 { times.append(elapsed) }
        }
        return times
    }
}

extension String {
    func leftPadded(_ width: Int) -> String {
        count >= width ? self : String(repeating: " ", count: width - count) + self
    }
}
