import CouponAPI
import Foundation
import Testing

/// docs/openapi.yaml and the CouponAPI types say the same: every schema has a type, every type a
/// schema, and each field of a type (every optional filled in) is a property of its schema, of
/// the schema's type, and back. The spec's schemas are one JSON object per line.
@Suite("OpenAPI: the spec and the wire types agree")
struct OpenAPITests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()

    /// `components.schemas` of the spec, by name.
    static func schemas() throws -> [String: [String: Any]] {
        let text = try String(contentsOf: root.appendingPathComponent("docs/openapi.yaml"), encoding: .utf8)
        var schemas: [String: [String: Any]] = [:]
        var inside = false
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
            if line == "  schemas:" {
                inside = true
                continue
            }
            guard inside else { continue }
            guard line.hasPrefix("    "), let colon = line.firstIndex(of: ":") else { break }
            let name = line[..<colon].trimmingCharacters(in: .whitespaces)
            let json = Data(line[line.index(after: colon)...].utf8)
            schemas[name] = try #require(try JSONSerialization.jsonObject(with: json) as? [String: Any], "\(name)")
        }
        return schemas
    }

    static let amount = Amount(amount: 30000, currency: "CNY")
    static let total = Total(amount: Int128(Int64.max) + 1, currency: "CNY")
    static let expiry = Expiry(date: "2027-12-31", days: 365)
    static let issue = IssueBody(
        initial: amount, expiry: expiry, campaign: "spring", phone: "+8613800000000", balanceOnPhone: true)
    static let phoneState = PhoneStateBody(
        sequence: 2, token: "AEAAAAA", balance: amount, signedAt: "2026-12-02T10:00:00Z", keyID: "0a1b2c3d")
    static let publicKey = PublicKeyInfo(id: "0a1b2c3d", publicKey: "AAAA", status: "active")
    static let offlineLimit = OfflineLimitBody(perSale: amount, perDay: amount)
    static let offlineItem = OfflineItem(productCode: "CANDLES", name: "Candles", unitPrice: amount, quantity: 1)
    static let message = OutboxMessageBody(
        id: "msg_1", couponID: "cpn_1", code: "K7QF", qrPayload: "https://cpn.example/c#K7QF.AEAAAAA",
        phoneState: phoneState, expiresAt: "2027-12-31T15:59:59Z", phone: "+8613800000000", campaign: "spring",
        createdAt: "2026-12-02T10:00:00Z", attempts: 0)
    static let coupon = Coupon(
        id: "cpn_1", code: "K7QF", qrPayload: "https://cpn.example/c#K7QF", lastFour: "PQRS", balance: amount,
        held: amount, available: amount, state: "active", expiresAt: "2027-12-31T15:59:59Z", campaign: "spring",
        phoneState: phoneState)
    static let item = BasketItem(productCode: "6901234567892", quantity: 1)
    static let line = SettlementLine(
        productCode: "6901234567892", name: "Cake", unitPrice: amount, quantity: 1, lineTotal: amount)
    static let settlement = Settlement(
        id: "stl_1", couponID: "cpn_1", station: "till-1", status: "held", lines: [line], total: amount,
        charged: amount, due: amount, balanceBefore: amount, balanceAfter: amount,
        holdExpiresAt: "2026-12-02T10:00:00Z", refunded: amount, balanceLink: "https://cpn.example/b/x",
        phoneState: phoneState, staleState: true)
    static let product = ProductInfo(code: "6901234567892", name: "Cake", price: amount)
    static let key = KeySummary(
        id: "key_1", role: "station", station: "till-1", name: "alice", createdAt: "2026-12-02T10:00:00Z",
        revokedAt: "2026-12-03T10:00:00Z")
    static let ledgerLine = LedgerLine(
        kind: "capture", amount: amount, balanceBefore: amount, balanceAfter: amount, actor: "station:till-1",
        settlementID: "stl_1", at: "2026-12-02T10:00:00Z")
    static let shortfall = Shortfall(
        couponID: "cpn_1", settlementID: "stl_1", station: "till-2", amount: amount, state: "blocked",
        at: "2026-12-02T10:00:00Z")
    static let finding = Finding(couponID: "cpn_1", stored: 1, fromLedger: 2, held: 3, openHolds: 4)
    static let campaignTotals = CampaignTotals(
        currency: "CNY", coupons: 1, issued: 1, loaded: 1, adjusted: 1, redeemed: 1, expired: 1, outstanding: 1)
    static let dailyStation = DailyStation(
        station: "till-1", currency: "CNY", settlements: 1, captured: 1, refunded: 1, voided: 1, expiredHolds: 1,
        offline: 1, shortfall: 1)
    static let exportEntry = ExportEntry(
        seq: 1, at: "2026-12-02T10:00:00Z", couponID: "cpn_1", kind: "issue", amount: amount,
        balanceBefore: amount, balanceAfter: amount, actor: "admin", settlementID: "stl_1")

    /// One value of every type, each optional filled in, by the schema name it must match.
    static let samples: [String: any Codable & Sendable] = [
        "Amount": amount, "Total": total,
        "ErrorBody": ErrorBody(
            code: .insufficientBalance, message: "no", balance: amount, unknownProducts: ["X"], phoneState: phoneState,
            staleState: false),
        "Expiry": expiry, "IssueBody": issue,
        "BatchBody": BatchBody(
            count: 1, initial: amount, expiry: expiry, campaign: "spring", coupons: [issue], balanceOnPhone: true),
        "Coupon": coupon, "CouponList": CouponList(coupons: [coupon]), "LookupBody": LookupBody(code: "K7QF"),
        "LoadBody": LoadBody(amount: amount, reference: "INV-1"), "AdjustBody": AdjustBody(amount: amount, reason: "x"),
        "LedgerLine": ledgerLine, "Ledger": Ledger(entries: [ledgerLine]),
        "PublicBalance": PublicBalance(
            balance: amount, available: amount, state: "active", expiresAt: "2027-12-31T15:59:59Z"),
        "ReceiptView": ReceiptView(
            settlementID: "stl_1", status: "captured", charged: amount, balance: amount, available: amount,
            state: "active", expiresAt: "2027-12-31T15:59:59Z", lastFour: "PQRS"),
        "BasketItem": item,
        "SettlementBody": SettlementBody(couponCode: "K7QF", items: [item], capture: false, partial: false),
        "CaptureBody": CaptureBody(amount: amount), "RefundBody": RefundBody(lines: [item]),
        "SettlementLine": line, "Settlement": settlement,
        "ProductBody": ProductBody(name: "Cake", price: amount), "ProductInfo": product,
        "ProductList": ProductList(products: [product], next: "6901234567892"), "Imported": Imported(imported: 1),
        "StationBody": StationBody(name: "till-1"),
        "ConsoleUserBody": ConsoleUserBody(name: "mei", role: "admin", password: "correct horse battery"),
        "ConsoleUserInfo": ConsoleUserInfo(name: "mei", role: "admin"),
        "ConsoleUserList": ConsoleUserList(users: [ConsoleUserInfo(name: "mei", role: "admin")]),
        "StationKey": StationKey(station: "till-1", keyID: "key_1", key: "sk_1"),
        "AdminKeyBody": AdminKeyBody(name: "alice"), "AdminKey": AdminKey(name: "alice", keyID: "key_1", key: "ak_1"),
        "KeySummary": key, "KeyList": KeyList(keys: [key]),
        "Finding": finding, "Audit": Audit(ok: false, findings: [finding], shortfalls: [shortfall]),
        "Shortfall": shortfall,
        "Liability": Liability(asOf: "2026-12-31T15:59:59Z", outstanding: [total]),
        "CampaignTotals": campaignTotals, "Campaign": Campaign(campaign: "spring", totals: [campaignTotals]),
        "DailyStation": dailyStation, "Daily": Daily(date: "2026-12-02", stations: [dailyStation]),
        "ExportEntry": exportEntry, "Export": Export(entries: [exportEntry], next: "2"),
        "PhoneStateBody": phoneState, "PublicKeyInfo": publicKey,
        "PublicKeys": PublicKeys(keys: [publicKey], serverTime: "2026-12-02T10:00:00Z"),
        "OutboxClaimBody": OutboxClaimBody(limit: 100, leaseSeconds: 300), "OutboxMessageBody": message,
        "OutboxMessages": OutboxMessages(messages: [message]), "OutboxDeliveredBody": OutboxDeliveredBody(ids: ["msg_1"]),
        "OutboxStatus": OutboxStatus(delivered: 1, pending: 0),
        "SMSBody": SMSBody(text: "x", encoding: "UCS-2", segments: 1),
        "OutboxWebhookBody": OutboxWebhookBody(
            message: message, mms: "MIME", sms: SMSBody(text: "x", encoding: "UCS-2", segments: 1)),
        "OfflineLimitBody": offlineLimit,
        "StationOffline": StationOffline(
            station: "till-1", limits: [offlineLimit], keys: [publicKey], serverTime: "2026-12-02T10:00:00Z"),
        "OfflineItem": offlineItem,
        "OfflineSaleBody": OfflineSaleBody(
            couponCode: "K7QF.AEAAAAA", items: [offlineItem], total: amount, madeAt: "2026-12-02T10:00:00Z"),
        "OfflineSettlement": OfflineSettlement(
            settlement: settlement, shortfall: amount, blocked: true, madeAt: "2026-12-02T10:00:00Z",
            receivedAt: "2026-12-02T11:00:00Z"),
    ]

    /// Differences between a JSON value and a schema, as readable lines.
    static func compare(_ value: Any, _ schema: [String: Any], at path: String, in all: [String: [String: Any]])
        -> [String]
    {
        if let ref = schema["$ref"] as? String {
            let name = String(ref.split(separator: "/").last ?? "")
            guard let target = all[name] else { return ["\(path): $ref to an unknown schema \(name)"] }
            return compare(value, target, at: path, in: all)
        }
        switch schema["type"] as? String {
        case "object":
            guard let object = value as? [String: Any] else { return ["\(path): not an object"] }
            let properties = schema["properties"] as? [String: [String: Any]] ?? [:]
            var problems: [String] = []
            for key in Set(object.keys).subtracting(properties.keys) {
                problems.append("\(path).\(key): sent by the type, missing from the spec")
            }
            for key in Set(properties.keys).subtracting(object.keys) {
                problems.append("\(path).\(key): in the spec, not a field of the type")
            }
            for (key, field) in object {
                if let property = properties[key] {
                    problems += compare(field, property, at: "\(path).\(key)", in: all)
                }
            }
            return problems
        case "array":
            guard let array = value as? [Any] else { return ["\(path): not an array"] }
            guard let first = array.first, let items = schema["items"] as? [String: Any] else { return [] }
            return compare(first, items, at: "\(path)[]", in: all)
        case "integer":
            guard type(of: value) != Bool.self, let number = value as? NSNumber,
                number.stringValue.allSatisfy({ $0.isNumber || $0 == "-" })
            else { return ["\(path): not an integer"] }
            return []
        case "string":
            return value is String ? [] : ["\(path): not a string"]
        case "boolean":
            return value is Bool ? [] : ["\(path): not a boolean"]
        default:
            return ["\(path): the spec gives no type"]
        }
    }

    static func decodes<T: Decodable>(like sample: T, from data: Data) -> Bool {
        (try? JSONDecoder().decode(T.self, from: data)) != nil
    }

    @Test("every schema has a type and every type a schema")
    func names() throws {
        let schemas = try Self.schemas()
        #expect(Set(schemas.keys) == Set(Self.samples.keys))
        #expect(schemas.count >= 40)
    }

    @Test("each type's fields are its schema's properties, with their types")
    func fields() throws {
        let schemas = try Self.schemas()
        let encoder = JSONEncoder()
        for (name, sample) in Self.samples {
            let schema = try #require(schemas[name], "no schema \(name)")
            let value = try JSONSerialization.jsonObject(with: try encoder.encode(sample))
            let problems = Self.compare(value, schema, at: name, in: schemas)
            #expect(problems.isEmpty, "\(problems.joined(separator: "\n"))")
            // A required property is never optional in the type: a value without it does not decode.
            for required in schema["required"] as? [String] ?? [] {
                var object = try #require(value as? [String: Any])
                object.removeValue(forKey: required)
                let stripped = try JSONSerialization.data(withJSONObject: object)
                #expect(
                    Self.decodes(like: sample, from: stripped) == false,
                    "\(name).\(required) is required by the spec, optional in the type")
            }
        }
    }

    @Test("the error codes of the spec are ErrorCode's known codes, and an unknown one is kept")
    func errorCodes() throws {
        let schemas = try Self.schemas()
        let error = try #require(schemas["ErrorBody"]?["properties"] as? [String: [String: Any]])
        let code = try #require((error["error"]?["properties"] as? [String: [String: Any]])?["code"])
        let listed = try #require(code["enum"] as? [String])
        #expect(Set(listed) == Set(ErrorCode.known.map(\.rawValue)))
        #expect(listed.count == ErrorCode.known.count)
        for known in ErrorCode.known { #expect(ErrorCode(rawValue: known.rawValue) == known) }
        let body = try JSONDecoder().decode(
            ErrorBody.self, from: Data(#"{"error": {"code": "from_the_future", "message": "m"}}"#.utf8))
        #expect(body.error.code == .unknown("from_the_future"))
        #expect(String(decoding: try JSONEncoder().encode(body.error.code), as: UTF8.self) == #""from_the_future""#)
    }
}
