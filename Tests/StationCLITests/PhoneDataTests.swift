import Foundation
import Testing

/// A coupon's phone number over the real server: erased by the server's own sweep once the
/// coupon is spent and the retention has passed, or at once by `couponctl coupons forget-phone`;
/// never written to the server's log.
@Suite("Phone numbers over the real server: retention, erasure on request, never logged")
struct PhoneDataTests {
    static let phone = "+86 138-0013-8000"

    func issue(_ server: LiveServer) async throws -> String {
        let body = #"{"initial": {"amount": 30000, "currency": "CNY"}, "phone": "\#(Self.phone)"}"#
        return try #require(
            try await server.call("POST", "/v1/coupons", key: server.adminKey, body: body)["id"] as? String)
    }

    @Test("retention 0 days: a spent coupon's number is erased by the sweep; forget-phone erases another at once")
    func retentionAndRequest() async throws {
        let server = try await LiveServer(arguments: ["--phone-retention-days", "0"])
        let spent = try await issue(server)
        let live = try await issue(server)
        let adjust = #"{"amount": {"amount": -30000, "currency": "CNY"}, "reason": "spent in the shop"}"#
        _ = try await server.call("POST", "/v1/coupons/\(spent)/adjust", key: server.adminKey, body: adjust)
        // The sweep runs every 5 seconds.
        var kinds: [String] = []
        for _ in 0..<60 {
            kinds = try await server.coupon(spent).ledger
            if kinds.contains("forget_phone") { break }
            try await Task.sleep(for: .milliseconds(250))
        }
        #expect(kinds.first == "forget_phone", "\(kinds)")
        #expect(!(try await server.coupon(live).ledger.contains("forget_phone")), "a coupon with money keeps it")

        let refused = try await server.call("POST", "/v1/coupons/\(live)/forget-phone", key: server.stationKey)
        #expect((refused["error"] as? [String: Any])?["code"] as? String == "forbidden")
        let erased = try await CouponctlTests.ctl(server, ["coupons", "forget-phone", live])
        #expect(erased.status == 0, "\(erased.stderr)")
        #expect(erased.text.contains("phone number erased"))
        #expect(try await server.coupon(live).ledger.first == "forget_phone")
        #expect(try await server.coupon(live).balance == 30000)
        let unknown = try await CouponctlTests.ctl(server, ["coupons", "forget-phone", "cpn_none"])
        #expect(unknown.status == 3, "\(unknown.stderr)")

        try await Task.sleep(for: .milliseconds(200))
        for part in ["138-0013-8000", "13800138000", "0013-8000"] {
            #expect(!server.log.contains(part), "the phone number reached the log")
        }
    }
}
