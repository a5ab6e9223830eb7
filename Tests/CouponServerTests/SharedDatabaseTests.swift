import AsyncHTTPClient
import CouponAPI
import CouponClient
import CouponStore
import Foundation
import NIOCore
import NIOHTTP1
import ServerLauncher
import TestSupport
import Testing

/// Three real coupon-server processes on one real PostgreSQL database, as behind a load balancer:
/// every instance equal, one data folder copied to each.
@Suite("Several coupon-servers on one PostgreSQL database", .serialized)
struct SharedDatabaseTests {
    /// `coupon-server init` into `folder/data`, then `count` servers each with a copy of it.
    static func servers(_ count: Int, url: String) async throws -> (URL, [ServerProcess]) {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("shared-\(UUID().uuidString)")
        let first = root.appendingPathComponent("init/data")
        try FileManager.default.createDirectory(at: first, withIntermediateDirectories: true)
        let (status, output) = try run(["init", "--data", first.path, "--database", url])
        #expect(status == 0, "init failed: \(output)")
        #expect(output.contains("schema ready"))
        var servers: [ServerProcess] = []
        for index in 0..<count {
            let folder = root.appendingPathComponent("server-\(index)")
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            try FileManager.default.copyItem(at: first, to: folder.appendingPathComponent("data"))
            let server = ServerProcess(folder: folder, binary: ServerProcess.builtBinary)
            server.databaseURL = url
            try await server.start()
            servers.append(server)
        }
        return (first, servers)
    }

    /// Runs the built coupon-server with `arguments`; its exit status and what it printed.
    static func run(_ arguments: [String]) throws -> (Int32, String) {
        let process = Process()
        process.executableURL = ServerProcess.builtBinary
        process.arguments = arguments
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        try process.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: data, as: UTF8.self))
    }

    static func get(_ server: ServerProcess, _ path: String) async throws -> Int {
        let response = try await HTTPClient.shared.execute(
            HTTPClientRequest(url: "http://127.0.0.1:\(server.port)\(path)"), timeout: .seconds(10))
        return Int(response.status.code)
    }

    @Test("the patent's story across three servers; 64 concurrent sales never overdraw; /readyz answers")
    func patentStoryAcrossServers() async throws {
        let url = try await TestStores.newPostgresDatabase().description
        let (data, servers) = try await Self.servers(3, url: url)
        defer { servers.forEach { $0.kill() } }  // SIGTERM would wait out the shared HTTP client's idle connections
        let admin = try String(contentsOf: data.appendingPathComponent("admin.key"), encoding: .utf8)
            .trimmingCharacters(in: .whitespacesAndNewlines)
        for server in servers { #expect(try await Self.get(server, "/readyz") == 200) }
        let (a, b, c) = (servers[0], servers[1], servers[2])
        let (_, station) = try await a.call(.POST, "/v1/stations", key: admin, json: #"{"name": "till-1"}"#)
        let stationKey = try #require(station["key"] as? String)
        _ = try await b.call(
            .PUT, "/v1/products/6901234567892", key: admin,
            json: #"{"name": "蛋糕 Cake", "price": {"amount": 10000, "currency": "CNY"}}"#)
        _ = try await c.call(
            .PUT, "/v1/products/GIFT-250", key: admin,
            json: #"{"name": "Gift box", "price": {"amount": 25000, "currency": "CNY"}}"#)
        let (issued, coupon) = try await a.call(
            .POST, "/v1/coupons", key: admin, json: #"{"initial": {"amount": 30000, "currency": "CNY"}}"#)
        #expect(issued == 201)
        let code = try #require(coupon["code"] as? String)
        let id = try #require(coupon["id"] as? String)
        let (sold, sale) = try await b.call(
            .POST, "/v1/settlements", key: stationKey,
            json: #"{"coupon_code": "\#(code)", "items": [{"product_code": "6901234567892", "quantity": 1}]}"#)
        #expect(sold == 201)
        #expect((sale["balance_after"] as? [String: Any])?["amount"] as? Int == 20000)
        let (declined, refusal) = try await c.call(
            .POST, "/v1/settlements", key: stationKey,
            json: #"{"coupon_code": "\#(code)", "items": [{"product_code": "GIFT-250", "quantity": 1}]}"#)
        #expect(declined == 402 || declined == 409 || declined == 422, "\(declined) \(refusal)")
        let (_, after) = try await a.call(.GET, "/v1/coupons/\(id)", key: admin)
        #expect((after["balance"] as? [String: Any])?["amount"] as? Int == 20000)

        // 64 sales of 100.00 against the 200.00 left, spread over the three servers: exactly two win.
        let wins = try await withThrowingTaskGroup(of: Int.self) { group in
            for i in 0..<64 {
                group.addTask {
                    let (status, _) = try await servers[i % 3].call(
                        .POST, "/v1/settlements", key: stationKey,
                        json:
                            #"{"coupon_code": "\#(code)", "items": [{"product_code": "6901234567892", "quantity": 1}]}"#
                    )
                    return status == 201 ? 1 : 0
                }
            }
            return try await group.reduce(0, +)
        }
        #expect(wins == 2)
        let (_, final) = try await c.call(.GET, "/v1/coupons/\(id)", key: admin)
        #expect((final["balance"] as? [String: Any])?["amount"] as? Int == 0)
        let (_, audit) = try await b.call(.GET, "/v1/audit", key: admin)
        #expect((audit["findings"] as? [Any])?.isEmpty == true, "\(audit)")
    }

    @Test("one Idempotency-Key sent to three servers at once: one sale, the same answer (or 409 in flight)")
    func idempotencyAcrossServers() async throws {
        let url = try await TestStores.newPostgresDatabase().description
        let (data, servers) = try await Self.servers(3, url: url)
        defer { servers.forEach { $0.kill() } }  // SIGTERM would wait out the shared HTTP client's idle connections
        let admin = try String(contentsOf: data.appendingPathComponent("admin.key"), encoding: .utf8)
            .trimmingCharacters(in: .whitespacesAndNewlines)
        let (_, station) = try await servers[0].call(.POST, "/v1/stations", key: admin, json: #"{"name": "till-1"}"#)
        let stationKey = try #require(station["key"] as? String)
        _ = try await servers[1].call(
            .PUT, "/v1/products/TEA", key: admin, json: #"{"name": "Tea", "price": {"amount": 100, "currency": "CNY"}}"#
        )
        let (_, coupon) = try await servers[2].call(
            .POST, "/v1/coupons", key: admin, json: #"{"initial": {"amount": 100000, "currency": "CNY"}}"#)
        let code = try #require(coupon["code"] as? String)
        let id = try #require(coupon["id"] as? String)
        let body = #"{"coupon_code": "\#(code)", "items": [{"product_code": "TEA", "quantity": 1}]}"#
        var inFlight = 0
        for round in 0..<100 {
            let key = "sale-\(round)"
            let answers = try await withThrowingTaskGroup(of: (Int, String?).self) { group in
                for server in servers {
                    group.addTask {
                        var request = HTTPClientRequest(url: "http://127.0.0.1:\(server.port)/v1/settlements")
                        request.method = .POST
                        request.headers.add(name: "Authorization", value: "Bearer \(stationKey)")
                        request.headers.add(name: "Content-Type", value: "application/json")
                        request.headers.add(name: "Idempotency-Key", value: key)
                        request.body = .bytes(ByteBuffer(string: body))
                        let response = try await HTTPClient.shared.execute(request, timeout: .seconds(10))
                        let bytes = try await response.body.collect(upTo: 1 << 20)
                        let object = try? JSONSerialization.jsonObject(with: Data(buffer: bytes)) as? [String: Any]
                        return (Int(response.status.code), object?["id"] as? String)
                    }
                }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            let sales = Set(answers.compactMap { $0.0 == 201 ? $0.1 : nil })
            #expect(sales.count == 1, "round \(round): \(answers)")
            #expect(answers.allSatisfy { $0.0 == 201 || $0.0 == 409 }, "round \(round): \(answers)")
            inFlight += answers.filter { $0.0 == 409 }.count
        }
        let (_, after) = try await servers[0].call(.GET, "/v1/coupons/\(id)", key: admin)
        #expect((after["balance"] as? [String: Any])?["amount"] as? Int == 100000 - 100 * 100)
        print("idempotency across servers: \(inFlight) of 300 answers were 409 in flight, the rest replays")
    }

    @Test("a server whose data folder holds another secret refuses to start, saying so; one with none is told to init")
    func anotherSecretIsRefused() async throws {
        let url = try await TestStores.newPostgresDatabase().description
        let (_, servers) = try await Self.servers(1, url: url)
        servers.forEach { $0.stop() }
        let stranger = FileManager.default.temporaryDirectory.appendingPathComponent("stranger-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: stranger, withIntermediateDirectories: true)
        let (_, ownInit) = try Self.run([
            "init", "--data", stranger.appendingPathComponent("data").path, "--database",
            try await TestStores.newPostgresDatabase().description,
        ])
        #expect(ownInit.contains("schema ready"))
        let server = ServerProcess(folder: stranger, binary: ServerProcess.builtBinary)
        server.databaseURL = url
        await #expect(throws: ServerLaunchError.self) { try await server.start(deadline: .seconds(20)) }
        #expect(server.log.contains("is not the one the database was set up with"), "\(server.log)")
        let empty = FileManager.default.temporaryDirectory.appendingPathComponent("empty-\(UUID().uuidString)")
        let bare = ServerProcess(folder: empty, binary: ServerProcess.builtBinary)
        bare.databaseURL = url
        await #expect(throws: ServerLaunchError.self) { try await bare.start(deadline: .seconds(20)) }
        #expect(bare.log.contains("coupon-server init"), "\(bare.log)")
        #expect(!FileManager.default.fileExists(atPath: empty.appendingPathComponent("data/code-hash.secret").path))
    }

    @Test(
        "a client given several servers moves past a dead one and a killed one; every sale lands once, a retry replays")
    func clientFailover() async throws {
        let url = try await TestStores.newPostgresDatabase().description
        let (data, servers) = try await Self.servers(2, url: url)
        defer { servers.forEach { $0.kill() } }  // SIGTERM would wait out the shared HTTP client's idle connections
        let admin = try String(contentsOf: data.appendingPathComponent("admin.key"), encoding: .utf8)
            .trimmingCharacters(in: .whitespacesAndNewlines)
        // A port nobody listens on comes first: as a server that is down.
        let dead = try RawPort.unused()
        let list = (["http://127.0.0.1:\(dead)"] + servers.map { "http://127.0.0.1:\($0.port)" }).joined(separator: ",")
        try await withHTTPClient(caFile: nil) { http in
            let adminAPI = AdminAPI(APIClient(http: http, baseURL: list, key: admin))
            let key = try await adminAPI.addStation(name: "till-1").key
            _ = try await adminAPI.putProduct(
                code: "TEA", ProductBody(name: "Tea", price: Amount(amount: 100, currency: "CNY")))
            let coupon = try await adminAPI.issue(
                IssueBody(initial: Amount(amount: 10_000, currency: "CNY")), idempotencyKey: "issue-1")
            let code = try #require(coupon.code)
            let station = StationAPI(APIClient(http: http, baseURL: list, key: key))
            for index in 0..<5 {
                _ = try await station.settle(
                    couponCode: code, items: [BasketItem(productCode: "TEA", quantity: 1)],
                    idempotencyKey: "sale-\(index)")
            }
            // The first live server dies (SIGKILL, as a crash would).
            servers[0].kill()
            for index in 5..<10 {
                _ = try await station.settle(
                    couponCode: code, items: [BasketItem(productCode: "TEA", quantity: 1)],
                    idempotencyKey: "sale-\(index)")
            }
            // A retry of an earlier sale, now answered by the other server: the same sale.
            let again = try await station.settle(
                couponCode: code, items: [BasketItem(productCode: "TEA", quantity: 1)], idempotencyKey: "sale-0")
            #expect(again.balanceAfter.amount == 10_000 - 100)
            let after = try await adminAPI.coupon(id: coupon.id)
            #expect(after.balance.amount == 10_000 - 10 * 100)
        }
    }

    /// Sends one settlement under `key` to `server`: its status and the settlement's id.
    static func sale(_ server: ServerProcess, key: String, stationKey: String, body: String) async throws -> (
        Int, String?
    ) {
        var request = HTTPClientRequest(url: "http://127.0.0.1:\(server.port)/v1/settlements")
        request.method = .POST
        request.headers.add(name: "Authorization", value: "Bearer \(stationKey)")
        request.headers.add(name: "Content-Type", value: "application/json")
        request.headers.add(name: "Idempotency-Key", value: key)
        request.body = .bytes(ByteBuffer(string: body))
        let response = try await HTTPClient.shared.execute(request, timeout: .seconds(10))
        let bytes = try await response.body.collect(upTo: 1 << 20)
        let object = try? JSONSerialization.jsonObject(with: Data(buffer: bytes)) as? [String: Any]
        return (Int(response.status.code), object?["id"] as? String)
    }

    @Test("one Idempotency-Key sent 100 times at once, round robin over three servers, deducts once")
    func oneKeyHundredTimes() async throws {
        let url = try await TestStores.newPostgresDatabase().description
        let (data, servers) = try await Self.servers(3, url: url)
        defer { servers.forEach { $0.kill() } }  // SIGTERM would wait out the shared HTTP client's idle connections
        let admin = try String(contentsOf: data.appendingPathComponent("admin.key"), encoding: .utf8)
            .trimmingCharacters(in: .whitespacesAndNewlines)
        let (_, station) = try await servers[0].call(.POST, "/v1/stations", key: admin, json: #"{"name": "till-1"}"#)
        let stationKey = try #require(station["key"] as? String)
        _ = try await servers[1].call(
            .PUT, "/v1/products/TEA", key: admin, json: #"{"name": "Tea", "price": {"amount": 100, "currency": "CNY"}}"#
        )
        let (_, coupon) = try await servers[2].call(
            .POST, "/v1/coupons", key: admin, json: #"{"initial": {"amount": 100000, "currency": "CNY"}}"#)
        let code = try #require(coupon["code"] as? String)
        let id = try #require(coupon["id"] as? String)
        let body = #"{"coupon_code": "\#(code)", "items": [{"product_code": "TEA", "quantity": 1}]}"#
        let answers = try await withThrowingTaskGroup(of: (Int, String?).self) { group in
            for index in 0..<100 {
                group.addTask {
                    try await Self.sale(servers[index % 3], key: "the-one", stationKey: stationKey, body: body)
                }
            }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        #expect(answers.allSatisfy { $0.0 == 201 || $0.0 == 409 }, "\(answers)")
        #expect(Set(answers.compactMap(\.1)).count == 1, "\(answers)")
        let (_, after) = try await servers[0].call(.GET, "/v1/coupons/\(id)", key: admin)
        #expect((after["balance"] as? [String: Any])?["amount"] as? Int == 100000 - 100)
        let (_, ledger) = try await servers[1].call(.GET, "/v1/coupons/\(id)/ledger", key: admin)
        #expect((ledger["entries"] as? [[String: Any]])?.filter { $0["kind"] as? String == "capture" }.count == 1)
    }

    @Test("holds left to expire are released once each while all three servers sweep")
    func holdsSweptOnce() async throws {
        let url = try await TestStores.newPostgresDatabase().description
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("sweep-\(UUID().uuidString)")
        let first = root.appendingPathComponent("init/data")
        try FileManager.default.createDirectory(at: first, withIntermediateDirectories: true)
        let (status, output) = try Self.run(["init", "--data", first.path, "--database", url])
        #expect(status == 0, "\(output)")
        var servers: [ServerProcess] = []
        defer { servers.forEach { $0.kill() } }  // SIGTERM would wait out the shared HTTP client's idle connections
        for index in 0..<3 {
            let folder = root.appendingPathComponent("server-\(index)")
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            try FileManager.default.copyItem(at: first, to: folder.appendingPathComponent("data"))
            let server = ServerProcess(
                folder: folder, binary: ServerProcess.builtBinary, arguments: ["--hold-seconds", "10"])
            server.databaseURL = url
            try await server.start()
            servers.append(server)
        }
        let admin = try String(contentsOf: first.appendingPathComponent("admin.key"), encoding: .utf8)
            .trimmingCharacters(in: .whitespacesAndNewlines)
        let (_, station) = try await servers[0].call(.POST, "/v1/stations", key: admin, json: #"{"name": "till-1"}"#)
        let stationKey = try #require(station["key"] as? String)
        _ = try await servers[1].call(
            .PUT, "/v1/products/TEA", key: admin, json: #"{"name": "Tea", "price": {"amount": 100, "currency": "CNY"}}"#
        )
        var coupons: [String] = []
        var holds: [String] = []
        for index in 0..<6 {
            let (_, coupon) = try await servers[index % 3].call(
                .POST, "/v1/coupons", key: admin, json: #"{"initial": {"amount": 10000, "currency": "CNY"}}"#)
            let code = try #require(coupon["code"] as? String)
            coupons.append(try #require(coupon["id"] as? String))
            for hold in 0..<5 {
                let (held, body) = try await servers[(index + hold) % 3].call(
                    .POST, "/v1/settlements", key: stationKey,
                    json:
                        #"{"coupon_code": "\#(code)", "items": [{"product_code": "TEA", "quantity": 1}], "capture": false}"#
                )
                #expect(held == 201)
                holds.append(try #require(body["id"] as? String))
            }
        }
        // Ten seconds to expire, a sweep every five on each server: all released within half a minute.
        var open = holds
        for _ in 0..<60 where !open.isEmpty {
            try await Task.sleep(for: .seconds(1))
            var still: [String] = []
            for hold in open {
                let (_, settlement) = try await servers[0].call(.GET, "/v1/settlements/\(hold)", key: admin)
                if settlement["status"] as? String != "expired" { still.append(hold) }
            }
            open = still
        }
        #expect(open.isEmpty, "holds still open: \(open)")
        for id in coupons {
            let (_, ledger) = try await servers[2].call(.GET, "/v1/coupons/\(id)/ledger", key: admin)
            let releases = (ledger["entries"] as? [[String: Any]])?.filter { $0["kind"] as? String == "release" }
            #expect(releases?.count == 5, "\(ledger)")
            let (_, coupon) = try await servers[1].call(.GET, "/v1/coupons/\(id)", key: admin)
            #expect((coupon["held"] as? [String: Any])?["amount"] as? Int == 0)
        }
        let (_, audit) = try await servers[0].call(.GET, "/v1/audit", key: admin)
        #expect((audit["findings"] as? [Any])?.isEmpty == true, "\(audit)")
    }
}
