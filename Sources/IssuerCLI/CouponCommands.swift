import ArgumentParser
import CouponCore
import Foundation
import QRRender

/// `couponctl balance CODE`: the balance by code (through the lookup call).
public struct BalanceCommand: AsyncParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "balance", abstract: "Show a coupon's balance by its code.",
        discussion: "Example:\n  couponctl balance K7QF-2M9X-ABCD-EFGH-JKMN-PQRS")
    @OptionGroup var server: ServerOptions
    @Argument(help: "The coupon code, or its QR link.") var code: String
    @Flag(help: "Print the coupon as JSON.") var json = false
    public init() {}

    public func run() async throws {
        try await runReporting {
            do { _ = try QRPayload.code(from: code) } catch { throw IssuerError.badInput("\(error)") }
            let coupon = try await server.client().call("POST", "/v1/coupons/lookup", json: ["code": code])
            printCoupon(coupon, json: json)
        }
    }
}

func printCoupon(_ coupon: [String: Any], json: Bool) {
    if json { return say(jsonLine(coupon)) }
    let balance = coupon.amount("balance"), available = coupon.amount("available")
    var line = "\(coupon["id"] as? String ?? "?") …\(coupon["last_four"] as? String ?? "")"
    if let balance { line += "  balance \(major(balance.minor, balance.currency)) \(balance.currency)" }
    if let available { line += "  available \(major(available.minor, available.currency))" }
    line += "  \(coupon["state"] as? String ?? "")"
    if let expires = coupon["expires_at"] as? String { line += "  expires \(expires)" }
    say(line)
}

/// `couponctl history ID`: the coupon's ledger, newest first.
public struct HistoryCommand: AsyncParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "history", abstract: "Show a coupon's ledger, newest first.",
        discussion: "Example:\n  couponctl history cpn_3827f29138614f36bda4")
    @OptionGroup var server: ServerOptions
    @Argument(help: "The coupon id.") var id: String
    @Flag(help: "One JSON object per entry.") var json = false
    public init() {}

    public func run() async throws {
        try await runReporting {
            let ledger = try await server.client().call("GET", "/v1/coupons/\(try pathSegment(id))/ledger")
            for entry in ledger["entries"] as? [[String: Any]] ?? [] {
                if json {
                    say(jsonLine(entry))
                    continue
                }
                let amount = entry.amount("amount"), after = entry.amount("balance_after")
                say(
                    [
                        entry["at"] as? String ?? "",
                        (entry["kind"] as? String ?? "").padding(toLength: 8, withPad: " ", startingAt: 0),
                        amount.map { major($0.minor, $0.currency) } ?? "", "balance",
                        after.map { major($0.minor, $0.currency) } ?? "", entry["settlement_id"] as? String ?? "",
                    ].joined(separator: "  ").trimmingCharacters(in: .whitespaces))
            }
        }
    }
}

/// An id as one URL path segment: letters, digits and `_` only.
func pathSegment(_ id: String) throws(IssuerError) -> String {
    guard !id.isEmpty, id.count <= 64, id.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_") }) else {
        throw .badInput("'\(id)' is not an id")
    }
    return id
}

/// `couponctl load ID --amount --reference`.
public struct LoadCommand: AsyncParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "load", abstract: "Add value to a coupon.",
        discussion: "Example:\n  couponctl load cpn_3827f29138614f36bda4 --amount 50.00 --reference INV-1001")
    @OptionGroup var server: ServerOptions
    @Argument(help: "The coupon id.") var id: String
    @Option(parsing: .unconditional, help: "The amount to add, in the coupon's currency.") var amount: String
    @Option(help: "Your reference (invoice, payment), kept in the ledger.") var reference: String
    @Flag(help: "Print the coupon as JSON.") var json = false
    public init() {}

    public func run() async throws {
        try await runReporting {
            try await changeBalance(
                server: server, id: id, path: "load", amount: amount, note: ["reference": reference], json: json,
                allowNegative: false)
        }
    }
}

/// `couponctl adjust ID --amount --reason`.
public struct AdjustCommand: AsyncParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "adjust", abstract: "Correct a coupon's balance up or down (never below what is held).",
        discussion:
            "Example:\n  couponctl adjust cpn_3827f29138614f36bda4 --amount -5.00 --reason \"till error 2026-11-24\"")
    @OptionGroup var server: ServerOptions
    @Argument(help: "The coupon id.") var id: String
    @Option(parsing: .unconditional, help: "The correction, negative to take away.") var amount: String
    @Option(help: "Why, kept in the ledger.") var reason: String
    @Flag(help: "Print the coupon as JSON.") var json = false
    public init() {}

    public func run() async throws {
        try await runReporting {
            try await changeBalance(
                server: server, id: id, path: "adjust", amount: amount, note: ["reason": reason], json: json,
                allowNegative: true)
        }
    }
}

/// Load or adjust: the coupon's currency from the server, the change under an idempotency key.
func changeBalance(
    server: ServerOptions, id: String, path: String, amount: String, note: [String: String], json: Bool,
    allowNegative: Bool
) async throws {
    let client = try server.client()
    let segment = try pathSegment(id)
    let coupon = try await client.call("GET", "/v1/coupons/\(segment)")
    guard let currency = coupon.amount("balance")?.currency else {
        throw IssuerError.server("the coupon has no currency")
    }
    let minor = try parseAmount(amount, currency: currency, allowNegative: allowNegative)
    var body: [String: Any] = ["amount": ["amount": minor, "currency": currency]]
    for (key, value) in note { body[key] = value }
    let changed = try await client.call(
        "POST", "/v1/coupons/\(segment)/\(path)", json: body, idempotencyKey: "ctl-\(SecureID.hex())")
    printCoupon(changed, json: json)
}

/// `couponctl block ID` / `unblock ID`.
public struct BlockCommand: AsyncParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "block", abstract: "Block a coupon: nothing can be settled against it until unblocked.",
        discussion: "Example:\n  couponctl block cpn_3827f29138614f36bda4")
    @OptionGroup var server: ServerOptions
    @Argument(help: "The coupon id.") var id: String
    public init() {}
    public func run() async throws {
        try await runReporting {
            printCoupon(try await server.client().call("POST", "/v1/coupons/\(try pathSegment(id))/block"), json: false)
        }
    }
}

public struct UnblockCommand: AsyncParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "unblock", abstract: "Unblock a coupon.",
        discussion: "Example:\n  couponctl unblock cpn_3827f29138614f36bda4")
    @OptionGroup var server: ServerOptions
    @Argument(help: "The coupon id.") var id: String
    public init() {}
    public func run() async throws {
        try await runReporting {
            printCoupon(
                try await server.client().call("POST", "/v1/coupons/\(try pathSegment(id))/unblock"), json: false)
        }
    }
}

/// `couponctl reissue ID --out DIR`: a lost phone; new code and QR, the old code dead.
public struct ReissueCommand: AsyncParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "reissue", abstract: "Give a coupon a new code and QR (a lost phone); the old code stops working.",
        discussion: "Example:\n  couponctl reissue cpn_3827f29138614f36bda4 --out coupons/")
    @OptionGroup var server: ServerOptions
    @Argument(help: "The coupon id.") var id: String
    @Option(help: "Output folder for the new QR.") var out: String
    public init() {}
    public func run() async throws {
        try await runReporting {
            let coupon = try await server.client().call(
                "POST", "/v1/coupons/\(try pathSegment(id))/reissue", idempotencyKey: "ctl-\(SecureID.hex())")
            guard let payload = coupon["qr_payload"] as? String, let code = coupon["code"] as? String else {
                throw IssuerError.server("the reissue answer lacks the new code")
            }
            try FileManager.default.createDirectory(atPath: out, withIntermediateDirectories: true)
            let file = (out as NSString).appendingPathComponent("\(id).png")
            try Data(QRRenderer.png(try QREncoder.encode(text: payload, level: .medium))).write(
                to: URL(fileURLWithPath: file))
            say(jsonLine(["id": id, "code": code, "qr_payload": payload, "files": [file]]))
        }
    }
}

/// `couponctl refund SETTLEMENT --line CODE[xQTY]...`.
public struct RefundCommand: AsyncParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "refund", abstract: "Refund lines of a settlement to its coupon, at the prices of the sale.",
        discussion: "Example:\n  couponctl refund stl_42f63acc6d824530bfa3 --line 8413000065504 --line 8480000823274x2")
    @OptionGroup var server: ServerOptions
    @Argument(help: "The settlement id.") var settlement: String
    @Option(help: "A product code and quantity, CODE or CODExQTY (repeatable).") var line: [String]
    @Flag(help: "Print the settlement as JSON.") var json = false
    public init() {}

    public func run() async throws {
        try await runReporting {
            guard !line.isEmpty else { throw IssuerError.badInput("name at least one --line") }
            var lines: [[String: Any]] = []
            for text in line {
                var code = text, quantity = 1
                if let x = text.lastIndex(where: { $0 == "x" || $0 == "X" }), let q = Int(text[text.index(after: x)...])
                {
                    code = String(text[..<x])
                    quantity = q
                }
                guard (1...999).contains(quantity), !code.isEmpty else {
                    throw IssuerError.badInput("write a line as CODE or CODExQTY (1 to 999), not '\(text)'")
                }
                lines.append(["product_code": code, "quantity": quantity])
            }
            let answer = try await server.client().call(
                "POST", "/v1/settlements/\(try pathSegment(settlement))/refund", json: ["lines": lines],
                idempotencyKey: "ctl-\(SecureID.hex())")
            if json { return say(jsonLine(answer)) }
            let refunded = answer.amount("refunded")
            say(
                "\(answer["id"] as? String ?? "") \(answer["status"] as? String ?? "")  refunded "
                    + (refunded.map { "\(major($0.minor, $0.currency)) \($0.currency)" } ?? "?"))
        }
    }
}
