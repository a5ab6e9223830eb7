import AsyncHTTPClient
import CouponAPI
import CouponClient
import CouponStore
import Foundation
import ServerLauncher
import Synchronization
import TestSupport
import Testing

/// Crashes on a PostgreSQL cluster of the test's own: a server SIGKILLed and restarted again and
/// again under load, then the database itself stopped with `pg_ctl stop -m immediate`.
@Suite("Several servers on PostgreSQL: crashes under load", .serialized)
struct SharedDatabaseCrashTests {
    actor Sales {
        var answered: [String] = []
        var failures = 0
        func add(_ id: String) { answered.append(id) }
        func failed() { failures += 1 }
        var count: Int { answered.count }
    }

    @Test("SIGKILL one of three servers three times, then crash PostgreSQL: every 201 is kept, audit clean")
    func crashesUnderLoad() async throws {
        func note(_ text: String) { FileHandle.standardError.write(Data("crash test: \(text)\n".utf8)) }
        let cluster = try PostgresCluster()
        note("cluster up")
        let location = try PostgresLocation(url: cluster.url).database("coupons")
        _ = try await PostgresCouponStore.createDatabase(location)
        note("database made")
        let (data, servers) = try await SharedDatabaseTests.servers(3, url: location.description)
        note("servers up")
        defer { servers.forEach { $0.kill() } }  // SIGTERM would wait out the shared HTTP client's idle connections
        let admin = try String(contentsOf: data.appendingPathComponent("admin.key"), encoding: .utf8)
            .trimmingCharacters(in: .whitespacesAndNewlines)
        let (_, station) = try await servers[0].call(.POST, "/v1/stations", key: admin, json: #"{"name": "till-1"}"#)
        let stationKey = try #require(station["key"] as? String)
        _ = try await servers[0].call(
            .PUT, "/v1/products/TEA", key: admin, json: #"{"name": "Tea", "price": {"amount": 100, "currency": "CNY"}}"#
        )
        let (_, coupon) = try await servers[0].call(
            .POST, "/v1/coupons", key: admin, json: #"{"initial": {"amount": 100000000, "currency": "CNY"}}"#)
        let code = try #require(coupon["code"] as? String)
        let couponID = try #require(coupon["id"] as? String)
        // The two servers that stay up; the third is killed and restarted (on a new port).
        let steady = servers.dropFirst().map { "http://127.0.0.1:\($0.port)" }
        let victim = servers[0]
        let sales = Sales()
        let stop = LoadSwitch()
        try await withHTTPClient(caFile: nil, connect: .seconds(2), read: .seconds(10)) { http in
            try await withThrowingTaskGroup(of: Void.self) { group in
                for client in 0..<8 {
                    // Each client starts at another server: round robin over all three.
                    let own = ["http://127.0.0.1:\(victim.port)"] + steady
                    let list = Array(own[(client % 3)...]) + Array(own[..<(client % 3)])
                    var api = APIClient(http: http, baseURLs: list, key: stationKey)
                    api.retry = RetryPolicy(attempts: 4, base: .milliseconds(100))
                    let station = StationAPI(api)
                    group.addTask {
                        var index = 0
                        while !stop.isOn {
                            index += 1
                            do {
                                let sale = try await station.settle(
                                    couponCode: code, items: [BasketItem(productCode: "TEA", quantity: 1)],
                                    idempotencyKey: "c\(client)-\(index)")
                                await sales.add(sale.id)
                            } catch {
                                await sales.failed()
                                try? await Task.sleep(for: .milliseconds(50))
                            }
                        }
                    }
                }
                group.addTask {
                    defer { stop.turnOn() }
                    for round in 1...3 {
                        while await sales.count < 100 * round { try await Task.sleep(for: .milliseconds(10)) }
                        note("kill \(round)")
                        victim.kill()
                        try await Task.sleep(for: .milliseconds(300))
                        try await victim.start()
                        #expect(try await SharedDatabaseTests.get(victim, "/readyz") == 200)
                    }
                    let before = await sales.count
                    note("crash the database")
                    try cluster.crash()
                    try await Task.sleep(for: .seconds(1))
                    // With the database away, servers answer (503) rather than hang or die.
                    #expect(try await SharedDatabaseTests.get(servers[1], "/readyz") == 503)
                    try cluster.start()
                    note("database back")
                    let deadline = ContinuousClock.now + .seconds(60)
                    while await sales.count < before + 100, ContinuousClock.now < deadline {
                        try await Task.sleep(for: .milliseconds(20))
                    }
                }
                try await group.waitForAll()
            }
        }
        let answered = await sales.answered
        #expect(answered.count >= 400, "only \(answered.count) sales answered")
        for server in servers {
            #expect(try await SharedDatabaseTests.get(server, "/readyz") == 200, "\(server.folder.lastPathComponent)")
        }
        note("all ready after the crashes")
        for (index, id) in answered.enumerated() {
            let (status, settlement) = try await servers[1 + index % 2].call(
                .GET, "/v1/settlements/\(id)", key: admin)
            #expect(status == 200, "settlement \(id) answered 201 is missing")
            #expect(settlement["status"] as? String == "captured")
        }
        let (_, audit) = try await servers[1].call(.GET, "/v1/audit", key: admin)
        #expect((audit["findings"] as? [Any])?.isEmpty == true, "\(audit)")
        let (_, after) = try await servers[2].call(.GET, "/v1/coupons/\(couponID)", key: admin)
        let balance = try #require((after["balance"] as? [String: Any])?["amount"] as? Int)
        #expect(balance <= 100_000_000 - answered.count * 100)
        print("crash test: \(answered.count) sales answered, \(await sales.failures) calls failed during the crashes")
    }
}

/// A flag the load's tasks poll.
final class LoadSwitch: Sendable {
    private let value = Mutex(false)
    var isOn: Bool { value.withLock { $0 } }
    func turnOn() { value.withLock { $0 = true } }
}
