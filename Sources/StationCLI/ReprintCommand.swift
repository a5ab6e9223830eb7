import ArgumentParser
import Station

/// `coupon-station reprint`: prints a receipt again from the journal.
public struct ReprintCommand: AsyncParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "reprint",
        abstract: "Print a receipt or slip again from the station's journal.",
        discussion: """
            Example:
              coupon-station reprint --last --escpos /dev/usb/lp0
              coupon-station reprint stl_4f0c... --receipt copy.txt
            """)

    @OptionGroup var options: StationOptions
    @Argument(help: "Checkout or settlement id.") var id: String?
    @Flag(help: "The most recent receipt.") var last = false
    @Option(help: "Write the text receipt here (default: standard output).") var receipt: String?
    @Option(help: "Write the ESC/POS receipt to this file or printer device.") var escpos: String?
    @Option(name: .customLong("receipt-qr"), help: "Write the receipt's balance-link QR as a PNG.") var receiptQR:
        String?

    public init() {}

    public func validate() throws {
        guard (id == nil) != !last else { throw ValidationError("give an ID or --last") }
    }

    public func run() async throws {
        let resolved = try options.resolve()
        let journal = try Journal(path: resolved.journal)
        let entry: Journal.Entry?
        do { entry = try journal.entry(last ? nil : id) } catch { throw StationError.journal("\(error)") }
        guard let entry, let copy = entry.receipt else {
            throw StationError.badInput(last ? "the journal has no receipt yet" : "no receipt for \(id ?? "")")
        }
        try resolved.printer(text: receipt, escpos: escpos, qr: receiptQR).print(copy)
        do {
            if entry.state == .captured || entry.state == .unpaid {
                try journal.update(entry.id, state: .done, event: "printed (reprint)")
            } else {
                try journal.update(entry.id, state: entry.state, event: "reprinted")
            }
        } catch {
            throw StationError.journal("\(error)")
        }
    }
}

/// `coupon-station recover`: finishes checkouts a crash or lost connection left open.
public struct RecoverCommand: AsyncParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "recover",
        abstract: "Finish checkouts left open by a crash: capture what was confirmed, void what was not.",
        discussion: "Every settle and run does this first.\n\nExample:\n  coupon-station recover --receipt out.txt")

    @OptionGroup var options: StationOptions
    @Option(help: "Write text receipts here (default: standard output).") var receipt: String?
    @Option(help: "Write ESC/POS receipts to this file or printer device.") var escpos: String?

    public init() {}

    public func run() async throws {
        let resolved = try options.resolve()
        try await resolved.withCheckout(
            printer: resolved.printer(text: receipt, escpos: escpos, qr: nil, append: true)
        ) { checkout in
            try await recoverOpenCheckouts(checkout)
        }
    }
}
