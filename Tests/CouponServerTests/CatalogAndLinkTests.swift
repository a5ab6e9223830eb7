import CouponCore
import Foundation
import Testing

@Suite("Catalogue import and receipts' read-only balance links")
struct CatalogAndLinkTests {
    @Test("a CSV catalogue imports all rows or none; the list pages in code order; only an admin imports")
    func importCatalogue() async throws {
        let server = try await TestServer()
        try await server.run { client in
            let csv = "code,name,price,currency\n4006381333931,\"Pen, blue\",3.50,CNY\n012345678905,Tea,12.00,cny\n"
            let forbidden = try await client.call(.post, "/v1/products/import", key: server.stationKey, json: csv)
            #expect(forbidden.status == 403)
            let imported = try await client.call(.post, "/v1/products/import", key: server.adminKey, json: csv)
            #expect(imported.status == 200)
            #expect(imported.body["imported"] as? Int == 2)
            // The UPC-A is stored as its GTIN-14 and found by its EAN-13 spelling too.
            let tea = try await client.call(.get, "/v1/products/0012345678905", key: server.stationKey)
            #expect(tea.body["name"] as? String == "Tea")
            #expect(tea.body.amount("price") == 1200)
            let pen = try await client.call(.get, "/v1/products/4006381333931", key: server.stationKey)
            #expect(pen.body["name"] as? String == "Pen, blue")

            // A bad row names its line, and nothing of the file is kept.
            let bad = "code,name,price,currency\n96385074,Cup,2.00,CNY\n12345,Broken,1.234,CNY\n"
            let refused = try await client.call(.post, "/v1/products/import", key: server.adminKey, json: bad)
            #expect(refused.status == 400)
            #expect(refused.body.errorCode() == "bad_csv")
            #expect((refused.body[path: "error", "message"] as? String)?.hasPrefix("line 3:") == true)
            let cup = try await client.call(.get, "/v1/products/96385074", key: server.adminKey)
            #expect(cup.status == 404)

            let page = try await client.call(.get, "/v1/products?limit=2", key: server.stationKey)
            let codes = (page.body["products"] as? [[String: Any]])?.compactMap { $0["code"] as? String }
            #expect(codes?.count == 2)
            #expect(codes == codes?.sorted())
            let next = try #require(page.body["next"] as? String)
            let rest = try await client.call(.get, "/v1/products?limit=10&after=\(next)", key: server.stationKey)
            #expect((rest.body["products"] as? [[String: Any]])?.count == 2)  // 4 products in all
            #expect(rest.body["next"] == nil)
            // A last page that is full says so: no `next` pointing at an empty page.
            let full = try await client.call(.get, "/v1/products?limit=2&after=\(next)", key: server.stationKey)
            #expect((full.body["products"] as? [[String: Any]])?.count == 2)
            #expect(full.body["next"] == nil)
            #expect(try await client.call(.get, "/v1/products?limit=0", key: server.adminKey).status == 400)
            #expect(try await client.call(.get, "/v1/products", key: nil).status == 401)
        }
    }

    @Test("a settlement's balance link shows the balance now, without a key, and cannot pay")
    func balanceLink() async throws {
        let server = try await TestServer()
        try await server.run { client in
            let issued = try await client.issue(30000, adminKey: server.adminKey)
            let code = try #require(issued["code"] as? String)
            let cake = try await client.call(
                .post, "/v1/settlements", key: server.stationKey,
                json: #"{"coupon_code": "\#(code)", "items": [{"product_code": "6901234567892", "quantity": 1}]}"#)
            let link = try #require(cake.body["balance_link"] as? String)
            #expect(link.hasPrefix("https://cpn.example/b/"))
            #expect(!link.contains(code.replacingOccurrences(of: "-", with: "")))
            let path = String(link.dropFirst("https://cpn.example".count))

            let json = try await client.raw(.get, path, key: nil, accept: "application/json")
            #expect(json.status == 200)
            let view = try #require(try JSONSerialization.jsonObject(with: json.body) as? [String: Any])
            #expect(view.amount("balance") == 20000)
            #expect(view.amount("charged") == 10000)
            #expect(view["last_four"] as? String == String(code.replacingOccurrences(of: "-", with: "").suffix(4)))
            let html = try await client.raw(.get, path, key: nil)
            #expect(String(decoding: html.body, as: UTF8.self).contains("200.00 CNY"))

            // A later purchase shows on the same link.
            _ = try await client.call(
                .post, "/v1/settlements", key: server.stationKey,
                json: #"{"coupon_code": "\#(code)", "items": [{"product_code": "6901234567892", "quantity": 1}]}"#)
            let later = try await client.raw(.get, path, key: nil, accept: "application/json")
            let laterView = try #require(try JSONSerialization.jsonObject(with: later.body) as? [String: Any])
            #expect(laterView.amount("balance") == 10000)

            // The link's token is no coupon code; a forged or altered token is not found.
            let token = String(path.dropFirst("/b/".count))
            let pay = try await client.call(
                .post, "/v1/settlements", key: server.stationKey,
                json: #"{"coupon_code": "\#(link)", "items": [{"product_code": "6901234567892", "quantity": 1}]}"#)
            #expect(pay.status == 400)
            #expect(pay.body.errorCode() == "invalid_code")
            let payToken = try await client.call(
                .post, "/v1/settlements", key: server.stationKey,
                json: #"{"coupon_code": "\#(token)", "items": [{"product_code": "6901234567892", "quantity": 1}]}"#)
            #expect(payToken.status == 400)
            var altered = Array(token)
            altered[altered.count - 1] = altered.last == "0" ? "1" : "0"
            #expect(try await client.raw(.get, "/b/" + String(altered), key: nil).status == 404)
            #expect(try await client.raw(.get, "/b/stl_nothing.00", key: nil).status == 404)
        }
    }
}
