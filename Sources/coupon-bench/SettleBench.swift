import ArgumentParser
import AsyncHTTPClient
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

    /// One thread and one kept-alive socket per client, each settling `perClient` times in turn;
    /// returns every latency in milliseconds.
    static func socketClients(port: Int, station: String, codes: [String], perClient: Int) throws -> [Double] {
        let results = Mutex<(times: [Double], failure: String?)>(([], nil))
        let done = DispatchGroup()
        let clock = ContinuousClock()
        for code in codes {
            done.enter()
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

        // Phase 1: over HTTP.
        let server = try await BenchServer.start(folder: folder.appendingPathComponent("http"))
        defer { server.stop() }
        let admin = try server.adminKey
        let station = try require(
            try await server.call("POST", "/v1/stations", key: admin, json: #"{"name": "bench"}"#)["key"] as? String)
        _ = try await server.call(
            "PUT", "/v1/products/TEA", key: admin,
            json: #"{"name": "Tea", "price": {"amount": 100, "currency": "CNY"}}"#)
        var codes: [String] = []
        for _ in 0..<clients {
            let coupon = try await server.call(
                "POST", "/v1/coupons", key: admin, json: #"{"initial": {"amount": 100000000, "currency": "CNY"}}"#)
            codes.append(try require(coupon["code"] as? String))
        }
        let clock = ContinuousClock()
        let start = clock.now
        let latencies: [Double]
        if asyncClient {
            latencies = try await withThrowingTaskGroup(of: [Double].self) { group in
                for code in codes {
                    group.addTask {
                        var times: [Double] = []
                        let body = #"{"coupon_code": "\#(code)", "items": [{"product_code": "TEA", "quantity": 1}]}"#
                        for _ in 0..<perClient {
                            let t0 = clock.now
                            let status = try await server.status("POST", "/v1/settlements", key: station, json: body)
                            guard status == 201 else { throw ValidationError("settlement answered \(status)") }
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
            latencies = try Self.socketClients(port: server.port, station: station, codes: codes, perClient: perClient)
        }
        let httpSeconds = (clock.now - start).milliseconds / 1000
        let http = Percentiles(latencies)
        let p99 = latencies.sorted()[min(latencies.count - 1, Int(Double(latencies.count) * 0.99))]
        print(
            "http:  \(latencies.count) settlements, \(clients) clients: \(format(Double(latencies.count) / httpSeconds, 0))/s, p50 \(format(http.median)) ms, p99 \(format(p99)) ms"
        )

        // Every 201 must be on the books: the outstanding liability is what was issued less one
        // 1.00 item per answer, and the audit is clean.
        let liability = try await server.call("GET", "/v1/reports/liability", key: admin)
        let outstanding = (liability["outstanding"] as? [[String: Any]])?.first?["amount"] as? NSNumber
        let expected = Int64(clients) * 100_000_000 - Int64(latencies.count) * 100
        guard outstanding?.int64Value == expected else {
            throw ValidationError(
                "liability \(String(describing: outstanding)) after \(latencies.count) settlements, expected \(expected)"
            )
        }
        let audit = try await server.call("GET", "/v1/audit", key: admin)
        guard audit["ok"] as? Bool == true else { throw ValidationError("the audit found: \(audit)") }
        print("checked: outstanding liability = issued - \(latencies.count) x 1.00; audit clean")

        // Phase 2: the same writes through the store in process (group commit), without HTTP.
        let store = try SQLiteCouponStore(
            path: folder.appendingPathComponent("store.sqlite").path, hasher: CodeHasher(secret: CodeHasher.newSecret())
        )
        let now = Instant(secondsSince1970: Int64(Date().timeIntervalSince1970))
        try await store.putProduct(
            Product(code: try ProductCode("TEA"), name: "Tea", price: Money(minorUnits: 100, currency: .cny)))
        var coupons: [CouponCode] = []
        for _ in 0..<clients {
            coupons.append(
                try await store.issue(
                    initial: Money(minorUnits: 100_000_000, currency: .cny), expiresAt: nil, actor: "bench", now: now
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

/// The built coupon-server as a child process on a free port.
final class BenchServer: @unchecked Sendable {  // Used by one benchmark at a time; the process handle is set once.
    let folder: URL
    let port: Int
    private let process: Process

    private init(folder: URL, port: Int, process: Process) {
        self.folder = folder
        self.port = port
        self.process = process
    }

    static func start(folder: URL) async throws -> BenchServer {
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let binary = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath()
            .deletingLastPathComponent().appendingPathComponent("coupon-server")
        guard FileManager.default.isExecutableFile(atPath: binary.path) else {
            throw ValidationError("build coupon-server first: swift build -c release --product coupon-server")
        }
        let portFile = folder.appendingPathComponent("port")
        let process = Process()
        process.executableURL = binary
        process.arguments = [
            "serve", "--port", "0", "--port-file", portFile.path, "--database",
            folder.appendingPathComponent("data/c.sqlite").path,
        ]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        for _ in 0..<200 {
            if let text = try? String(contentsOf: portFile, encoding: .utf8),
                let port = Int(text.trimmingCharacters(in: .whitespacesAndNewlines))
            {
                return BenchServer(folder: folder, port: port, process: process)
            }
            try await Task.sleep(for: .milliseconds(50))
        }
        process.terminate()
        throw ValidationError("coupon-server did not start")
    }

    func stop() {
        process.terminate()
        process.waitUntilExit()
    }

    var adminKey: String {
        get throws {
            try String(contentsOf: folder.appendingPathComponent("data/admin.key"), encoding: .utf8).trimmingCharacters(
                in: .whitespacesAndNewlines)
        }
    }

    func request(_ method: String, _ path: String, key: String, json: String?) -> HTTPClientRequest {
        var request = HTTPClientRequest(url: "http://127.0.0.1:\(port)\(path)")
        request.method = .RAW(value: method)
        request.headers.add(name: "Authorization", value: "Bearer \(key)")
        request.headers.add(name: "Content-Type", value: "application/json")
        if let json { request.body = .bytes(ByteBuffer(string: json)) }
        return request
    }

    func call(_ method: String, _ path: String, key: String, json: String? = nil) async throws -> [String: Any] {
        let response = try await HTTPClient.shared.execute(
            request(method, path, key: key, json: json), timeout: .seconds(30))
        let body = try await response.body.collect(upTo: 1 << 20)
        return (try? JSONSerialization.jsonObject(with: Data(buffer: body))) as? [String: Any] ?? [:]
    }

    func status(_ method: String, _ path: String, key: String, json: String?) async throws -> Int {
        let response = try await HTTPClient.shared.execute(
            request(method, path, key: key, json: json), timeout: .seconds(30))
        _ = try await response.body.collect(upTo: 1 << 20)
        return Int(response.status.code)
    }
}

/// `#require` for a command: unwraps or stops with a message.
func require<T>(_ value: T?, _ what: String = "a value") throws -> T {
    guard let value else { throw ValidationError("missing \(what)") }
    return value
}
