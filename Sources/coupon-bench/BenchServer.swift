import AsyncHTTPClient
import CouponClient
import Foundation
import ServerLauncher

/// The built coupon-server on a fresh database, with the admin's calls and an HTTP client this
/// benchmark owns (shut down with the server).
struct BenchServer: Sendable {
    let process: ServerProcess
    let http: HTTPClient
    let admin: AdminAPI

    var port: Int { process.port }
    var url: String { "http://127.0.0.1:\(process.port)" }
    var adminKey: String { get throws { try process.adminKey } }

    /// The calls of a station holding `key`.
    func station(key: String) -> StationAPI {
        StationAPI(APIClient(http: http, baseURL: url, key: key))
    }

    /// Runs `body` against a server started in `folder`; stops it and its client after.
    static func run<T: Sendable>(folder: URL, _ body: (BenchServer) async throws -> T) async throws -> T {
        let process = ServerProcess(folder: folder, binary: ServerProcess.builtBinary)
        try await process.start()
        defer { process.stop() }
        return try await withHTTPClient(caFile: nil) { http in
            let admin = AdminAPI(
                APIClient(http: http, baseURL: "http://127.0.0.1:\(process.port)", key: try process.adminKey))
            return try await body(BenchServer(process: process, http: http, admin: admin))
        }
    }
}
