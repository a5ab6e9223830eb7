import ArgumentParser
import CouponAPI
import CouponClient
import CouponCore
import Foundation
import QRRender

/// `couponctl balance CODE`: the balance by code (through the lookup call).
public struct BalanceCommand: AsyncParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "balance", abstract: "Show a coupon's balance by its code.",
        discussion: "Example:\n  couponctl balance K7QF-2M9X-4HWD-PR3A-V8EN-TX7")
    @OptionGroup var server: ServerOptions
    @Argument(help: "The coupon code, or its QR link.") var code: String
    @Flag(help: "Print the coupon as JSON.") var json = false
    public init() {}

    public func run() async throws {
        do { _ = try QRPayload.code(from: code) } catch { throw IssuerError.badInput("\(error)") }
        let code = self.code
        printCoupon(try await server.withAdmin { try await $0.lookup(code: code) }, json: json)
    }
}

func printCoupon(_ coupon: Coupon, json: Bool) {
    if json { return say(jsonLine(coupon)) }
    var line = "\(coupon.id) …\(coupon.lastFour)"
    line += "  balance \(major(coupon.balance)) \(coupon.balance.currency)"
    line += "  available \(major(coupon.available))"
    line += "  \(coupon.state)"
    if let expires = coupon.expiresAt { line += "  expires \(expires)" }
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
        let id = try pathSegment(self.id)
        let ledger = try await server.withAdmin { try await $0.ledger(couponID: id) }
        for entry in ledger.entries {
            if json {
                say(jsonLine(entry))
                continue
            }
            say(
                [
                    entry.at, entry.kind.padding(toLength: 8, withPad: " ", startingAt: 0), major(entry.amount),
                    "balance", major(entry.balanceAfter), entry.settlementID ?? "",
                ].joined(separator: "  ").trimmingCharacters(in: .whitespaces))
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
        let (amount, reference) = (self.amount, self.reference)
        try await changeBalance(server: server, id: id, json: json) { admin, id, currency in
            let minor = try parseAmount(amount, currency: currency)
            return try await admin.load(
                couponID: id, LoadBody(amount: Amount(amount: minor, currency: currency), reference: reference))
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
        let (amount, reason) = (self.amount, self.reason)
        try await changeBalance(server: server, id: id, json: json) { admin, id, currency in
            let minor = try parseAmount(amount, currency: currency, allowNegative: true)
            return try await admin.adjust(
                couponID: id, AdjustBody(amount: Amount(amount: minor, currency: currency), reason: reason))
        }
    }
}

/// Load or adjust: the coupon's currency from the server, then `change` (under a fresh idempotency key).
func changeBalance(
    server: ServerOptions, id: String, json: Bool,
    _ change: @escaping @Sendable (AdminAPI, String, String) async throws -> Coupon
) async throws {
    let segment = try pathSegment(id)
    let changed = try await server.withAdmin { admin in
        let coupon = try await admin.coupon(id: segment)
        return try await change(admin, segment, coupon.balance.currency)
    }
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
        let id = try pathSegment(self.id)
        printCoupon(try await server.withAdmin { try await $0.setBlocked(couponID: id, true) }, json: false)
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
        let id = try pathSegment(self.id)
        printCoupon(try await server.withAdmin { try await $0.setBlocked(couponID: id, false) }, json: false)
    }
}

/// `couponctl coupons forget-phone ID`: what is done to one coupon's personal data.
public struct CouponsCommand: AsyncParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "coupons", abstract: "A coupon's personal data: erase its phone number on request.",
        subcommands: [ForgetPhone.self])
    public init() {}

    struct ForgetPhone: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "forget-phone",
            abstract: "Erase a coupon's phone number now (its holder asked); the ledger records who did it.",
            discussion: """
                The server erases numbers by itself once a coupon is spent or expired plus \
                --phone-retention-days (90 by default). Asking for a coupon without a number is no error.
                Example:
                  couponctl coupons forget-phone cpn_3827f29138614f36bda4
                """)
        @OptionGroup var server: ServerOptions
        @Argument(help: "The coupon id.") var id: String
        @Flag(help: "Print the coupon as JSON.") var json = false
        func run() async throws {
            let id = try pathSegment(self.id)
            let coupon = try await server.withAdmin { try await $0.forgetPhone(couponID: id) }
            if !json { say("phone number erased") }
            printCoupon(coupon, json: json)
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
        let segment = try pathSegment(id)
        let coupon = try await server.withAdmin { try await $0.reissue(couponID: segment) }
        guard let payload = coupon.qrPayload, let code = coupon.code else {
            throw IssuerError.server("the reissue answer lacks the new code")
        }
        try FileManager.default.createDirectory(atPath: out, withIntermediateDirectories: true)
        let file = (out as NSString).appendingPathComponent("\(id).png")
        try Data(QRRenderer.png(try QREncoder.encode(text: payload, level: .medium))).write(
            to: URL(fileURLWithPath: file))
        say(jsonLine(Reissued(id: id, code: code, qrPayload: payload, files: [file])))
    }
}

/// `couponctl refund SETTLEMENT --line CODE[xQTY]...`.
public struct RefundCommand: AsyncParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "refund", abstract: "Refund lines of a settlement to its coupon, at the prices of the sale.",
        discussion: "Example:\n  couponctl refund stl_42f63acc6d824530bfa3 --line 8413000065504 --line 8480000823274x2")
    @OptionGroup var server: ServerOptions
    @Argument(help: "The settlement id.") var settlement: String
    @Option(help: "A product code and quantity, CODE, CODExQTY or CODE*QTY (repeatable).") var line: [String]
    @Flag(help: "Print the settlement as JSON.") var json = false
    public init() {}

    public func run() async throws {
        guard !line.isEmpty else { throw IssuerError.badInput("name at least one --line") }
        let lines: [BasketLine]
        do { lines = try BasketLine.merge(try line.map { try BasketLine(parsing: $0) }) } catch {
            throw IssuerError.badInput("\(error); write a line as CODE, CODExQTY or CODE*QTY")
        }
        let id = try pathSegment(settlement)
        let items = lines.map { BasketItem(productCode: $0.code, quantity: $0.quantity) }
        let answer = try await server.withAdmin { try await $0.refund(settlementID: id, lines: items) }
        if json { return say(jsonLine(answer)) }
        say("\(answer.id) \(answer.status)  refunded \(major(answer.refunded)) \(answer.refunded.currency)")
    }
}

/// What `reissue` prints: the new code, once.
struct Reissued: Encodable {
    var id: String
    var code: String
    var qrPayload: String
    var files: [String]

    enum CodingKeys: String, CodingKey {
        case id, code, files
        case qrPayload = "qr_payload"
    }
}
