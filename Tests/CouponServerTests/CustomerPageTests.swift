import CouponCore
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import Testing

/// The customer's pages (`/c`, `/b/{token}`) over the real socket: the language the phone asks
/// for, headers that allow no inline code, no framing and no referrer, and their script and style
/// served as files.
@Suite("Customer pages: language by Accept-Language, a policy without inline code")
struct CustomerPageTests {
    static func get(_ client: TestServer.Client, _ path: String, language: String?) async throws
        -> (status: Int, headers: HTTPFields, body: String)
    {
        var headers: HTTPFields = [:]
        if let language { headers[.acceptLanguage] = language }
        let response = try await client.client.execute(uri: path, method: .get, headers: headers, body: nil)
        return (Int(response.status.code), response.headers, String(buffer: response.body))
    }

    @Test("/c and /b/{token} in Chinese or English, each header present, no inline script or style")
    func pages() async throws {
        let server = try await TestServer()
        try await server.run { client in
            let issued = try await client.issue(30000, adminKey: server.adminKey)
            let code = try #require(issued["code"] as? String)
            let sale = try await client.call(
                .post, "/v1/settlements", key: server.stationKey,
                json: #"{"coupon_code": "\#(code)", "items": [{"product_code": "6901234567892", "quantity": 1}]}"#)
            let link = try #require(sale.body["balance_link"] as? String)
            let receiptPath = String(link.dropFirst("https://cpn.example".count))
            for (header, expected, other) in [
                ("zh-CN,zh;q=0.9,en;q=0.8", "储值券余额", "Coupon balance"), ("en-GB,en;q=0.9", "Coupon balance", "储值券余额"),
                ("fr-FR, zh;q=0.5, en;q=0.3", "储值券余额", "Coupon balance"), (nil, "Coupon balance", "储值券余额"),
            ] {
                let page = try await Self.get(client, "/c", language: header)
                #expect(page.status == 200 && page.body.contains(expected) && !page.body.contains(other), "\(header ?? "none")")
                #expect(page.headers[.contentLanguage] == (expected == "储值券余额" ? "zh-CN" : "en"))
            }
            let receipt = try await Self.get(client, receiptPath, language: "zh-CN")
            #expect(receipt.status == 200 && receipt.body.contains("200.00 CNY") && receipt.body.contains("可用"))
            #expect(receipt.body.contains("****" + String(code.replacingOccurrences(of: "-", with: "").suffix(4))))
            #expect(!receipt.body.contains(code) && !receipt.body.contains(code.replacingOccurrences(of: "-", with: "")))
            let english = try await Self.get(client, receiptPath, language: "en")
            #expect(english.body.contains("Active") && english.body.contains("cannot be used to pay"))
            for page in [try await Self.get(client, "/c", language: nil), receipt] {
                let policy = try #require(page.headers[.contentSecurityPolicy])
                #expect(!policy.contains("unsafe-inline") && policy.contains("frame-ancestors 'none'"))
                #expect(policy.contains("script-src 'self'") && policy.contains("default-src 'none'"))
                #expect(page.headers[HTTPField.Name("Referrer-Policy")!] == "no-referrer")
                #expect(page.headers[HTTPField.Name("X-Content-Type-Options")!] == "nosniff")
                #expect(page.headers[.cacheControl] == "no-store")
                #expect(!page.body.contains("<script>") && !page.body.contains("<style") && !page.body.contains("style="))
            }
            let script = try await Self.get(client, "/assets/balance.js", language: nil)
            #expect(script.status == 200 && script.headers[.contentType]?.hasPrefix("text/javascript") == true)
            #expect(script.body.contains("status === 429") && script.body.contains("location.hash"))
            let style = try await Self.get(client, "/assets/coupon.css", language: nil)
            #expect(style.status == 200 && style.headers[.contentType]?.hasPrefix("text/css") == true)
        }
    }
}
