import AsyncHTTPClient
import CouponCore
import CouponStore
import Foundation
import NIOCore
import NIOHTTP1
import ServerLauncher
import Testing

/// The built `coupon-server` (ServerLauncher), called over plain HTTP.
extension ServerProcess {
    func call(_ method: HTTPMethod, _ path: String, key: String, json: String? = nil) async throws -> (
        Int, [String: Any]
    ) {
        var request = HTTPClientRequest(url: "http://127.0.0.1:\(port)\(path)")
        request.method = method
        request.headers.add(name: "Authorization", value: "Bearer \(key)")
        request.headers.add(name: "Content-Type", value: "application/json")
        if let json { request.body = .bytes(ByteBuffer(string: json)) }
        let response = try await HTTPClient.shared.execute(request, timeout: .seconds(10))
        let body = try await response.body.collect(upTo: 1 << 20)
        let object = (try? JSONSerialization.jsonObject(with: Data(buffer: body))) as? [String: Any] ?? [:]
        return (Int(response.status.code), object)
    }
}

@Suite("Crash safety", .serialized)
struct CrashTests {
    @Test("SIGKILL in the middle of a settlement load loses nothing that was answered 201")
    func killDuringLoad() async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("crash-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let server = ServerProcess(folder: folder, binary: ServerProcess.builtBinary)
        try await server.start()
        let admin = try server.adminKey
        let (_, station) = try await server.call(.POST, "/v1/stations", key: admin, json: #"{"name": "till-1"}"#)
        let stationKey = try #require(station["key"] as? String)
        _ = try await server.call(
            .PUT, "/v1/products/TEA", key: admin, json: #"{"name": "Tea", "price": {"amount": 100, "currency": "CNY"}}"#
        )
        let (_, coupon) = try await server.call(
            .POST, "/v1/coupons", key: admin, json: #"{"initial": {"amount": 1000000, "currency": "CNY"}}"#)
        let code = try #require(coupon["code"] as? String)
        let couponID = try #require(coupon["id"] as? String)

        // Eight clients settle as fast as they can; the server is killed after 150 answers.
        let answered = Answered()
        await withTaskGroup(of: Void.self) { group in
            for _ in 0..<8 {
                group.addTask {
                    while await answered.count < 150 {
                        guard
                            let (status, body) = try? await server.call(
                                .POST, "/v1/settlements", key: stationKey,
                                json: #"{"coupon_code": "\#(code)", "items": [{"product_code": "TEA", "quantity": 1}]}"#
                            )
                        else { return }
                        if status == 201, let id = body["id"] as? String { await answered.add(id) }
                    }
                }
            }
            group.addTask {
                while await answered.count < 150 { try? await Task.sleep(for: .milliseconds(2)) }
                server.kill()
            }
        }
        let ids = await answered.ids
        #expect(ids.count >= 150)

        try await server.start()
        for id in ids {
            let (status, settlement) = try await server.call(.GET, "/v1/settlements/\(id)", key: stationKey)
            #expect(status == 200, "settlement \(id) answered 201 before the kill is missing")
            #expect(settlement["status"] as? String == "captured")
        }
        let (_, after) = try await server.call(.GET, "/v1/coupons/\(couponID)", key: admin)
        let balance = try #require((after["balance"] as? [String: Any])?["amount"] as? Int)
        // Every answered settlement is in the balance; a request in flight at the kill may have committed too.
        #expect(balance <= 1_000_000 - ids.count * 100)
        server.stop()

        let secret = try #require(
            FileManager.default.contents(atPath: folder.appendingPathComponent("data/code-hash.secret").path))
        let store = try SQLiteCouponStore(path: server.database, hasher: CodeHasher(secret: [UInt8](secret)))
        #expect(try await store.audit().isEmpty)
        let ledger = try await store.ledger(couponID: couponID)
        #expect(
            Int64(1_000_000 - balance) == ledger.filter { $0.kind == .capture }.map(\.amount.minorUnits).reduce(0, +))
    }
}

actor Answered {
    private(set) var ids: [String] = []
    var count: Int { ids.count }
    func add(_ id: String) { ids.append(id) }
}
