import ArgumentParser
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

            Example:
              coupon-station settle --server http://127.0.0.1:8080 --key $KEY \\
                  --coupon phone.jpg --item cake.jpg --item-code 6901234567892x2 --yes --receipt receipt.txt
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
        do {
            try await settle()
        } catch let error as StationError {
            Terminal.error("coupon-station: \(error)")
            throw ExitCode(error.exitCode)
        } catch let error as ExitCode {
            throw error
        } catch {
            Terminal.error("coupon-station: \(error)")
            throw ExitCode(2)
        }
    }

    func settle() async throws {
        let resolved = try options.resolve()
        guard (coupon == nil) != (couponCode == nil) else {
            throw StationError.badInput("give the coupon once: --coupon PHOTO or --coupon-code CODE")
        }
        guard !item.isEmpty || !itemCode.isEmpty else {
            throw StationError.badInput("the basket is empty: give --item PHOTO or --item-code CODE")
        }
        let code = try readCoupon()
        let lines = try BasketEntry.merge(try readItems())
        var printer = resolved.printer(text: receipt, escpos: escpos, qr: receiptQR)
        printer.textToStdout = !json
        let checkout = try resolved.checkout(printer: printer)
        try await recoverOpenCheckouts(checkout)
        let yes = self.yes
        let outcome = try await checkout.run(code: code, items: lines) { held in
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
            Terminal.error("coupon-station: NOT PAID: \(outcome.receipt.reason ?? "declined")")
            throw ExitCode(3)
        }
    }

    func readCoupon() throws -> CouponCode {
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
            return try QRPayload.code(from: text)
        } catch {
            throw StationError.badInput("\(error)")
        }
    }

    func readItems() throws -> [BasketEntry] {
        var entries: [BasketEntry] = []
        let linear = Set(Symbology.allCases.filter(\.isLinear))
        for photo in item {
            let symbols = try DecodePipeline(symbologies: linear).decode(try read(photo)).symbols
            guard !symbols.isEmpty else { throw StationError.badInput("no product barcode found in \(photo)") }
            // Several different codes in one photo are several products, each once.
            for text in Set(symbols.map(\.text)).sorted() { entries.append(BasketEntry(code: text, quantity: 1)) }
        }
        for typed in itemCode { entries.append(try BasketEntry(parsing: typed)) }
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
        return text
    }

    static func major(_ amount: WireAmount) -> String {
        (try? amount.money().formatted) ?? "\(amount.amount)"
    }

    func printJSON(_ outcome: Checkout.Outcome) throws {
        struct Report: Encodable {
            var checkout_id: String
            var paid: Bool
            var settlement_id: String?
            var charged: Int64?
            var balance_after: Int64?
            var currency: String?
            var reason: String?
            var printed: Bool
        }
        let receipt = outcome.receipt
        let report = Report(
            checkout_id: outcome.checkoutID, paid: outcome.paid, settlement_id: receipt.settlementID,
            charged: receipt.charged?.minorUnits, balance_after: receipt.balanceAfter?.minorUnits,
            currency: (receipt.total ?? receipt.balanceAfter)?.currency.code, reason: receipt.reason,
            printed: outcome.printError == nil)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        Terminal.write(String(decoding: try encoder.encode(report), as: UTF8.self) + "\n", to: 1)
    }
}

/// A product code with its quantity, as typed (`6901234567892x2`) or scanned.
struct BasketEntry: Equatable {
    var code: String
    var quantity: Int

    init(code: String, quantity: Int) {
        self.code = code
        self.quantity = quantity
    }

    /// `CODE` or `CODExQTY` (also `CODE*QTY`), quantity 1 to 999.
    init(parsing text: String) throws {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        if let separator = trimmed.lastIndex(where: { $0 == "x" || $0 == "X" || $0 == "*" }),
            separator != trimmed.startIndex,
            let quantity = Int(trimmed[trimmed.index(after: separator)...])
        {
            guard (1...999).contains(quantity) else {
                throw StationError.badInput("a quantity is 1 to 999, not \(quantity) in '\(text)'")
            }
            self.init(code: String(trimmed[..<separator]), quantity: quantity)
        } else {
            guard !trimmed.isEmpty else { throw StationError.badInput("an empty product code") }
            self.init(code: trimmed, quantity: 1)
        }
    }

    /// Lines with the same code become one, quantities added, in first-seen order.
    static func merge(_ entries: [BasketEntry]) throws -> [BasketLine] {
        var order: [String] = []
        var quantities: [String: Int] = [:]
        for entry in entries {
            if quantities[entry.code] == nil { order.append(entry.code) }
            quantities[entry.code, default: 0] += entry.quantity
        }
        return try order.map { code in
            let quantity = quantities[code]!
            guard quantity <= 999 else { throw StationError.badInput("more than 999 of \(code)") }
            return BasketLine(code: code, quantity: quantity)
        }
    }
}
