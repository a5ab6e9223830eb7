import CouponAPI
import CouponClient
import CouponCore
import Foundation
import SignedState

extension Checkout {
    /// The till's offline side, on the same journal.
    public var offline: OfflineTill {
        var till = OfflineTill(book: OfflineBook(journal), shop: shop, station: station, timeZone: timeZone)
        till.afterStep = afterStep
        return till
    }

    /// A checkout online, or, when the provider cannot be reached and the phone carries its
    /// signed balance, offline within the till's limits. The online attempt stays in the journal
    /// for recovery (a hold that reached the provider is voided before any offline sale is forwarded).
    public func runOrSellOffline(
        code: CouponCode, state: String?, items: [BasketLine], offlineNotice: @Sendable (String) -> Void = { _ in },
        confirm: @Sendable (Settlement) async -> Bool
    ) async throws(StationError) -> Outcome {
        do {
            let outcome = try await run(code: code, state: state, items: items, confirm: confirm)
            // The newest state this till has seen of the coupon: an older one is refused offline.
            if let state, let seen = try? StateToken.unverified(state) {
                let sequence = max(Int(seen.sequence), outcome.receipt.phoneState ?? 0)
                try? OfflineBook(journal).saw(couponID: seen.couponID, sequence: sequence)
            }
            return outcome
        } catch .server(let why) where state != nil {
            offlineNotice(why)
            let sold = try offline.sell(code: code, token: state!, items: items)
            return printAndClose(sold.entry, sold.receipt)
        }
    }

    /// Pins the provider's keys, this station's limits and its clock again (not the catalogue):
    /// `settle` and `run` do it whenever they start online, so the till's clock is checked at
    /// every session with the provider.
    public func refreshPins() async throws(StationError) {
        // One attempt: when the provider is out of reach, the sale that follows tries again anyway.
        var once = client
        once.client.retry = RetryPolicy(attempts: 1)
        let (offline, offset, received) = try await fetchOffline(once)
        do { try OfflineBook(journal).repin(offline, clockOffset: offset, at: received) } catch {
            throw .journal("\(error)")
        }
    }

    /// What a till pins, with the provider's clock as an offset from the till's.
    func fetchOffline(_ api: StationAPI? = nil) async throws(StationError) -> (StationOffline, Double, Date) {
        let api = api ?? client
        let sent = Date()
        let offline = try await provider { try await api.offline() }
        let received = Date()
        guard let serverTime = ISO8601DateFormatter().date(from: offline.serverTime) else {
            throw .server("the provider's clock '\(offline.serverTime)' is not an ISO 8601 time")
        }
        // The provider read its clock somewhere between sending and receiving: the middle.
        let offset = serverTime.timeIntervalSince(sent.addingTimeInterval(received.timeIntervalSince(sent) / 2))
        return (offline, offset, received)
    }

    /// Pins the provider's keys, this station's limits and clock, and the catalogue.
    public func sync() async throws(StationError) -> OfflineBook.Pins {
        let (offline, offset, received) = try await fetchOffline()
        var products: [ProductInfo] = []
        var after: String? = nil
        repeat {
            let page = try await provider { try await client.products(after: after, limit: 1000) }
            products += page.products
            after = page.next
        } while after != nil
        let book = OfflineBook(journal)
        do {
            try book.pin(offline, clockOffset: offset, products: products, at: received)
            guard let pins = try book.pins() else { throw StationError.journal("the pins were not written") }
            return pins
        } catch let error as StationError { throw error } catch { throw .journal("\(error)") }
    }
}
