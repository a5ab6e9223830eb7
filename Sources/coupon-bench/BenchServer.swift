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
    static func run<T>(folder: URL, _ body: (BenchServer) async throws -> T) async throws -> T {
        let process = ServerProcess(folder: folder, binary: ServerProcess.builtBinary)
        try await process.start()
        let http = HTTPClient(eventLoopGroup: HTTPClient.defaultEventLoopGroup)
        let server = BenchServer(
            process: process, http: http,
            admin: AdminAPI(
                APIClient(http: http, baseURL: "http://127.0.0.1:\(process.port)", key: try process.adminKey)))
        do {
            let value = try await body(server)
            try await http.shutdown()
            process.stop()
            return value
        } catch {
            try? await http.shutdown()
            process.stop()
            throw error
        }
    }
}
