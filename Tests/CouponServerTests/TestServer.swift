import CouponCore
import CouponServer
import CouponStore
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import SignedState

/// A real server on a real port (HummingbirdTesting's live mode binds port 0) over a real SQLite
/// file, with an admin key, a station key and the patent's catalogue.
struct TestServer {
    let store: SQLiteCouponStore
    let adminKey: String
    let stationKey: String
    let otherStationKey: String
    /// The provider's state keys (phone-balance coupons), the store's and the server's.
    let ring: KeyRing
    var configuration = ServerConfiguration()

    init(limits: Limits = Limits(), ring: KeyRing = .generate()) async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("server-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        self.ring = ring
        store = try SQLiteCouponStore(
            path: folder.appendingPathComponent("coupons.sqlite").path,
            hasher: CodeHasher(secret: CodeHasher.newSecret()), maxBalance: limits.maxBalance,
            phoneStates: PhoneStates(ring: ring))
        configuration.limits = limits
        configuration.stateKeys = ring
        let now = Instant.now
        adminKey = try await store.createKey(role: .admin, station: nil, now: now).key
        stationKey = try await store.createKey(role: .station, station: "till-1", now: now).key
        otherStationKey = try await store.createKey(role: .station, station: "till-2", now: now).key
        try await store.putProduct(
            Product(
                code: try ProductCode("6901234567892"), name: "蛋糕 Cake",
                price: try Money(parsing: "100.00", currency: .cny)))
        try await store.putProduct(
            Product(
                code: try ProductCode("GIFT-250"), name: "Gift box", price: try Money(parsing: "250.00", currency: .cny)
            ))
        configuration.port = 0
        // In-process servers share the test process's cooperative threads with the photo suites,
        // which can starve a handler for a minute: the timeouts under test are set by their tests.
        configuration.connections.headerTimeout = .seconds(600)
        configuration.connections.idleTimeout = .seconds(600)
        configuration.publicBaseURL = "https://cpn.example"
    }

    func run(_ test: @escaping @Sendable (Client) async throws -> Void) async throws {
        let app = buildApplication(store: store, configuration: configuration)
        try await app.test(.live) { client in try await test(Client(client: client)) }
    }

    /// Sends JSON and reads JSON back.
    struct Client: Sendable {
        let client: any TestClientProtocol

        func call(_ method: HTTPRequest.Method, _ uri: String, key: String?, json: String? = nil) async throws
            -> (status: Int, body: [String: Any])
        {
            let (status, data) = try await raw(method, uri, key: key, json: json)
            let object = (try? JSONSerialization.jsonObject(with: data)) as? [String: Any] ?? [:]
            return (status, object)
        }

        /// Issues a CNY coupon of `minorUnits` with the admin key and returns the 201 body.
        func issue(_ minorUnits: Int, adminKey: String) async throws -> [String: Any] {
            let (status, body) = try await call(
                .post, "/v1/coupons", key: adminKey,
                json: #"{"initial": {"amount": \#(minorUnits), "currency": "CNY"}}"#)
            guard status == 201 else { throw CancellationError() }
            return body
        }

        /// The status and the exact body bytes, optionally with an Idempotency-Key.
        func raw(
            _ method: HTTPRequest.Method, _ uri: String, key: String?, json: String? = nil,
            idempotencyKey: String? = nil, accept: String? = nil
        )
            async throws -> (status: Int, body: Data)
        {
            var headers: HTTPFields = [.contentType: "application/json"]
            if let key { headers[.authorization] = "Bearer \(key)" }
            if let idempotencyKey { headers[HTTPField.Name("Idempotency-Key")!] = idempotencyKey }
            if let accept { headers[.accept] = accept }
            let response = try await client.execute(
                uri: uri, method: method, headers: headers, body: json.map { ByteBuffer(string: $0) })
            return (Int(response.status.code), Data(buffer: response.body))
        }
    }
}

extension Dictionary where Key == String, Value == Any {
    subscript(path path: String...) -> Any? {
        var current: Any? = self
        for key in path { current = (current as? [String: Any])?[key] }
        return current
    }

    func amount(_ key: String) -> Int64? { ((self[key] as? [String: Any])?["amount"] as? NSNumber)?.int64Value }
    func errorCode() -> String? { self[path: "error", "code"] as? String }
}
