import ArgumentParser
import AsyncHTTPClient
import CouponAPI
import CouponClient
import CouponCore
import CouponStore
import Foundation
import NIOCore
import NIOFoundationCompat
import Synchronization

struct SettleBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "settle",
        abstract: "Durable settlements per second through coupon-server over loopback, next to the store alone.",
        discussion: """
            Starts the built coupon-server on a fresh database (synchronous=FULL), registers a station, and runs
            CLIENTS concurrent clients settling one 1.00 item each against their own coupon. Then does the same
            writes in process through the store, without HTTP: the ceiling the server can approach.
              swift run -c release coupon-bench settle --clients 32 --settlements 4000
            """)

    @Option(help: "Concurrent clients.") var clients = 32
    @Option(help: "Settlements in all, per phase.") var settlements = 4000
    @Flag(
        help: "Drive the server with AsyncHTTPClient instead of plain blocking sockets (heavier on the shared cores).")
    var asyncClient = false
    @Option(
        help:
            "A PostgreSQL server (postgres://USER@HOST:PORT/DB): the bench makes a database of its own there, runs --instances servers on it, and pgbench -N on the same cluster."
    )
    var database: String?
    @Option(help: "coupon-server instances on the PostgreSQL database (clients spread round robin).") var instances = 1

    /// One thread and one kept-alive socket per client, each settling `perClient` times in turn;
    /// returns every latency in milliseconds.
    static func socketClients(port: Int, station: String, codes: [String], perClient: Int) throws -> [Double] {
        try socketClients(ports: [port], station: station, codes: codes, perClient: perClient)
    }

    /// As above, client `i` talking to `ports[i % ports.count]`.
    static func socketClients(ports: [Int], station: String, codes: [String], perClient: Int) throws -> [Double] {
        let results = Mutex<(times: [Double], failure: String?)>(([], nil))
        let done = DispatchGroup()
        let clock = ContinuousClock()
        for (index, code) in codes.enumerated() {
            done.enter()
            let port = ports[index % ports.count]
            let thread = Thread {
                defer { done.leave() }
                do {
                    let client = try SocketClient(port: port)
                    let body = #"{"coupon_code": "\#(code)", "items": [{"product_code": "TEA", "quantity": 1}]}"#
                    var times: [Double] = []
                    times.reserveCapacity(perClient)
                    for _ in 0..<perClient {
                        let t0 = clock.now
                        let status = try client.post(path: "/v1/settlements", bearer: station, json: body)
                        guard status == 201 else { throw ValidationError("settlement answered \(status)") }
                        times.append((clock.now - t0).milliseconds)
                    }
                    results.withLock { $0.times += times }
                } catch {
                    results.withLock { $0.failure = "\(error)" }
                }
            }
            thread.start()
        }
        done.wait()
        let (times, failure) = results.withLock { ($0.times, $0.failure) }
        if let failure { throw ValidationError(failure) }
        return times
    }

    func run() async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("settle-bench-\(getpid())")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let perClient = max(1, settlements / clients)
        if let database {
            try await PostgresSettleBench(
                url: database, instances: instances, clients: clients, perClient: perClient, folder: folder
            ).run()
            return
        }

        // Phase 1: over HTTP.
        try await BenchServer.run(folder: folder.appendingPathComponent("http")) { server in
            let admin = server.admin
            let station = try await admin.addStation(name: "bench").key
            _ = try await admin.putProduct(
                code: "TEA", ProductBody(name: "Tea", price: Amount(amount: 100, currency: "CNY")))
            var codes: [String] = []
            for _ in 0..<clients {
                let coupon = try await admin.issue(IssueBody(initial: Amount(amount: 100_000_000, currency: "CNY")))
                codes.append(try require(coupon.code))
            }
            let till = server.station(key: station)
            let clock = ContinuousClock()
            let start = clock.now
            let latencies: [Double]
            if asyncClient {
                latencies = try await withThrowingTaskGroup(of: [Double].self) { group in
                    for code in codes {
                        group.addTask {
                            var times: [Double] = []
                            let items = [BasketItem(productCode: "TEA", quantity: 1)]
                            for _ in 0..<perClient {
                                let t0 = clock.now
                                _ = try await till.settle(
                                    couponCode: code, items: items,
                                    idempotencyKey: APIClient.newIdempotencyKey(prefix: "bench"))
                                times.append((clock.now - t0).milliseconds)
                            }
                            return times
                        }
                    }
                    var all: [Double] = []
                    for try await times in group { all += times }
                    return all
                }
            } else {
                latencies = try Self.socketClients(
                    port: server.port, station: station, codes: codes, perClient: perClient)
            }
            let httpSeconds = (clock.now - start).milliseconds / 1000
            let http = Percentiles(latencies)
            let p99 = latencies.sorted()[min(latencies.count - 1, Int(Double(latencies.count) * 0.99))]
            print(
                "http:  \(latencies.count) settlements, \(clients) clients: \(format(Double(latencies.count) / httpSeconds, 0))/s, p50 \(format(http.median)) ms, p99 \(format(p99)) ms"
            )

            // Every 201 must be on the books: the outstanding liability is what was issued less one
            // 1.00 item per answer, and the audit is clean.
            let liability = try await admin.liability(asOf: nil)
            let outstanding = liability.outstanding.first?.amount
            let expected = Int128(clients) * 100_000_000 - Int128(latencies.count) * 100
            guard outstanding == expected else {
                throw ValidationError(
                    "liability \(String(describing: outstanding)) after \(latencies.count) settlements, expected \(expected)"
                )
            }
            let audit = try await admin.audit()
            guard audit.ok else { throw ValidationError("the audit found: \(audit.findings)") }
            print("checked: outstanding liability = issued - \(latencies.count) x 1.00; audit clean")

            // Phase 2: the same writes through the store in process (group commit), without HTTP.
            let store = try SQLiteCouponStore(
                path: folder.appendingPathComponent("store.sqlite").path,
                hasher: CodeHasher(secret: CodeHasher.newSecret())
            )
            let now = Instant(secondsSince1970: Int64(Date().timeIntervalSince1970))
            try await store.putProduct(
                Product(code: try ProductCode("TEA"), name: "Tea", price: Money(minorUnits: 100, currency: .cny)))
            var coupons: [CouponCode] = []
            for _ in 0..<clients {
                coupons.append(
                    try await store.issue(
                        initial: Money(minorUnits: 100_000_000, currency: .cny), expiresAt: nil, actor: "bench",
                        now: now
                    ).code)
            }
            let basket = try Basket([("TEA", 1)])
            let storeStart = clock.now
            try await withThrowingTaskGroup(of: Void.self) { group in
                for code in coupons {
                    group.addTask {
                        for _ in 0..<perClient {
                            _ = try await store.settle(
                                SettleRequest(code: code, basket: basket, station: "bench"), now: now)
                        }
                    }
                }
                try await group.waitForAll()
            }
            let storeSeconds = (clock.now - storeStart).milliseconds / 1000
            let storeRate = Double(perClient * clients) / storeSeconds
            print(
                "store: \(perClient * clients) settlements in process through the store, group commit (synchronous=FULL): \(format(storeRate, 0))/s"
            )
            print("ratio http/store: \(format(Double(latencies.count) / httpSeconds / storeRate))")
        }
    }
}

/// `#require` for a command: unwraps or stops with a message.
func require<T>(_ value: T?, _ what: String = "a value") throws -> T {
    guard let value else { throw ValidationError("missing \(what)") }
    return value
}
