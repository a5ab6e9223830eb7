import AsyncHTTPClient
import Foundation
import NIOCore
import NIOFoundationCompat
import TestSupport
import Testing

/// The attack of issue 14, all at once against the built server: half-open connections held,
/// oversized bodies sent, while honest tills settle.
@Suite("Hostile load: honest settlements are all answered while an attacker holds connections", .serialized)
struct HostileLoadTests {
    static func descriptors(of pid: Int32) -> Int {
        (try? FileManager.default.contentsOfDirectory(atPath: "/proc/\(pid)/fd").count) ?? -1
    }

    /// What the process's descriptors point at, by kind (`socket`, a file path), with counts.
    static func descriptorKinds(of pid: Int32) -> [String: Int] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: "/proc/\(pid)/fd")) ?? []
        var kinds: [String: Int] = [:]
        for name in names {
            let target = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/\(pid)/fd/\(name)")) ?? "?"
            kinds[target.hasPrefix("socket:") ? "socket" : target, default: 0] += 1
        }
        return kinds
    }

    /// A client with up to 32 connections to the server, as 32 tills would have.
    static func client() -> HTTPClient {
        HTTPClient(
            eventLoopGroup: HTTPClient.defaultEventLoopGroup,
            configuration: HTTPClient.Configuration(
                connectionPool: .init(idleTimeout: .seconds(60), concurrentHTTP1ConnectionsPerHostSoftLimit: 32)))
    }

    @Test("2,000 half-open connections and 200 oversized bodies; 32 clients settle 5,000 times, none 5xx")
    func hostileLoad() async throws {
        let server = try await LiveServer()
        let api = APICalls(url: server.url)
        _ = try await api.call(
            "PUT", "/v1/products/MINT-1", key: server.adminKey,
            body: #"{"name": "Mint", "price": {"amount": 1, "currency": "CNY"}}"#)
        var codes: [String] = []
        var ids: [String] = []
        for _ in 0..<32 {
            let coupon = try await server.issue(1000)
            codes.append(coupon.code)
            ids.append(coupon.id)
        }
        let port = try #require(Int(server.url.split(separator: ":").last ?? ""))
        // Warm up: the database's reader pool opens its connections under concurrent reads and
        // keeps them; idle is measured after that, with the warm-up's connections closed.
        let warm = Self.client()
        try await withThrowingTaskGroup(of: Void.self) { group in
            for index in 0..<64 {
                let id = ids[index % ids.count]
                group.addTask {
                    var request = HTTPClientRequest(url: server.url + "/v1/coupons/\(id)")
                    request.headers.add(name: "Authorization", value: "Bearer \(server.adminKey)")
                    _ = try await warm.execute(request, timeout: .seconds(60)).body.collect(upTo: 1 << 20)
                }
            }
            try await group.waitForAll()
        }
        try await warm.shutdown()
        try await Task.sleep(for: .milliseconds(500))
        let idle = Self.descriptors(of: server.pid)
        let idleKinds = Self.descriptorKinds(of: server.pid)
        #expect(idle > 0)

        // The attacker: 2,000 connections that send half a header and wait.
        var held: [RawSocket] = []
        for _ in 0..<2000 {
            let socket = try RawSocket(port: port, timeout: 1)
            try? socket.send("POST /v1/settlements HTTP/1.1\r\nHost: x\r\nX-Slow: ")
            held.append(socket)
        }
        let honest = Self.client()
        let stationKey = server.stationKey
        let url = server.url
        let big = String(repeating: "n", count: 70 * 1024)
        let attacker = APICalls(url: server.url, client: Self.client())
        async let oversized: [Int] = withThrowingTaskGroup(of: Int.self) { group in
            for _ in 0..<200 {
                group.addTask {
                    try await attacker.call("POST", "/v1/stations", key: server.adminKey, body: #"{"name": "\#(big)"}"#)
                        .status
                }
            }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        let statuses: [Int] = try await withThrowingTaskGroup(of: [Int].self) { group in
            for client in 0..<32 {
                let code = codes[client]
                group.addTask {
                    var answers: [Int] = []
                    let count = client < 8 ? 157 : 156  // 8 x 157 + 24 x 156 = 5,000
                    for index in 0..<count {
                        var request = HTTPClientRequest(url: url + "/v1/settlements")
                        request.method = .POST
                        request.headers.add(name: "Authorization", value: "Bearer \(stationKey)")
                        request.headers.add(name: "Content-Type", value: "application/json")
                        request.headers.add(name: "Idempotency-Key", value: "load-\(client)-\(index)")
                        request.body = .bytes(
                            ByteBuffer(
                                string:
                                    #"{"coupon_code": "\#(code)", "items": [{"product_code": "MINT-1", "quantity": 1}]}"#
                            ))
                        let response = try await honest.execute(request, timeout: .seconds(60))
                        _ = try await response.body.collect(upTo: 1 << 20)
                        answers.append(Int(response.status.code))
                    }
                    return answers
                }
            }
            return try await group.reduce(into: []) { $0 += $1 }
        }
        let tooLarge = try await oversized
        #expect(statuses.count == 5000)
        #expect(
            statuses.allSatisfy { $0 == 201 },
            "honest answers: \(Dictionary(grouping: statuses) { $0 }.mapValues(\.count))")
        #expect(
            tooLarge.allSatisfy { $0 == 413 },
            "oversized answers: \(Dictionary(grouping: tooLarge) { $0 }.mapValues(\.count))")
        let during = Self.descriptors(of: server.pid)

        // The attacker leaves; the honest client too.
        held.removeAll()
        try await honest.shutdown()
        try await attacker.client.shutdown()
        var after = Self.descriptors(of: server.pid)
        for _ in 0..<100 where after > idle + 2 {
            try await Task.sleep(for: .milliseconds(100))
            after = Self.descriptors(of: server.pid)
        }
        #expect(
            after <= idle + 2,
            "descriptors: idle \(idle), under attack \(during), after \(after): \(idleKinds) then \(Self.descriptorKinds(of: server.pid))"
        )
        let audit = try await api.call("GET", "/v1/audit", key: server.adminKey)
        #expect(audit.body["ok"] as? Bool == true)
        var spent = 0
        for id in ids { spent += 1000 - (try await server.coupon(id).balance) }
        #expect(spent == 5000)
    }
}
