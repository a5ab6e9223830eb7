import CouponAPI
import CouponClient
import CouponCore
import Foundation
import SignedState

/// One checkout in the order that never prints an untrue receipt: hold → the operator confirms →
/// capture → print. Each step is journalled before the next, so ``recover()`` can finish any
/// checkout a crash or a lost connection interrupted, never charging twice or without a receipt.
public struct Checkout: Sendable {
    public var client: StationAPI
    public var journal: Journal
    public var printer: ReceiptPrinter
    public var shop: String
    /// The station's name on receipts; nil uses the name the provider knows the key by.
    public var station: String?
    public var timeZone: TimeZone
    /// Called right after each step is journalled (`sending`, `held`, `confirmed`, `captured`):
    /// where the crash tests stop the process.
    public var afterStep: @Sendable (String) -> Void = { _ in }

    public init(
        client: StationAPI, journal: Journal, printer: ReceiptPrinter, shop: String, station: String?,
        timeZone: TimeZone
    ) {
        self.client = client
        self.journal = journal
        self.printer = printer
        self.shop = shop
        self.station = station
        self.timeZone = timeZone
    }

    /// How a checkout ended.
    public struct Outcome: Sendable {
        public var checkoutID: String
        public var receipt: Receipt
        /// Why printing failed, when it did (the receipt stays in the journal for `reprint`).
        public var printError: String?
        public var paid: Bool { receipt.kind == .paid }
    }

    /// Settles `items` against `code`. `confirm` sees the held settlement and answers whether the
    /// operator accepts it.
    /// - Throws: ``StationError``: `.server` leaves the checkout in the journal for recovery.
    public func run(
        code: CouponCode, state: String? = nil, items: [BasketLine], confirm: @Sendable (Settlement) async -> Bool
    ) async throws(StationError) -> Outcome {
        let entry = try journalled { try journal.start(couponLastFour: code.lastFour, items: items) }
        afterStep("sending")
        let held: Settlement
        do {
            held = try await provider {
                try await client.hold(
                    couponCode: state.map { code.value + "." + $0 } ?? code.value,
                    items: items.map { BasketItem(productCode: $0.code, quantity: $0.quantity) },
                    idempotencyKey: entry.id)
            }
        } catch .declined(let code, let message, let balance) {
            return try finishUnpaid(
                entry, reason: message, reasonCode: code.rawValue, balance: try balance?.received(), settlement: nil)
        } catch .refused(let status, let code, let message) {
            try journalled { try journal.update(entry.id, state: .done, event: "refused: \(status) \(code)") }
            throw .refused(status: status, code: code, message: message)
        } catch .server(let why) where why.hasPrefix(APIClientError.Transport.refused.rawValue) {
            // A refused connection carried nothing to the provider: this checkout is over.
            try journalled { try journal.update(entry.id, state: .done, event: "not sent: \(why)") }
            throw .server(why)
        }
        try journalled {
            try journal.update(entry.id, state: .held, settlementID: held.id, event: "held \(held.charged.amount)")
        }
        afterStep("held")
        guard await confirm(held) else {
            return try await release(entry, settlementID: held.id, reason: "cancelled by the operator")
        }
        try journalled { try journal.update(entry.id, state: .confirmed, event: "operator confirmed") }
        afterStep("confirmed")
        // A phone-balance coupon: the hold's answer carries the state sent back to the phone (a
        // full capture leaves the available balance, which a state carries, as the hold left it).
        let presented = state.flatMap { try? StateToken.unverified($0).sequence }
        let phone = held.phoneState.map { current in
            PhoneNote(state: current.sequence, stale: held.staleState == true ? presented.map(Int.init) : nil)
        }
        return try await capture(entry, settlementID: held.id, phone: phone)
    }

    /// What a receipt says of a phone-balance coupon's state.
    struct PhoneNote {
        var state: Int
        var stale: Int?
    }

    /// Finishes every checkout the journal holds open (after a crash or a lost connection), asking
    /// the provider what happened: captured → print; held and confirmed → capture and print; held
    /// and not confirmed → void; expired, voided or never held → a "not paid" slip.
    /// A checkout that cannot be finished yet (the server unreachable, say) stays open and is
    /// reported with its problem; the others go on.
    public func recover() async throws(StationError) -> (
        finished: [Outcome], open: [(id: String, problem: StationError)]
    ) {
        var finished: [Outcome] = []
        var open: [(id: String, problem: StationError)] = []
        for entry in try journalled({ try journal.open() }) {
            do {
                finished.append(try await recover(entry))
            } catch {
                open.append((entry.id, error))
            }
        }
        return (finished, open)
    }

    func recover(_ entry: Journal.Entry) async throws(StationError) -> Outcome {
        switch entry.state {
        case .captured, .unpaid:
            guard let receipt = entry.receipt else {
                return try finishUnpaid(entry, reason: "the journal lost this receipt", balance: nil, settlement: nil)
            }
            return printAndClose(entry, receipt)
        case .done:
            return Outcome(checkoutID: entry.id, receipt: entry.receipt!, printError: nil)
        case .sending, .held, .confirmed:
            var settlementID = entry.settlementID
            if settlementID == nil {
                do {
                    guard let held = try await provider({ try await client.holdOutcome(idempotencyKey: entry.id) })
                    else {
                        return try finishUnpaid(
                            entry, reason: "the hold never reached the provider", balance: nil, settlement: nil)
                    }
                    settlementID = held.id
                    try journalled {
                        try journal.update(
                            entry.id, state: .held, settlementID: held.id, event: "recovered: hold found")
                    }
                } catch .declined(let code, let message, let balance) {
                    return try finishUnpaid(
                        entry, reason: message, reasonCode: code.rawValue, balance: try balance?.received(),
                        settlement: nil)
                }
            }
            let current = try await provider { try await client.settlement(id: settlementID!) }
            switch current.status {
            case "held":
                if entry.state == .confirmed {
                    return try await capture(entry, settlementID: current.id)
                }
                return try await release(entry, settlementID: current.id, reason: "interrupted before confirmation")
            case "captured", "partially_refunded", "refunded":
                return try finishPaid(entry, current)
            default:
                return try finishUnpaid(
                    entry, reason: "the hold was \(current.status); nothing was charged", balance: nil,
                    settlement: current)
            }
        }
    }

    func capture(_ entry: Journal.Entry, settlementID: String, phone: PhoneNote? = nil) async throws(StationError)
        -> Outcome
    {
        let captured: Settlement
        do {
            captured = try await provider {
                try await client.capture(settlementID: settlementID, idempotencyKey: entry.id + "-capture")
            }
        } catch .refused(409, let code, _) where code == .holdExpired || code == .settlementNotHeld {
            let current = try await provider { try await client.settlement(id: settlementID) }
            if current.status == "captured" { return try finishPaid(entry, current) }
            return try finishUnpaid(
                entry, reason: "the hold expired before capture; nothing was charged", balance: nil,
                settlement: current)
        }
        return try finishPaid(entry, captured, phone: phone)
    }

    func release(_ entry: Journal.Entry, settlementID: String, reason: String) async throws(StationError) -> Outcome {
        let voided: Settlement
        do {
            voided = try await provider {
                try await client.void(settlementID: settlementID, idempotencyKey: entry.id + "-void")
            }
        } catch .refused(409, _, _) {
            voided = try await provider { try await client.settlement(id: settlementID) }
            if voided.status == "captured" { return try finishPaid(entry, voided) }
        }
        return try finishUnpaid(entry, reason: reason, balance: nil, settlement: voided)
    }

    func finishPaid(_ entry: Journal.Entry, _ settlement: Settlement, phone: PhoneNote? = nil) throws(StationError)
        -> Outcome
    {
        var receipt = try Receipt.paid(
            settlement, shop: shop, station: station ?? settlement.station, at: now(),
            couponLastFour: entry.couponLastFour)
        receipt.phoneState = phone?.state
        receipt.staleState = phone?.stale
        try journalled {
            try journal.update(
                entry.id, state: .captured, settlementID: settlement.id, receipt: receipt,
                event: "captured \(settlement.charged.amount)")
        }
        afterStep("captured")
        return printAndClose(entry, receipt)
    }

    func finishUnpaid(
        _ entry: Journal.Entry, reason: String, reasonCode: String? = nil, balance: Money?, settlement: Settlement?
    ) throws(StationError) -> Outcome {
        let slip = try Receipt.notPaid(
            reason: reason, reasonCode: reasonCode, balance: balance, settlement: settlement, shop: shop,
            station: station ?? settlement?.station ?? "", at: now(),
            couponLastFour: entry.couponLastFour)
        try journalled {
            try journal.update(
                entry.id, state: .unpaid, settlementID: settlement?.id, receipt: slip, event: "not paid: \(reason)")
        }
        return printAndClose(entry, slip)
    }

    /// Prints and marks the checkout done; a printer fault leaves it open for `reprint`, never voided.
    func printAndClose(_ entry: Journal.Entry, _ receipt: Receipt) -> Outcome {
        do {
            try printer.print(receipt)
            try journal.update(entry.id, state: .done, event: "printed")
            return Outcome(checkoutID: entry.id, receipt: receipt, printError: nil)
        } catch {
            return Outcome(checkoutID: entry.id, receipt: receipt, printError: "\(error)")
        }
    }

    func now() -> String {
        let formatter = DateFormatter()
        formatter.timeZone = timeZone
        formatter.locale = Locale(identifier: "en_US_POSIX")
        // With the zone's offset: a till and the provider's reports may be in different zones.
        formatter.dateFormat = "yyyy-MM-dd HH:mm:ss xxx"
        return formatter.string(from: Date())
    }

    /// A call to the provider, its failure as the station sees it.
    func provider<T>(_ call: () async throws -> T) async throws(StationError) -> T {
        do { return try await call() } catch let error as APIClientError { throw StationError(error) } catch {
            throw .server("\(error)")
        }
    }

    func journalled<T>(_ body: () throws -> T) throws(StationError) -> T {
        do { return try body() } catch let error as StationError { throw error } catch {
            throw .journal("\(error)")
        }
    }
}
