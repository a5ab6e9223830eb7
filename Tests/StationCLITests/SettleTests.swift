import Foundation
import Testing

@Suite("coupon-station settle against the real coupon-server", .serialized)
struct SettleTests {
    static let cake = "samples/photos/zxing/ean13-1/1.png"  // 8413000065504, 100.00 in samples/catalog.csv
    static let giftBox = "samples/photos/zxing/ean13-1/2.png"  // 8480010092271, 250.00

    /// The coupon's QR rendered, then photographed off a simulated phone screen (perspective,
    /// blur, glare, noise, JPEG).
    static func phonePhoto(_ payload: String, in folder: URL) async throws -> String {
        let qr = folder.appendingPathComponent("coupon.png").path
        let photo = folder.appendingPathComponent("phone.jpg").path
        #expect(try await runDetached("couponctl", ["render", payload, "-o", qr]).status == 0)
        #expect(try await runDetached("coupon-bench", ["phone-photo", qr, photo, "--seed", "3"]).status == 0)
        return photo
    }

    @Test("the patent's story from photos: 100.00 paid, 200.00 left; 250.00 declined, 200.00 unchanged")
    func patentStory() async throws {
        let server = try await LiveServer()
        let coupon = try await server.issue(30000)
        let photo = try await Self.phonePhoto(coupon.payload, in: server.folder)
        let journal = server.folder.appendingPathComponent("journal.sqlite")
        let first = server.folder.appendingPathComponent("first.txt")
        let paid = try await runDetached(
            "coupon-station",
            ["settle"] + server.stationArguments(journal: journal) + [
                "--coupon", photo, "--item", Self.cake, "--yes", "--receipt", first.path,
            ])
        #expect(paid.status == 0, "\(paid.stderr)")
        let receipt = try String(contentsOf: first, encoding: .utf8)
        let lastFour = String(coupon.code.replacingOccurrences(of: "-", with: "").suffix(4))
        for needle in [
            "Sweet Bakery", "Station till-1", "生日蛋糕 Birthday cake", "1 x 100.00", "****" + lastFour, "PAID",
            "https://cpn.example/b/stl_",
        ] {
            #expect(receipt.contains(needle), "the receipt lacks \(needle):\n\(receipt)")
        }
        #expect(receipt.contains(try #require(Self.line("Balance before", in: receipt))))
        #expect(Self.line("Balance before", in: receipt)?.hasSuffix("300.00") == true)
        #expect(Self.line("Balance after", in: receipt)?.hasSuffix("200.00") == true)
        #expect(Self.line("TOTAL CNY", in: receipt)?.hasSuffix("100.00") == true)
        #expect(
            !receipt.contains(coupon.code) && !receipt.contains(coupon.code.replacingOccurrences(of: "-", with: "")))
        #expect(paid.stderr.contains("To charge from coupon …\(lastFour): 100.00 CNY"))

        let second = server.folder.appendingPathComponent("second.txt")
        let declined = try await runDetached(
            "coupon-station",
            ["settle"] + server.stationArguments(journal: journal) + [
                "--coupon", photo, "--item", Self.giftBox, "--yes", "--receipt", second.path,
            ])
        #expect(declined.status == 3)
        let slip = try String(contentsOf: second, encoding: .utf8)
        #expect(slip.contains("NOT PAID"))
        #expect(slip.contains("insufficient balance"))
        #expect(Self.line("Balance (unchanged)", in: slip)?.hasSuffix("200.00") == true)
        #expect(!slip.contains("\n" + String(repeating: " ", count: 19) + "PAID"))

        let state = try await server.coupon(coupon.id)
        #expect(state.balance == 20000)
        #expect(state.held == 0)
        #expect(state.ledger == ["capture", "hold", "issue"])
    }

    @Test("typed codes merge quantities; the JSON outcome; the receipt's QR is the read-only link")
    func typedCodes() async throws {
        let server = try await LiveServer()
        let coupon = try await server.issue(30000)
        let journal = server.folder.appendingPathComponent("journal.sqlite")
        let qr = server.folder.appendingPathComponent("receipt-qr.png")
        let result = try await runDetached(
            "coupon-station",
            ["settle"] + server.stationArguments(journal: journal) + [
                "--coupon-code", coupon.code.lowercased(), "--item-code", "8480000823274x2",
                "--item-code", "8480000823274", "--yes", "--json", "--receipt-qr", qr.path,
            ])
        #expect(result.status == 0, "\(result.stderr)")
        let outcome = try #require(try JSONSerialization.jsonObject(with: result.stdout) as? [String: Any])
        #expect(outcome["paid"] as? Bool == true)
        // Amounts are objects with their currency, as the API gives them.
        #expect((outcome["charged"] as? [String: Any])?["amount"] as? Int == 1800)
        #expect((outcome["charged"] as? [String: Any])?["currency"] as? String == "CNY")
        #expect((outcome["balance_after"] as? [String: Any])?["amount"] as? Int == 28200)
        let link = try await runDetached("coupon-station", ["scan", "--raw", "-q", qr.path]).text
            .trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(link.hasPrefix("https://cpn.example/b/"))
        // The link shows the balance without a key, and is no code the provider accepts for payment.
        let path = String(link.dropFirst("https://cpn.example".count))
        let view = try await server.call("GET", path, key: "")
        #expect((view["balance"] as? [String: Any])?["amount"] as? Int == 28200)
        let pay = try await runDetached(
            "coupon-station",
            ["settle"] + server.stationArguments(journal: journal) + [
                "--coupon-code", link, "--item-code", "8480000823274", "--yes",
            ])
        #expect(pay.status == 2)
        #expect(pay.stderr.contains("not a coupon code"))
    }

    @Test("bad input and an unreachable server: specific messages and exit statuses, nothing charged")
    func failures() async throws {
        let server = try await LiveServer()
        let coupon = try await server.issue(30000)
        let journal = server.folder.appendingPathComponent("journal.sqlite")
        let base = ["settle"] + server.stationArguments(journal: journal)
        let corrupt = server.folder.appendingPathComponent("corrupt.jpg")
        try Data([0xFF, 0xD8, 0xFF, 0xE0, 0, 0x10]).write(to: corrupt)
        let cases: [([String], Int32, String)] = [
            (["--coupon", corrupt.path, "--item-code", "8480000823274", "--yes"], 2, "corrupt.jpg"),
            (["--coupon", Self.cake, "--item-code", "8480000823274", "--yes"], 2, "no QR code found"),
            (["--coupon-code", "K7QF-2M9X", "--item-code", "8480000823274", "--yes"], 2, "not a coupon code"),
            (["--coupon-code", coupon.code, "--item-code", "1234x0", "--yes"], 2, "quantity is 1 to 999"),
            (["--coupon-code", coupon.code, "--item-code", "4006381333931", "--yes"], 3, "4006381333931"),
            (["--coupon-code", coupon.code, "--yes"], 2, "basket is empty"),
        ]
        for (arguments, status, message) in cases {
            let result = try await runDetached("coupon-station", base + arguments)
            #expect(result.status == status, "\(arguments): \(result.stderr)")
            #expect(result.stderr.contains(message), "\(arguments): \(result.stderr)")
        }
        let wrongKey = try await runDetached(
            "coupon-station",
            [
                "settle", "--server", server.url, "--key", "nope", "--journal", journal.path, "--coupon-code",
                coupon.code,
                "--item-code", "8480000823274", "--yes",
            ])
        #expect(wrongKey.status == 2)
        #expect(wrongKey.stderr.contains("401"))
        let unreachable = try await runDetached(
            "coupon-station",
            [
                "settle", "--server", "http://127.0.0.1:9", "--key", server.stationKey, "--journal",
                server.folder.appendingPathComponent("other.sqlite").path, "--coupon-code", coupon.code,
                "--item-code", "8480000823274", "--yes",
            ])
        #expect(unreachable.status == 5)
        #expect(unreachable.stderr.contains("unreachable"))
        #expect(try await server.coupon(coupon.id).balance == 30000)
        #expect(try await server.coupon(coupon.id).ledger == ["issue"])
    }

    static func line(_ prefix: String, in text: String) -> String? {
        text.split(separator: "\n").first { $0.hasPrefix(prefix) }.map(String.init)
    }
}

@Suite("The server's logs and metrics keep codes and keys out")
struct ObservabilityTests {
    @Test("JSON log lines with request ids; /metrics counts settlements by result; no code or key anywhere")
    func logsAndMetrics() async throws {
        let server = try await LiveServer()
        let coupon = try await server.issue(30000)
        let journal = server.folder.appendingPathComponent("journal.sqlite")
        let paid = try await runDetached(
            "coupon-station",
            ["settle", "--coupon-code", coupon.code, "--item-code", "8413000065504", "--yes"]
                + server.stationArguments(journal: journal))
        #expect(paid.status == 0)
        let declined = try await runDetached(
            "coupon-station",
            ["settle", "--coupon-code", coupon.code, "--item-code", "8480010092271", "--yes"]
                + server.stationArguments(journal: journal))
        #expect(declined.status == 3)
        // The metrics key (data/metrics.key, 0600) reads /metrics and nothing else; no key is 401.
        let metricsKeyFile = server.folder.appendingPathComponent("data/metrics.key").path
        let mode = try FileManager.default.attributesOfItem(atPath: metricsKeyFile)[.posixPermissions] as? Int
        #expect(mode == 0o600)
        #expect(try await server.metrics(key: nil).status == 401)
        #expect(try await server.metrics(key: "mtk_wrong").status == 401)
        let metricsKey = try server.metricsKey
        #expect(try await server.call("GET", "/v1/audit", key: metricsKey)["error"] != nil)
        let metrics = try await server.metrics()
        #expect(metrics.contains(#"coupon_settlements_total{result="approved",reason=""} 1"#))
        #expect(metrics.contains(#"coupon_settlements_total{result="declined",reason="insufficient_balance"} 1"#))
        #expect(metrics.contains("coupon_holds_open 0"))
        #expect(metrics.contains(#"coupon_outstanding_liability{currency="CNY"} 20000"#))
        #expect(metrics.contains("coupon_settlement_duration_seconds_count 2"))
        try await Task.sleep(for: .milliseconds(200))
        let log = server.log
        let lines = log.split(separator: "\n")
        #expect(lines.count >= 6)
        for line in lines {
            let object = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any]
            #expect(object?["ts"] != nil && object?["msg"] != nil, "not a JSON log line: \(line)")
        }
        #expect(log.contains(#""msg":"settlement""#) && log.contains(#""settlement_id":"stl_"#))
        #expect(log.contains(#""station":"till-1""#) && log.contains(#""request_id""#))
        let bare = coupon.code.replacingOccurrences(of: "-", with: "")
        for secret in [coupon.code, bare, server.adminKey, server.stationKey] {
            #expect(!log.contains(secret))
            #expect(!metrics.contains(secret))
        }
    }
}
