import CouponAPI
import CouponClient
import CouponCore
import Foundation
import SignedState

/// Selling while the provider is out of reach (the patent's first embodiment): only for a coupon
/// whose phone carries its balance, signed, and only within the limits the provider set for this
/// station. Every rule that refuses a sale has a code (docs/station.md).
public struct OfflineTill: Sendable {
    public var book: OfflineBook
    /// How far the till's clock may be from the provider's (as last seen) for expiry to be judged.
    public var maxClockSkew: Double = 300
    public var shop: String
    public var station: String?
    public var timeZone: TimeZone
    /// Called after each forwarding step (`forward-answered`: the provider applied a sale, not yet
    /// journalled): where the crash tests stop the process.
    public var afterStep: @Sendable (String) -> Void = { _ in }

    public init(book: OfflineBook, shop: String, station: String?, timeZone: TimeZone) {
        self.book = book
        self.shop = shop
        self.station = station
        self.timeZone = timeZone
    }

    /// The pinned keys as a ring a state is checked against.
    func ring(_ pins: OfflineBook.Pins) throws(StationError) -> KeyRing {
        do {
            return try KeyRing(
                publicKeys: pins.offline.keys.map {
                    (id: $0.id, base64: $0.publicKey, status: KeyRing.Status(rawValue: $0.status) ?? .retired)
                })
        } catch {
            throw .offline(code: "offline_not_synced", message: "the pinned keys are damaged (\(error)); run coupon-station sync")
        }
    }

    func pins() throws(StationError) -> OfflineBook.Pins {
        let pins: OfflineBook.Pins?
        do { pins = try book.pins() } catch { throw .journal("\(error)") }
        guard let pins else {
            throw .offline(
                code: "offline_not_synced",
                message: "this till has pinned no provider keys or limits: run coupon-station sync while online")
        }
        return pins
    }

    /// The state a phone shows, its signature checked against the pinned keys (offline).
    public func read(_ token: String) throws(StationError) -> PhoneState {
        let pins = try pins()
        do { return try StateToken.verify(token, keys: try ring(pins)) } catch let error as PhoneStateError {
            throw .offline(code: error.code, message: error.description)
        } catch let error as StationError { throw error } catch { throw .offline(code: "state_malformed", message: "\(error)") }
    }

    /// Sells `items` offline from the coupon `code` whose phone shows `token`, journalling the sale
    /// and its receipt (not yet printed) before returning them.
    public func sell(code: CouponCode, token: String, items: [BasketLine], now: Date = Date()) throws(StationError)
        -> (entry: Journal.Entry, receipt: Receipt)
    {
        let pins = try pins()
        let state = try read(token)
        let currency = state.balance.currency
        func refuse(_ code: String, _ message: String) -> StationError { .offline(code: code, message: message) }
        guard let limit = pins.offline.limits.first(where: { $0.perSale.currency == currency.code }),
            let perSale = try? limit.perSale.money(), let perDay = try? limit.perDay.money()
        else {
            throw refuse("offline_not_enabled", "the provider set no offline limit for \(currency.code) at this station")
        }
        guard abs(pins.clockOffset) <= maxClockSkew else {
            throw refuse(
                "offline_clock",
                "this till's clock was \(Int(pins.clockOffset.rounded())) s from the provider's at the last call; set the clock and sync")
        }
        let providerNow = now.addingTimeInterval(pins.clockOffset)
        if let expires = state.expiresAt, Int64(providerNow.timeIntervalSince1970) >= expires.secondsSince1970 {
            throw refuse("offline_expired", "the coupon expired (by the provider's clock)")
        }
        let sequence = Int(state.sequence)
        let seen: Int?, spent: Bool
        do {
            seen = try book.newestSeen(couponID: state.couponID)
            spent = try book.spent(couponID: state.couponID, sequence: sequence)
        } catch { throw .journal("\(error)") }
        if let seen, seen > sequence {
            throw refuse(
                "offline_state_superseded",
                "this till has seen a newer state of this coupon (\(seen)); the phone shows state \(sequence)")
        }
        if spent {
            throw refuse("offline_state_spent", "this till already sold offline on state \(sequence) of this coupon")
        }
        // Priced from the till's copy of the catalogue; an item it does not know refuses the sale.
        var lines: [Receipt.Line] = [], offlineItems: [OfflineItem] = [], unknown: [String] = []
        var total: Int64 = 0
        for item in items {
            let product: ProductInfo?
            // The catalogue keeps codes in their canonical form (GTIN-14 for the EAN/UPC family).
            let canonical = (try? ProductCode(item.code))?.value ?? item.code
            do { product = try book.product(canonical) } catch { throw .journal("\(error)") }
            guard let product, let price = try? product.price.money(), price.currency == currency else {
                unknown.append(item.code)
                continue
            }
            let (line, over1) = price.minorUnits.multipliedReportingOverflow(by: Int64(item.quantity))
            let (sum, over2) = total.addingReportingOverflow(line)
            guard !over1, !over2 else { throw refuse("offline_over_limit", "the basket's total overflows") }
            total = sum
            lines.append(
                Receipt.Line(
                    name: product.name, code: product.code, quantity: item.quantity, unitPrice: price,
                    total: Money(minorUnits: line, currency: currency)))
            offlineItems.append(
                OfflineItem(productCode: product.code, name: product.name, unitPrice: product.price, quantity: item.quantity))
        }
        guard unknown.isEmpty else {
            throw refuse(
                "offline_unknown_product",
                "the till's catalogue copy does not know \(unknown.joined(separator: ", ")) (synced \(Self.age(pins.syncedAt, now)) ago)")
        }
        guard total > 0 else { throw refuse("offline_over_limit", "the basket is empty") }
        let amount = Money(minorUnits: total, currency: currency)
        guard total <= state.balance.minorUnits else {
            throw refuse("offline_over_balance", "\(amount.formatted) is more than the phone's balance \(state.balance.formatted)")
        }
        guard total <= perSale.minorUnits else {
            throw refuse("offline_over_limit", "\(amount.formatted) is over the offline limit of \(perSale.formatted) per sale")
        }
        let day = Self.day(providerNow, timeZone: timeZone)
        let sold: Int64
        do { sold = try book.soldToday(couponID: state.couponID, day: day) } catch { throw .journal("\(error)") }
        guard sold + total <= perDay.minorUnits else {
            throw refuse(
                "offline_day_limit",
                "this coupon already took \(Money(minorUnits: sold, currency: currency).formatted) offline today; the limit is \(perDay.formatted)")
        }
        let at = Self.stamp(now, timeZone: timeZone)
        var receipt = Receipt(
            kind: .paid, shop: shop, station: station ?? pins.offline.station, at: at, couponLastFour: code.lastFour)
        receipt.lines = lines
        receipt.total = amount
        receipt.charged = amount
        receipt.due = .zero(currency)
        receipt.balanceBefore = state.balance
        receipt.balanceAfter = Money(minorUnits: state.balance.minorUnits - total, currency: currency)
        receipt.offline = true
        receipt.phoneState = sequence
        let sale = OfflineBook.Sale(
            id: SecureID.make(prefix: "off"), couponID: state.couponID, stateSequence: sequence, day: day,
            body: OfflineSaleBody(
                couponCode: code.value + "." + token, items: offlineItems, total: Amount(amount),
                madeAt: Self.iso8601(now)),
            madeAt: now)
        do {
            let entry = try book.record(
                sale, couponLastFour: code.lastFour, items: items, receipt: receipt)
            try book.saw(couponID: state.couponID, sequence: sequence)
            return (entry, receipt)
        } catch { throw .journal("\(error)") }
    }

    /// Sends every sale made offline, each once under its own key; stops at the first call that
    /// cannot reach the provider (the rest stay for the next try).
    public func forward(_ client: StationAPI) async -> (forwarded: [OfflineSettlement], refused: [String], problem: String?) {
        var forwarded: [OfflineSettlement] = [], refused: [String] = []
        let pending: [OfflineBook.Pending]
        do { pending = try book.pending() } catch { return ([], [], "the journal: \(error)") }
        for sale in pending {
            do {
                let answer = try await client.forwardOffline(sale.body, idempotencyKey: sale.id)
                afterStep("forward-answered")
                try book.settle(
                    sale.id, forwarded: true,
                    answer: "settlement \(answer.settlement.id), shortfall \(answer.shortfall.amount)"
                        + (answer.blocked ? ", coupon blocked for review" : ""))
                if let state = answer.settlement.phoneState {
                    try book.saw(couponID: answer.settlement.couponID, sequence: state.sequence)
                }
                forwarded.append(answer)
            } catch let error as APIClientError {
                let station = StationError(error)
                if case .refused(let status, let code, let message) = station, status != 409 {
                    try? book.settle(sale.id, forwarded: false, answer: "\(status) \(code): \(message)")
                    refused.append("\(sale.id): \(code): \(message)")
                    continue
                }
                if case .declined(let code, let message, _) = station {
                    try? book.settle(sale.id, forwarded: false, answer: "\(code): \(message)")
                    refused.append("\(sale.id): \(code): \(message)")
                    continue
                }
                return (forwarded, refused, station.description)
            } catch {
                return (forwarded, refused, "the journal: \(error)")
            }
        }
        return (forwarded, refused, nil)
    }

    static func day(_ date: Date, timeZone: TimeZone) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = timeZone
        formatter.dateFormat = "yyyy-MM-dd"
        return formatter.string(from: date)
    }

    static func stamp(_ date: Date, timeZone: TimeZone) -> String {
        let formatter = DateFormatter()
        formatter.timeZone = timeZone
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.dateFormat = "yyyy-MM-dd HH:mm:ss xxx"
        return formatter.string(from: date)
    }

    /// A time as receipts print it.
    public static func stampText(_ date: Date, _ timeZone: TimeZone) -> String { stamp(date, timeZone: timeZone) }

    static func iso8601(_ date: Date) -> String {
        let formatter = ISO8601DateFormatter()
        formatter.timeZone = TimeZone(identifier: "UTC")
        return formatter.string(from: date)
    }

    static func age(_ since: Date, _ now: Date) -> String {
        let seconds = Int(now.timeIntervalSince(since))
        return seconds < 120 ? "\(seconds) s" : seconds < 7200 ? "\(seconds / 60) min" : "\(seconds / 3600) h"
    }
}
