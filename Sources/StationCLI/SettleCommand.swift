import ArgumentParser
import CLISupport
import CouponAPI
import CouponCore
import Foundation
import Imaging
import Scanning
import Station

/// `coupon-station settle`: one checkout from photos or typed codes.
public struct SettleCommand: AsyncParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "settle",
        abstract: "Settle one checkout: hold, confirm, capture, then print the receipt.",
        discussion: """
            Reads the coupon from a photo of the phone screen (its QR link, or a bare code) or as typed, and each \
            product from a photo of its barcode or as typed (CODE or CODExQTY). The provider holds the amount; \
            after the operator confirms (Enter, or --yes) it is captured, and only then is the receipt printed. \
            A declined settlement prints a "not paid" slip with the unchanged balance. Checkouts a crash left open \
            are finished first.

            Exit status: 0 paid, 3 declined or cancelled, 2 bad input, 5 server unreachable or failed.

            Example (server and key from COUPON_SERVER and COUPON_API_KEY):
              coupon-station settle --coupon phone.jpg --item cake.jpg \\
                --item-code 6901234567892x2 --yes --receipt receipt.txt
            """)

    @OptionGroup var options: StationOptions
    @Option(help: "Photo of the coupon QR on the phone screen.") var coupon: String?
    @Option(name: .customLong("coupon-code"), help: "The coupon code or link, as typed or scanned.") var couponCode:
        String?
    @Option(help: "Photo of a product barcode (repeatable).") var item: [String] = []
    @Option(name: .customLong("item-code"), help: "A product code, CODE or CODExQTY (repeatable).") var itemCode:
        [String] = []
    @Option(help: "Write the text receipt here (default: standard output).") var receipt: String?
    @Option(help: "Write the ESC/POS receipt to this file or printer device.") var escpos: String?
    @Option(name: .customLong("receipt-qr"), help: "Write the receipt's balance-link QR as a PNG.") var receiptQR:
        String?
    @Flag(help: "Confirm without asking (scripts).") var yes = false
    @Flag(help: "Print the outcome as JSON on standard output.") var json = false

    public init() {}

    public func run() async throws {
        let resolved = try options.resolve()
        guard (coupon == nil) != (couponCode == nil) else {
            throw StationError.badInput("give the coupon once: --coupon PHOTO or --coupon-code CODE")
        }
        guard !item.isEmpty || !itemCode.isEmpty else {
            throw StationError.badInput("the basket is empty: give --item PHOTO or --item-code CODE")
        }
        let (code, state) = try readCoupon()
        let lines = try BasketLine.merge(try readItems())
        var printer = resolved.printer(text: receipt, escpos: escpos, qr: receiptQR)
        printer.textToStdout = !json
        try await resolved.withCheckout(printer: printer) { checkout in
            try await settle(checkout, code: code, state: state, lines: lines)
        }
    }

    func settle(_ checkout: Checkout, code: CouponCode, state: String?, lines: [BasketLine]) async throws {
        try await recoverOpenCheckouts(checkout)
        await forwardOfflineSales(checkout, quiet: true)
        let yes = self.yes
        let outcome = try await checkout.runOrSellOffline(
            code: code, state: state, items: lines,
            offlineNotice: { why in
                Terminal.error("coupon-station: the provider cannot be reached (\(why)); selling offline on the phone's signed balance")
            }
        ) { held in
            Terminal.error(Self.summary(held, lastFour: code.lastFour))
            if yes { return true }
            Terminal.error("Press Enter to charge the coupon, or type n and Enter to cancel: ")
            guard let answer = readLine() else { return false }
            return answer.trimmingCharacters(in: .whitespaces).lowercased().hasPrefix("n") == false
        }
        if json {
            try printJSON(outcome)
        }
        if let problem = outcome.printError {
            Terminal.error(
                "coupon-station: PAID, but the receipt could not be printed (\(problem)); "
                    + "run `coupon-station reprint --last` once the printer works")
        }
        if !outcome.paid {
            throw NotPaid(reason: outcome.receipt.reason ?? "declined")
        }
    }

    /// The coupon's code, and its signed state when the phone carries its balance.
    func readCoupon() throws -> (CouponCode, String?) {
        var text = couponCode ?? ""
        if let coupon {
            let image = try read(coupon)
            let symbols = try DecodePipeline(symbologies: [.qr]).decode(image).symbols
            guard let first = symbols.first else {
                throw StationError.badInput("no QR code found in \(coupon)")
            }
            text = first.text
        }
        do {
            return (try QRPayload.code(from: text), QRPayload.state(from: text))
        } catch {
            throw StationError.badInput("\(error)")
        }
    }

    func readItems() throws -> [BasketLine] {
        var entries: [BasketLine] = []
        let linear = Set(Symbology.allCases.filter(\.isLinear))
        for photo in item {
            let symbols = try DecodePipeline(symbologies: linear).decode(try read(photo)).symbols
            guard !symbols.isEmpty else { throw StationError.badInput("no product barcode found in \(photo)") }
            // Several different codes in one photo are several products, each once.
            for text in Set(symbols.map(\.text)).sorted() { entries.append(BasketLine(code: text, quantity: 1)) }
        }
        for typed in itemCode { entries.append(try BasketLine(parsing: typed)) }
        return entries
    }

    func read(_ path: String) throws -> GreyImage {
        do { return try ImageReader.read(path: path) } catch {
            throw StationError.badInput("\(error)")
        }
    }

    static func summary(_ held: Settlement, lastFour: String) -> String {
        var text = "Basket priced by the provider:\n"
        for line in held.lines {
            text += "  \(line.name)  \(line.quantity) x \(Self.major(line.unitPrice)) = \(Self.major(line.lineTotal))\n"
        }
        text += "To charge from coupon …\(lastFour): \(Self.major(held.charged)) \(held.charged.currency)"
        text += " (balance \(Self.major(held.balanceBefore)) -> \(Self.major(held.balanceAfter)))"
        if held.due.amount > 0 { text += "; still due by other means: \(Self.major(held.due))" }
        if held.staleState == true, let current = held.phoneState {
            text +=
                "\nThe phone shows an older balance; the provider's is used. Its new state (\(current.sequence), "
                + "\(Self.major(current.balance)) available) is sent to the phone."
        }
        return text
    }

    static func major(_ amount: Amount) -> String {
        (try? amount.money().formatted) ?? "\(amount.amount)"
    }

    func printJSON(_ outcome: Checkout.Outcome) throws {
        struct Report: Encodable {
            var checkout_id: String
            var paid: Bool
            var settlement_id: String?
            var charged: Amount?
            var balance_after: Amount?
            var reason: String?
            var printed: Bool
        }
        let receipt = outcome.receipt
        let report = Report(
            checkout_id: outcome.checkoutID, paid: outcome.paid, settlement_id: receipt.settlementID,
            charged: receipt.charged.map(Amount.init), balance_after: receipt.balanceAfter.map(Amount.init),
            reason: receipt.reason,
            printed: outcome.printError == nil)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        Terminal.write(String(decoding: try encoder.encode(report), as: UTF8.self) + "\n", to: 1)
    }
}

/// A checkout that ended without payment (declined or cancelled): the program's "not paid" status.
public struct NotPaid: Error, CustomStringConvertible {
    public var reason: String
    public var description: String { "NOT PAID: \(reason)" }
}
