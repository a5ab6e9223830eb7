import AsyncHTTPClient
import CouponStore
import Foundation
import NIOCore
import NIOHTTP1
import ServerLauncher
import TestSupport
import Testing

/// A shop moves from the SQLite default to PostgreSQL: `coupon-server migrate`, then a server on
/// PostgreSQL with the same data folder, where every code that worked before still works.
@Suite("Moving a shop from SQLite to PostgreSQL", .serialized)
struct MigrateTests {
    static func balance(_ object: [String: Any], _ field: String = "balance") -> Int? {
        (object[field] as? [String: Any])?["amount"] as? Int
    }

    @Test("migrate copies everything in one go, audits both, refuses a second run; codes, keys and replays work after")
    func migrateAndServe() async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("migrate-\(UUID().uuidString)")
        let sqlite = ServerProcess(folder: folder, binary: ServerProcess.builtBinary)
        try await sqlite.start()
        let admin = try sqlite.adminKey
        let (_, station) = try await sqlite.call(.POST, "/v1/stations", key: admin, json: #"{"name": "till-1"}"#)
        let stationKey = try #require(station["key"] as? String)
        _ = try await sqlite.call(
            .PUT, "/v1/products/TEA", key: admin, json: #"{"name": "Tea", "price": {"amount": 100, "currency": "CNY"}}"#
        )
        var coupons: [(id: String, code: String)] = []
        for index in 0..<20 {
            let (_, coupon) = try await sqlite.call(
                .POST, "/v1/coupons", key: admin, json: #"{"initial": {"amount": \#(1000 + index), "currency": "CNY"}}"#
            )
            coupons.append((try #require(coupon["id"] as? String), try #require(coupon["code"] as? String)))
        }
        // Sales, one under an Idempotency-Key, and a hold left open.
        let sale = #"{"coupon_code": "\#(coupons[0].code)", "items": [{"product_code": "TEA", "quantity": 2}]}"#
        var request = HTTPClientRequest(url: "http://127.0.0.1:\(sqlite.port)/v1/settlements")
        request.method = .POST
        request.headers.add(name: "Authorization", value: "Bearer \(stationKey)")
        request.headers.add(name: "Content-Type", value: "application/json")
        request.headers.add(name: "Idempotency-Key", value: "sale-before-move")
        request.body = .bytes(ByteBuffer(string: sale))
        let first = try await HTTPClient.shared.execute(request, timeout: .seconds(10))
        #expect(first.status.code == 201)
        let firstBody = try await first.body.collect(upTo: 1 << 20)
        let (held, hold) = try await sqlite.call(
            .POST, "/v1/settlements", key: stationKey,
            json:
                #"{"coupon_code": "\#(coupons[1].code)", "items": [{"product_code": "TEA", "quantity": 1}], "capture": false}"#
        )
        #expect(held == 201)
        let holdID = try #require(hold["id"] as? String)
        sqlite.stop()

        let url = try await TestStores.newPostgresDatabase().description
        let (status, output) = try SharedDatabaseTests.run([
            "migrate", "--from", sqlite.database, "--to", url,
        ])
        #expect(status == 0, "\(output)")
        #expect(output.contains("coupons 20"), "\(output)")
        #expect(output.contains("audit of \(sqlite.database): clean"), "\(output)")
        #expect(output.contains("audit of postgres://"), "\(output)")
        #expect(!output.contains("findings"), "\(output)")
        let (again, refusal) = try SharedDatabaseTests.run(["migrate", "--from", sqlite.database, "--to", url])
        #expect(again != 0)
        #expect(refusal.contains("not empty"), "\(refusal)")

        // The same data folder, now on PostgreSQL.
        let postgres = ServerProcess(folder: folder, binary: ServerProcess.builtBinary)
        postgres.databaseURL = url
        try await postgres.start()
        defer { postgres.stop() }
        for (index, coupon) in coupons.enumerated() {
            let (found, balance) = try await postgres.call(
                .POST, "/v1/public/balance", key: stationKey, json: #"{"code": "\#(coupon.code)"}"#)
            #expect(found == 200, "\(balance)")
            let expected = index == 0 ? 1000 - 200 : 1000 + index
            #expect(Self.balance(balance) == expected, "\(balance)")
        }
        let replay = try await HTTPClient.shared.execute(request.withHost(postgres.port), timeout: .seconds(10))
        #expect(replay.status.code == 201)
        #expect(try await replay.body.collect(upTo: 1 << 20) == firstBody)
        let (captured, capture) = try await postgres.call(.POST, "/v1/settlements/\(holdID)/capture", key: stationKey)
        #expect(captured == 200, "\(capture)")
        let (sold, afterSale) = try await postgres.call(
            .POST, "/v1/settlements", key: stationKey,
            json: #"{"coupon_code": "\#(coupons[2].code)", "items": [{"product_code": "TEA", "quantity": 1}]}"#)
        #expect(sold == 201)
        #expect(Self.balance(afterSale, "balance_after") == 1002 - 100)
        let (_, audit) = try await postgres.call(.GET, "/v1/audit", key: admin)
        #expect((audit["findings"] as? [Any])?.isEmpty == true, "\(audit)")
        let (_, ledger) = try await postgres.call(.GET, "/v1/coupons/\(coupons[0].id)/ledger", key: admin)
        #expect((ledger["entries"] as? [Any])?.count == 3, "\(ledger)")
    }
}

extension HTTPClientRequest {
    /// The same request to another local port.
    func withHost(_ port: Int) -> HTTPClientRequest {
        var copy = self
        var components = URLComponents(string: url)!
        components.port = port
        copy.url = components.string!
        return copy
    }
}
