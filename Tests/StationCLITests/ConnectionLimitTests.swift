import Foundation
import TestSupport
import Testing

/// Clients that hold connections open, send huge headers or broken chunks, or guess with one key,
/// against the built server in its own process: none of them may stop an honest caller.
@Suite("Connections and rate limits: held connections time out, the oldest make room, one key locks out no other")
struct ConnectionLimitTests {
    static func port(_ server: LiveServer) throws -> Int {
        try #require(Int(server.url.split(separator: ":").last ?? ""))
    }

    @Test("a connection that never finishes its header gets 408 and is closed")
    func headerTimeout() async throws {
        let server = try await LiveServer(environment: ["COUPON_HEADER_TIMEOUT": "1"])
        let socket = try RawSocket(port: try Self.port(server), timeout: 60)
        try socket.send("GET /healthz HTTP/1.1\r\nHost: x\r\nX-Slow: ")
        let answer = await socket.readAll()
        #expect(answer.hasPrefix("HTTP/1.1 408"), "\(answer.prefix(100))")
        #expect(answer.contains("request_timeout"))
        // One that says nothing at all is closed the same way.
        let silent = try RawSocket(port: try Self.port(server), timeout: 60)
        #expect(await silent.status() == 408)
    }

    @Test("with the pending cap full of half-sent headers, a new request and a keep-alive connection are served")
    func pendingCap() async throws {
        let server = try await LiveServer(environment: [
            "COUPON_MAX_PENDING_CONNECTIONS": "20", "COUPON_HEADER_TIMEOUT": "300",
        ])
        let port = try Self.port(server)
        // A keep-alive connection that has already sent one request.
        let keepAlive = try RawSocket(port: port, timeout: 60)
        try keepAlive.send("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
        var attackers: [RawSocket] = []
        for _ in 0..<60 {
            let socket = try RawSocket(port: port, timeout: 60)
            try socket.send("GET /healthz HTTP/1.1\r\nHost: x\r\nX-Slow: ")
            attackers.append(socket)
        }
        try await Task.sleep(for: .milliseconds(300))
        // A newcomer that sends its request at once is heard.
        let honest = try RawSocket(port: port, timeout: 60)
        try honest.send("GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        #expect(await honest.status() == 200)
        try keepAlive.send("GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        let both = await keepAlive.readAll()
        #expect(both.components(separatedBy: "HTTP/1.1 200").count == 3, "\(both)")
        // The oldest attackers were closed to make room: at most the cap is still open.
        for socket in attackers { try? socket.send("1\r\nConnection: close\r\n\r\n") }
        var open = 0
        for socket in attackers {
            if await socket.status() == 200 { open += 1 }
        }
        #expect(open <= 20, "\(open) held connections were still served")
        #expect(open >= 1)
    }

    @Test("a header past its size is 431 and a chunk size past 64 bits 400, with the error body, never 500")
    func parserErrors() async throws {
        let server = try await LiveServer()
        let port = try Self.port(server)
        let big = try RawSocket(port: port, timeout: 60)
        try big.send("GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: \(String(repeating: "a", count: 40_000))\r\n\r\n")
        let answer = await big.readAll()
        #expect(answer.hasPrefix("HTTP/1.1 431"), "\(answer.prefix(100))")
        #expect(answer.contains("headers_too_large"))
        // Nothing is sent after the bad size line, so no unread bytes make the close a reset.
        let chunk = try RawSocket(port: port, timeout: 60)
        try chunk.send(
            "POST /v1/public/balance HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                + "Transfer-Encoding: chunked\r\n\r\nFFFFFFFFFFFFFFFFFF\r\n")
        let chunked = await chunk.readAll()
        #expect(chunked.hasPrefix("HTTP/1.1 400"), "\(chunked.prefix(200))")
        #expect(!server.log.contains("internal error"))
    }

    @Test("one station's failed lookups slow that key only; bad keys count against the address")
    func rateLimitsPerKey() async throws {
        let server = try await LiveServer(environment: ["COUPON_FAILURE_LIMIT": "5"])
        let api = APICalls(url: server.url)
        let other = try await api.call("POST", "/v1/stations", key: server.adminKey, body: #"{"name": "till-2"}"#)
        let otherKey = try #require(other.body["key"] as? String)
        let coupon = try await server.issue(30000)
        for _ in 0..<6 {
            _ = try await api.call(
                "POST", "/v1/coupons/lookup", key: server.stationKey, body: #"{"code": "ABCD-EFGH"}"#)
        }
        let blocked = try await api.call(
            "POST", "/v1/coupons/lookup", key: server.stationKey, body: #"{"code": "\#(coupon.code)"}"#)
        #expect(blocked.status == 429)
        // Another station and the admin at the same address are not slowed.
        let lookup = try await api.call(
            "POST", "/v1/coupons/lookup", key: otherKey, body: #"{"code": "\#(coupon.code)"}"#)
        #expect(lookup.status == 200)
        let cake = #"{"coupon_code": "\#(coupon.code)", "items": [{"product_code": "8413000065504", "quantity": 1}]}"#
        #expect(try await api.call("POST", "/v1/settlements", key: otherKey, body: cake).status == 201)
        #expect(try await api.call("GET", "/v1/audit", key: server.adminKey).status == 200)
        // Keys that do not verify count against the address: past the limit, 429 for unproven keys.
        for index in 0..<5 {
            #expect(try await api.call("GET", "/v1/audit", key: "ck_guess\(index)").status == 401)
        }
        #expect(try await api.call("GET", "/v1/audit", key: "ck_guess9").status == 429)
        // Valid keys from that address still work.
        #expect(try await api.call("GET", "/v1/audit", key: server.adminKey).status == 200)
    }
}
