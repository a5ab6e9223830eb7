import ArgumentParser
import CouponAPI
import CouponClient
import CouponStore
import Foundation
import ServerLauncher

/// `coupon-bench settle --database postgres://...`: durable settlements over HTTP through one or
/// more coupon-servers on one PostgreSQL database, next to `pgbench -N` on the same cluster with
/// the same number of clients, in the same run.
struct PostgresSettleBench {
    let url: String
    let instances: Int
    let clients: Int
    let perClient: Int
    let folder: URL

    func run() async throws {
        let base = try PostgresLocation(url: url)
        let name = "coupon_bench_\(getpid())"
        let location = base.database(name)
        _ = try await PostgresCouponStore.createDatabase(location)
        defer { try? Self.tool("dropdb", ["--if-exists", "--force"] + Self.connection(base) + [name]) }
        let data = folder.appendingPathComponent("init/data")
        try FileManager.default.createDirectory(at: data, withIntermediateDirectories: true)
        try Self.program(
            ServerProcess.builtBinary.path, ["init", "--data", data.path, "--database", location.description])
        var servers: [ServerProcess] = []
        defer { servers.forEach { $0.kill() } }
        for index in 0..<max(1, instances) {
            let own = folder.appendingPathComponent("server-\(index)")
            try FileManager.default.createDirectory(at: own, withIntermediateDirectories: true)
            try FileManager.default.copyItem(at: data, to: own.appendingPathComponent("data"))
            let server = ServerProcess(folder: own, binary: ServerProcess.builtBinary)
            server.databaseURL = location.description
            try await server.start()
            servers.append(server)
        }
        let adminKey = try String(contentsOf: data.appendingPathComponent("admin.key"), encoding: .utf8)
            .trimmingCharacters(in: .whitespacesAndNewlines)
        let (rate, median, p99, count) = try await withHTTPClient(caFile: nil) { http in
            let admin = AdminAPI(
                APIClient(http: http, baseURLs: servers.map { "http://127.0.0.1:\($0.port)" }, key: adminKey))
            let station = try await admin.addStation(name: "bench").key
            _ = try await admin.putProduct(
                code: "TEA", ProductBody(name: "Tea", price: Amount(amount: 100, currency: "CNY")))
            var codes: [String] = []
            for _ in 0..<clients {
                let coupon = try await admin.issue(IssueBody(initial: Amount(amount: 100_000_000, currency: "CNY")))
                codes.append(try require(coupon.code))
            }
            let clock = ContinuousClock()
            let start = clock.now
            let latencies = try SettleBench.socketClients(
                ports: servers.map(\.port), station: station, codes: codes, perClient: perClient)
            let seconds = (clock.now - start).milliseconds / 1000
            let liability = try await admin.liability(asOf: nil).outstanding.first?.amount
            let expected = Int128(clients) * 100_000_000 - Int128(latencies.count) * 100
            guard liability == expected else {
                throw ValidationError("liability \(String(describing: liability)), expected \(expected)")
            }
            guard try await admin.audit().ok else { throw ValidationError("the audit is not clean") }
            let sorted = latencies.sorted()
            return (
                Double(latencies.count) / seconds, Percentiles(latencies).median,
                sorted[min(sorted.count - 1, Int(Double(sorted.count) * 0.99))], latencies.count
            )
        }
        print(
            "http:  \(count) settlements, \(clients) clients, \(servers.count) coupon-server on PostgreSQL: \(format(rate, 0))/s, p50 \(format(median)) ms, p99 \(format(p99)) ms"
        )
        print("checked: outstanding liability = issued - \(count) x 1.00; audit clean")
        servers.forEach { $0.kill() }
        servers = []

        // pgbench -N (TPC-B-like without the branch and teller updates) on the same cluster.
        let pgbenchDB = name + "_pgbench"
        _ = try await PostgresCouponStore.createDatabase(base.database(pgbenchDB))
        defer { try? Self.tool("dropdb", ["--if-exists", "--force"] + Self.connection(base) + [pgbenchDB]) }
        try Self.tool("pgbench", ["-i", "-q", "-s", "1"] + Self.connection(base) + [pgbenchDB])
        // A number of transactions per client (-t), not a duration (-T): pgbench times -T with
        // SIGALRM, which a child of this process may inherit blocked, and would then never stop.
        let output = try Self.tool(
            "pgbench",
            ["-N", "-c", "\(clients)", "-j", "2", "-t", "\(max(200, perClient))"] + Self.connection(base) + [pgbenchDB])
        guard let line = output.split(separator: "\n").first(where: { $0.hasPrefix("tps = ") }),
            let tps = Double(line.dropFirst("tps = ".count).prefix { $0 != " " })
        else { throw ValidationError("pgbench printed no tps:\n\(output)") }
        let latency = output.split(separator: "\n").first { $0.hasPrefix("latency average") } ?? ""
        let failed = output.split(separator: "\n").first { $0.hasPrefix("number of failed") } ?? ""
        print("pgbench -N, \(clients) clients, same cluster: \(format(tps, 0)) tps (\(latency); \(failed))")
        print("ratio http/pgbench: \(format(rate / tps))")
    }

    static func connection(_ location: PostgresLocation) -> [String] {
        ["-h", location.host, "-p", String(location.port), "-U", location.user]
    }

    /// A PostgreSQL client program from PATH or the installed server's bin folder; its output.
    @discardableResult
    static func tool(_ name: String, _ arguments: [String], allowFailure: Bool = false) throws -> String {
        let folders =
            (ProcessInfo.processInfo.environment["PATH"] ?? "").split(separator: ":").map(String.init)
            + ((try? FileManager.default.contentsOfDirectory(atPath: "/usr/lib/postgresql")) ?? []).sorted().reversed()
            .map { "/usr/lib/postgresql/\($0)/bin" }
        guard
            let path = folders.map({ $0 + "/" + name }).first(where: {
                FileManager.default.isExecutableFile(atPath: $0)
            })
        else { throw ValidationError("\(name) is not installed (Debian: postgresql-client, postgresql-contrib)") }
        return try program(path, arguments, allowFailure: allowFailure)
    }

    @discardableResult
    static func program(_ path: String, _ arguments: [String], allowFailure: Bool = false) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: path)
        process.arguments = arguments
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        try process.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        let text = String(decoding: data, as: UTF8.self)
        guard process.terminationStatus == 0 || allowFailure else {
            throw ValidationError("\((path as NSString).lastPathComponent) failed: \(text)")
        }
        return text
    }
}
