import CouponStore
import Foundation
import NIOHTTP1
import ServerLauncher
import TestSupport
import Testing

/// The database the demo makes (stations and products through couponctl, a coupon issued with a
/// phone number, a photographed QR settled by coupon-station with a hold and a capture, a decline)
/// moved to PostgreSQL, and the demo's coupon settled again there from the same phone photo.
@Suite("Moving the demo's database to PostgreSQL", .serialized)
struct DemoMigrateTests {
    static let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()

    /// Runs `executable` with `arguments` from the package root; its exit status and output.
    static func run(_ executable: URL, _ arguments: [String]) throws -> (Int32, String) {
        let result = try runProgram(executable, arguments, in: packageRoot, mergeErrors: true)
        return (result.status, result.text)
    }

    @Test("the demo's database migrates with the same totals, and its coupon settles on PostgreSQL")
    func demoDatabase() async throws {
        let bin = ServerProcess.builtBinary.deletingLastPathComponent()
        let work = FileManager.default.temporaryDirectory.appendingPathComponent("demo-migrate-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: work) }
        let story = Self.packageRoot.appendingPathComponent("scripts/demo-story")
        let (demoStatus, demo) = try Self.run(story, [bin.path, work.path])
        try #require(demoStatus == 0, "\(demo)")
        #expect(demo.contains("200.00"), "\(demo)")

        let url = try await TestStores.newPostgresDatabase().description
        let sqlite = work.appendingPathComponent("data/coupons.sqlite").path
        let (status, output) = try SharedDatabaseTests.run(["migrate", "--from", sqlite, "--to", url, "--json"])
        try #require(status == 0, "\(output)")
        // The JSON line (the pool may log to standard error beside it).
        let line = try #require(output.split(separator: "\n").last { $0.hasPrefix("{") }, "\(output)")
        let report = try #require(
            try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any], "\(output)")
        #expect(report["source_audit_findings"] as? Int == 0, "\(output)")
        #expect(report["target_audit_findings"] as? Int == 0, "\(output)")
        #expect(report["liability_equal"] as? Bool == true, "\(output)")
        // 300.00 issued, the cake's 100.00 captured: 200.00 outstanding; the phone-balance coupon's
        // 300.00 less the cake, the tea and the offline candles: 184.00. 384.00 on both.
        #expect((report["liability_source"] as? [String: String])?["CNY"] == "38400", "\(output)")
        #expect((report["liability_target"] as? [String: String])?["CNY"] == "38400", "\(output)")
        let copied = try #require(report["copied"] as? [String: Int], "\(output)")
        // Two coupons; the admin's and till-1's keys; the first's issue, hold and capture, the
        // second's issue, two holds and captures and the offline capture; the declined sales left
        // nothing to copy; till-1's offline limit; the outbox's messages.
        #expect(copied["coupons"] == 2 && copied["api_keys"] == 2, "\(output)")
        #expect(copied["ledger"] == 9 && copied["settlements"] == 4, "\(output)")
        #expect(copied["offline_limits"] == 1 && (copied["outbox"] ?? 0) >= 3, "\(output)")
        #expect((copied["products"] ?? 0) >= 2, "\(output)")

        // A server on PostgreSQL with the demo's data folder; the same phone photo and the cake.
        let server = ServerProcess(folder: work, binary: ServerProcess.builtBinary)
        server.databaseURL = url
        try await server.start()
        defer { server.stop() }
        let stationKey = try String(contentsOf: work.appendingPathComponent("station.key"), encoding: .utf8)
            .trimmingCharacters(in: .whitespacesAndNewlines)
        let (settled, receipt) = try Self.run(
            bin.appendingPathComponent("coupon-station"),
            [
                "settle", "--server", "http://127.0.0.1:\(server.port)", "--key", stationKey, "--journal",
                work.appendingPathComponent("journal.sqlite").path, "--station", "till-1", "--yes", "--coupon",
                work.appendingPathComponent("phone.jpg").path, "--item",
                Self.packageRoot.appendingPathComponent("samples/photos/zxing/ean13-1/1.png").path,
            ])
        #expect(settled == 0, "\(receipt)")
        #expect(receipt.contains("100.00"), "\(receipt)")
        let couponID = try String(contentsOf: work.appendingPathComponent("coupon.id"), encoding: .utf8)
            .trimmingCharacters(in: .whitespacesAndNewlines)
        let (_, coupon) = try await server.call(.GET, "/v1/coupons/\(couponID)", key: try server.adminKey)
        #expect(MigrateTests.balance(coupon) == 10_000, "\(coupon)")
        // The phone-balance coupon on PostgreSQL: its sealed code and signed state came along. The
        // phone's QR (state 3) is stale since the offline sale: settled against the true 184.00.
        let payload = try String(contentsOf: work.appendingPathComponent("phone.payload"), encoding: .utf8)
            .trimmingCharacters(in: .whitespacesAndNewlines)
        let (candles, candleReceipt) = try Self.run(
            bin.appendingPathComponent("coupon-station"),
            [
                "settle", "--server", "http://127.0.0.1:\(server.port)", "--key", stationKey, "--journal",
                work.appendingPathComponent("journal.sqlite").path, "--station", "till-1", "--yes", "--coupon-code",
                payload, "--item-code", "8480000823274",
            ])
        #expect(candles == 0, "\(candleReceipt)")
        #expect(candleReceipt.contains("older balance"), "\(candleReceipt)")
        let phoneID = try String(contentsOf: work.appendingPathComponent("phone.id"), encoding: .utf8)
            .trimmingCharacters(in: .whitespacesAndNewlines)
        let (_, phoneCoupon) = try await server.call(.GET, "/v1/coupons/\(phoneID)", key: try server.adminKey)
        #expect(MigrateTests.balance(phoneCoupon) == 17_800, "\(phoneCoupon)")
        let (_, audit) = try await server.call(.GET, "/v1/audit", key: try server.adminKey)
        #expect((audit["findings"] as? [Any])?.isEmpty == true, "\(audit)")
    }
}
