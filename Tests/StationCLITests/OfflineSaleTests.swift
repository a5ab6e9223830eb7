import Foundation
import TestSupport
import Testing

/// The patent's first embodiment with the built programs: the balance goes back to the phone
/// (outbox, MMS with its QR), a till reads it offline, sells within its limits while the server
/// is stopped, and forwards each sale once.
@Suite("Balance on the phone: outbox, offline sales and forwarding with the built programs", .serialized)
struct OfflineSaleTests {
    static let cake = "8413000065504"  // 100.00
    static let candles = "8480000823274"  // 6.00

    /// A server on a fixed port (so it can be stopped and started again) with till-1's offline
    /// limits (50.00 per sale, 100.00 per coupon a day) and a 10.00 tea.
    static func server() async throws -> LiveServer {
        let port = try RawPort.unused()
        let server = try await LiveServer(arguments: ["--port", "\(port)"])
        _ = try await server.call(
            "PUT", "/v1/stations/till-1/offline-limits", key: server.adminKey,
            body: #"{"per_sale": {"amount": 5000, "currency": "CNY"}, "per_day": {"amount": 10000, "currency": "CNY"}}"#)
        _ = try await server.call(
            "PUT", "/v1/products/TEA", key: server.adminKey,
            body: #"{"name": "Tea", "price": {"amount": 1000, "currency": "CNY"}}"#)
        return server
    }

    static func station(_ server: LiveServer, _ journal: URL, _ arguments: [String], key: String? = nil)
        async throws -> ProcessResult
    {
        var common = server.stationArguments(journal: journal)
        if let key, let index = common.firstIndex(of: "--key") { common[index + 1] = key }
        let command = arguments[0]
        return try await runDetached("coupon-station", [command] + common + Array(arguments.dropFirst()))
    }

    /// Delivers the outbox into `folder` and returns the text of the newest QR for `couponID`, read
    /// back from its PNG with `coupon-station scan`.
    static func deliveredQR(_ server: LiveServer, couponID: String, into folder: URL) async throws -> String {
        let delivered = try await runDetached(
            "couponctl",
            ["outbox", "deliver", "--out", folder.path, "--json", "--server", server.url, "--key", server.adminKey])
        #expect(delivered.status == 0, "\(delivered.stderr)")
        let pngs = try FileManager.default.contentsOfDirectory(atPath: folder.path)
            .filter { $0.hasPrefix(couponID + ".") && $0.hasSuffix(".png") }
            .sorted { Int($0.split(separator: ".")[1]) ?? 0 < Int($1.split(separator: ".")[1]) ?? 0 }
        let png = try #require(pngs.last, "no PNG for \(couponID) in \(pngs)")
        let attributes = try FileManager.default.attributesOfItem(atPath: folder.appendingPathComponent(png).path)
        #expect((attributes[.posixPermissions] as? Int) == 0o600)
        let scanned = try await runDetached("coupon-station", ["scan", "--raw", folder.appendingPathComponent(png).path])
        #expect(scanned.status == 0, "\(scanned.stderr)")
        return try #require(scanned.text.split(separator: "\n").first.map(String.init))
    }

    /// The state part of a QR's text: after the code, which follows `#`.
    static func state(of payload: String) -> String {
        String(payload.split(separator: "#").last?.split(separator: ".", maxSplits: 1).last ?? "")
    }

    @Test("the patent's example in the first embodiment: the MMS's QR says 200.00; the old QR settles against 200.00, not 290.00")
    func patentStory() async throws {
        let server = try await Self.server()
        let journal = server.folder.appendingPathComponent("journal.sqlite")
        let outbox = server.folder.appendingPathComponent("outbox")
        let coupon = try await server.issue(30000, onPhone: true)
        #expect(coupon.payload.contains("#" + coupon.code.replacingOccurrences(of: "-", with: "") + "."))

        let cake = try await Self.station(server, journal, ["settle", "--coupon-code", coupon.payload, "--item-code", Self.cake, "--yes"])
        #expect(cake.status == 0, "\(cake.stderr)")
        #expect(try await server.coupon(coupon.id).balance == 20000)

        // The outbox's MMS carries a QR whose state says 200.00, read back off its PNG.
        let newest = try await Self.deliveredQR(server, couponID: coupon.id, into: outbox)
        let mms = try FileManager.default.contentsOfDirectory(atPath: outbox.path).filter { $0.hasSuffix(".mms.eml") }
        #expect(mms.count == 1)
        let read = try await Self.station(server, journal, ["balance", "--coupon-code", newest])
        #expect(read.status == 0, "\(read.stderr)")
        #expect(read.text.contains("balance on the phone: 200.00 CNY (state 2"), "\(read.text)")

        // The old QR (300.00 on it) settles online against the provider's 200.00: 10.00 leaves 190.00.
        let receipt = server.folder.appendingPathComponent("stale.txt")
        let tea = try await Self.station(
            server, journal, ["settle", "--coupon-code", coupon.payload, "--item-code", "TEA", "--yes", "--receipt", receipt.path])
        #expect(tea.status == 0, "\(tea.stderr)")
        #expect(try await server.coupon(coupon.id).balance == 19000)
        let text = try String(contentsOf: receipt, encoding: .utf8)
        #expect(text.contains("The phone showed an older balance (state"), "\(text)")
        #expect(text.contains("190.00"))

        // The gift box is declined; nothing changes.
        let gift = try await Self.station(server, journal, ["settle", "--coupon-code", newest, "--item-code", "8480010092271", "--yes"])
        #expect(gift.status == 3)
        #expect(try await server.coupon(coupon.id).balance == 19000)
        let audit = try await server.call("GET", "/v1/audit", key: server.adminKey)
        #expect(audit["ok"] as? Bool == true)
    }

    @Test("offline with the server stopped: candles sell, 60.00, an unknown product, a tampered and an older state are refused; forwarding applies the candles once")
    func offline() async throws {
        let server = try await Self.server()
        let journal = server.folder.appendingPathComponent("journal.sqlite")
        let outbox = server.folder.appendingPathComponent("outbox")
        let coupon = try await server.issue(30000, onPhone: true)
        let synced = try await Self.station(server, journal, ["sync"])
        #expect(synced.status == 0, "\(synced.stderr)")
        #expect(synced.text.contains("CNY 50.00 per sale, 100.00 per coupon a day"), "\(synced.text)")
        let cake = try await Self.station(server, journal, ["settle", "--coupon-code", coupon.payload, "--item-code", Self.cake, "--yes"])
        #expect(cake.status == 0, "\(cake.stderr)")
        let newest = try await Self.deliveredQR(server, couponID: coupon.id, into: outbox)
        server.stopServer()

        // Each refusal with its code and exit status 3.
        var tampered = Array(Self.state(of: newest))
        tampered[36] = tampered[36] == "Z" ? "Y" : "Z"
        let code = String(newest.split(separator: "#").last!.split(separator: ".").first!)
        func refused(_ arguments: [String], _ expected: String) async throws {
            let refused = try await Self.station(server, journal, ["settle"] + arguments + ["--yes"])
            #expect(refused.status == 3, "\(expected): \(refused.stderr)")
            #expect(refused.stderr.contains(expected), "\(expected): \(refused.stderr)")
        }
        try await refused(["--coupon-code", newest, "--item-code", Self.candles + "x10"], "offline_over_limit")
        try await refused(["--coupon-code", newest, "--item-code", "4006381333931"], "offline_unknown_product")
        try await refused(
            ["--coupon-code", code + "." + String(tampered), "--item-code", Self.candles], "state_bad_signature")
        try await refused(["--coupon-code", coupon.payload, "--item-code", Self.candles], "offline_state_superseded")

        // The candles sell offline from the newest state; the receipt says so.
        let receipt = server.folder.appendingPathComponent("offline.txt")
        let candles = try await Self.station(
            server, journal, ["settle", "--coupon-code", newest, "--item-code", Self.candles, "--yes", "--receipt", receipt.path])
        #expect(candles.status == 0, "\(candles.stderr)")
        let text = try String(contentsOf: receipt, encoding: .utf8)
        #expect(text.contains("OFFLINE SALE") && text.contains("194.00"), "\(text)")
        // The same state cannot be spent offline twice at this till.
        try await refused(["--coupon-code", newest, "--item-code", Self.candles], "offline_state_spent")

        // Back online: the candles are applied once, the next state goes to the outbox.
        try await server.restartServer()
        let forwarded = try await Self.station(server, journal, ["forward"])
        #expect(forwarded.status == 0, "\(forwarded.stderr)")
        let again = try await Self.station(server, journal, ["forward"])
        #expect(again.status == 0 && again.stderr.contains("0 offline sale(s) forwarded"), "\(again.stderr)")
        let after = try await server.coupon(coupon.id)
        #expect(after.balance == 19400)
        #expect(after.ledger.filter { $0 == "capture" }.count == 2)
        let status = try await server.call("GET", "/v1/outbox", key: server.adminKey)
        #expect(status["pending"] as? Int == 1)
        let newer = try await Self.deliveredQR(server, couponID: coupon.id, into: outbox)
        let read = try await Self.station(server, journal, ["balance", "--coupon-code", newer])
        #expect(read.text.contains("balance on the phone: 194.00 CNY"), "\(read.text)")
    }

    @Test("SIGKILLed after the provider applied a forwarded sale, before journalling it: forwarding again applies it once")
    func killedWhileForwarding() async throws {
        let server = try await Self.server()
        let journal = server.folder.appendingPathComponent("journal.sqlite")
        let coupon = try await server.issue(30000, onPhone: true)
        #expect(try await Self.station(server, journal, ["sync"]).status == 0)
        server.stopServer()
        let sold = try await Self.station(server, journal, ["settle", "--coupon-code", coupon.payload, "--item-code", "TEA", "--yes"])
        #expect(sold.status == 0, "\(sold.stderr)")
        try await server.restartServer()
        var arguments = server.stationArguments(journal: journal)
        arguments.insert("forward", at: 0)
        let killed = try await runDetached("station-crash", ["forward-answered"] + arguments)
        #expect(killed.status != 0)
        #expect(try await server.coupon(coupon.id).balance == 29000)
        let forwarded = try await Self.station(server, journal, ["forward"])
        #expect(forwarded.status == 0, "\(forwarded.stderr)")
        let after = try await server.coupon(coupon.id)
        #expect(after.balance == 29000)
        #expect(after.ledger.filter { $0 == "capture" }.count == 1)
    }

    @Test("two tills spend one state offline: both sales stand, the second with its shortfall; the coupon is blocked; report and audit agree")
    func twoTillsOneState() async throws {
        let server = try await Self.server()
        let second = try await server.call("POST", "/v1/stations", key: server.adminKey, body: #"{"name": "till-2"}"#)
        let key2 = try #require(second["key"] as? String)
        _ = try await server.call(
            "PUT", "/v1/stations/till-2/offline-limits", key: server.adminKey,
            body: #"{"per_sale": {"amount": 5000, "currency": "CNY"}, "per_day": {"amount": 10000, "currency": "CNY"}}"#)
        let coupon = try await server.issue(6000, onPhone: true)
        let journal1 = server.folder.appendingPathComponent("till1.sqlite")
        let journal2 = server.folder.appendingPathComponent("till2.sqlite")
        #expect(try await Self.station(server, journal1, ["sync"]).status == 0)
        #expect(try await Self.station(server, journal2, ["sync"], key: key2).status == 0)
        server.stopServer()
        for (journal, key) in [(journal1, server.stationKey), (journal2, key2)] {
            let sold = try await Self.station(
                server, journal, ["settle", "--coupon-code", coupon.payload, "--item-code", "TEAx4", "--yes"], key: key)
            #expect(sold.status == 0, "\(sold.stderr)")
        }
        try await server.restartServer()
        let first = try await Self.station(server, journal1, ["forward"])
        #expect(first.status == 0, "\(first.stderr)")
        let last = try await Self.station(server, journal2, ["forward"], key: key2)
        #expect(last.status == 0, "\(last.stderr)")
        #expect(last.text.contains("SHORTFALL 20.00"), "\(last.text)")
        let after = try await server.coupon(coupon.id)
        #expect(after.balance == 0)
        #expect(after.ledger.prefix(3) == ["block", "offline_shortfall", "capture"])
        let state = try await server.call("GET", "/v1/coupons/\(coupon.id)", key: server.adminKey)
        #expect(state["state"] as? String == "blocked")
        // The server reports days in its zone (Asia/Shanghai by default).
        let formatter = DateFormatter()
        formatter.timeZone = TimeZone(identifier: "Asia/Shanghai")
        formatter.dateFormat = "yyyy-MM-dd"
        let today = formatter.string(from: Date())
        let daily = try await server.call("GET", "/v1/reports/daily?date=\(today)", key: server.adminKey)
        let rows = try #require(daily["stations"] as? [[String: Any]])
        let till2 = try #require(rows.first { $0["station"] as? String == "till-2" })
        #expect(till2["offline"] as? Int == 1 && till2["shortfall"] as? Int == 2000, "\(rows)")
        let audit = try await server.call("GET", "/v1/audit", key: server.adminKey)
        #expect(audit["ok"] as? Bool == true)
        // The audit explains the shortfall line: which sale, which station, the coupon blocked.
        let explained = try #require(audit["shortfalls"] as? [[String: Any]])
        #expect(explained.count == 1 && explained.first?["station"] as? String == "till-2", "\(explained)")
        #expect((explained.first?["amount"] as? [String: Any])?["amount"] as? Int == 2000)
        #expect(explained.first?["state"] as? String == "blocked")
        let printed = try await runDetached(
            "couponctl", ["audit", "--server", server.url, "--key", server.adminKey])
        #expect(printed.status == 0 && printed.text.contains("explained: offline shortfall 20.00 CNY"), "\(printed.text)")
    }
}
