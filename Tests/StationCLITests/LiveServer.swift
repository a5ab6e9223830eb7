import AsyncHTTPClient
import Foundation
import NIOCore
import NIOFoundationCompat
import NIOSSL
import ServerLauncher

/// The built `coupon-server` on a free port over a fresh SQLite file, with an admin key, a
/// station key and the sample catalogue: the provider the station's tests settle against.
final class LiveServer: @unchecked Sendable {  // Each test owns its server; no sharing.
    let folder: URL
    private let process: ServerProcess
    let url: String
    let adminKey: String
    private(set) var stationKey = ""
    /// The client the test's own calls go through: HTTPClient.shared, or one trusting `tls`'s CA.
    private let client: HTTPClient
    private let ownsClient: Bool

    /// A server over plain HTTP, or over HTTPS with `tls` (certificate and key files, and the CA
    /// the test's own calls trust); `arguments` are added to `serve`.
    init(
        tls: (certificate: String, key: String, ca: String)? = nil, arguments: [String] = [],
        environment: [String: String] = [:]
    ) async throws {
        if let tls {
            var configuration = TLSConfiguration.makeClientConfiguration()
            configuration.trustRoots = .certificates(try NIOSSLCertificate.fromPEMFile(tls.ca))
            client = HTTPClient(
                eventLoopGroup: HTTPClient.defaultEventLoopGroup,
                configuration: HTTPClient.Configuration(tlsConfiguration: configuration))
            ownsClient = true
        } else {
            client = HTTPClient.shared
            ownsClient = false
        }
        folder = try temporaryFolder()
        process = ServerProcess(
            folder: folder, binary: productsFolder.appendingPathComponent("coupon-server"),
            arguments: ["--public-url", "https://cpn.example"]
                + (tls.map { ["--tls-cert", $0.certificate, "--tls-key", $0.key] } ?? []) + arguments,
            environment: environment)
        try await process.start()
        url = tls == nil ? "http://127.0.0.1:\(process.port)" : "https://localhost:\(process.port)"
        adminKey = try process.adminKey
        stationKey =
            try await call("POST", "/v1/stations", key: adminKey, body: #"{"name": "till-1"}"#)["key"] as? String ?? ""
        let catalogue = try String(
            contentsOf: packageRoot.appendingPathComponent("samples/catalog.csv"), encoding: .utf8)
        _ = try await call("POST", "/v1/products/import", key: adminKey, body: catalogue)
    }

    /// Stops the server (SIGTERM): the provider out of reach.
    func stopServer() { process.stop() }

    /// Starts it again on the same folder (and, given `--port` among its arguments, the same port).
    func restartServer() async throws { try await process.start() }

    /// What the server logged so far.
    var log: String { process.log }

    /// The server's process id (for signals).
    var pid: Int32 { process.pid }

    deinit {
        process.stop()
        if ownsClient { try? client.syncShutdown() }
        try? FileManager.default.removeItem(at: folder)
    }

    /// Calls the API and returns the JSON object it answered.
    func call(_ method: String, _ path: String, key: String, body: String? = nil) async throws -> [String: Any] {
        var request = HTTPClientRequest(url: url + path)
        request.method = .init(rawValue: method)
        if !key.isEmpty { request.headers.add(name: "Authorization", value: "Bearer \(key)") }
        request.headers.add(name: "Accept", value: "application/json")
        if let body { request.body = .bytes(ByteBuffer(string: body)) }
        let response = try await client.execute(request, timeout: .seconds(10))
        let data = Data(buffer: try await response.body.collect(upTo: 1 << 22))
        return (try? JSONSerialization.jsonObject(with: data)) as? [String: Any] ?? [:]
    }

    /// The metrics key the server wrote into its data folder.
    var metricsKey: String {
        get throws {
            try String(contentsOf: folder.appendingPathComponent("data/metrics.key"), encoding: .utf8)
                .trimmingCharacters(in: .whitespacesAndNewlines)
        }
    }

    /// `/metrics` with `key` (the metrics key when nil): its status and text.
    func metrics(key: String?) async throws -> (status: UInt, text: String) {
        var request = HTTPClientRequest(url: url + "/metrics")
        if let key { request.headers.add(name: "Authorization", value: "Bearer \(key)") }
        let response = try await client.execute(request, timeout: .seconds(10))
        return (response.status.code, String(buffer: try await response.body.collect(upTo: 1 << 20)))
    }

    /// The Prometheus text of /metrics, read with the metrics key.
    func metrics() async throws -> String { try await metrics(key: try metricsKey).text }

    /// Issues a coupon of `minorUnits` CNY (its balance on the phone too with `onPhone`); returns
    /// its id and QR payload.
    func issue(_ minorUnits: Int, onPhone: Bool = false) async throws -> (id: String, payload: String, code: String) {
        let coupon = try await call(
            "POST", "/v1/coupons", key: adminKey,
            body: #"{"initial": {"amount": \#(minorUnits), "currency": "CNY"}, "balance_on_phone": \#(onPhone)}"#)
        guard let id = coupon["id"] as? String, let payload = coupon["qr_payload"] as? String,
            let code = coupon["code"] as? String
        else { throw LiveServerError("issue failed: \(coupon)") }
        return (id, payload, code)
    }

    /// The coupon's balance in minor units and its ledger kinds, newest first.
    func coupon(_ id: String) async throws -> (balance: Int, held: Int, ledger: [String]) {
        let coupon = try await call("GET", "/v1/coupons/\(id)", key: adminKey)
        let ledger = try await call("GET", "/v1/coupons/\(id)/ledger", key: adminKey)
        let kinds = (ledger["entries"] as? [[String: Any]])?.compactMap { $0["kind"] as? String } ?? []
        let balance = ((coupon["balance"] as? [String: Any])?["amount"] as? Int) ?? -1
        let held = ((coupon["held"] as? [String: Any])?["amount"] as? Int) ?? -1
        return (balance, held, kinds)
    }

    /// The station's own arguments for `coupon-station settle|run|recover`.
    func stationArguments(journal: URL) -> [String] {
        [
            "--server", url, "--key", stationKey, "--journal", journal.path, "--shop", "Sweet Bakery", "--time-zone",
            "UTC",
        ]
    }
}

struct LiveServerError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
