import ArgumentParser
import CLISupport
import CouponAPI
import CouponCore
import Foundation
import Imaging
import Scanning
import SignedState
import Station

/// Sends the sales made offline; reports what happened on standard error (`quiet`: only when
/// there was something to send).
func forwardOfflineSales(_ checkout: Checkout, quiet: Bool) async {
    // Online: the provider's keys, limits and clock are pinned again (the catalogue only by `sync`).
    // Out of reach: nothing can be forwarded now either.
    do { try await checkout.refreshPins() } catch {
        if case .server(let why) = error {
            if !quiet { Terminal.error("coupon-station: the provider cannot be reached (\(why))") }
            return
        }
        Terminal.error("coupon-station: \(error)")
    }
    let till = checkout.offline
    guard let waiting = try? till.book.pending(), !waiting.isEmpty else {
        if !quiet { Terminal.error("coupon-station: no offline sales to forward") }
        return
    }
    let result = await till.forward(checkout.client)
    for answer in result.forwarded {
        Terminal.error(
            "coupon-station: offline sale forwarded: settlement \(answer.settlement.id), balance after "
                + "\(SettleCommand.major(answer.settlement.balanceAfter))"
                + (answer.blocked ? "; SHORTFALL \(SettleCommand.major(answer.shortfall)), coupon blocked for review" : ""))
    }
    for refusal in result.refused { Terminal.error("coupon-station: offline sale refused by the provider: \(refusal)") }
    if let problem = result.problem {
        Terminal.error("coupon-station: offline sales still waiting (\(problem)); they are sent next time")
    }
}

/// `coupon-station sync`: pins what selling offline needs.
public struct SyncCommand: AsyncParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "sync",
        abstract: "Pin the provider's state keys, this station's offline limits and clock, and copy the catalogue.",
        discussion: """
            Run while online (and from time to time): offline sales use only what was pinned here. \
            See docs/station.md, "Offline sales".
            """)
    @OptionGroup var options: StationOptions
    @Flag(help: "One JSON object on standard output.") var json = false
    public init() {}

    public func run() async throws {
        let resolved = try options.resolve()
        let json = self.json
        try await resolved.withCheckout(printer: resolved.printer(text: nil, escpos: nil, qr: nil)) { checkout in
            let pins = try await checkout.sync()
            await forwardOfflineSales(checkout, quiet: true)
            let limits = pins.offline.limits.map {
                "\($0.perSale.currency) \(SettleCommand.major($0.perSale)) per sale, \(SettleCommand.major($0.perDay)) per coupon a day"
            }
            if json {
                struct Report: Encodable {
                    var station: String
                    var keys: [String]
                    var limits: [OfflineLimitBody]
                    var products: Int
                    var clock_offset_seconds: Double
                }
                let report = Report(
                    station: pins.offline.station, keys: pins.offline.keys.map { "\($0.id) \($0.status)" },
                    limits: pins.offline.limits, products: pins.catalogueSize,
                    clock_offset_seconds: (pins.clockOffset * 10).rounded() / 10)
                let encoder = JSONEncoder()
                encoder.outputFormatting = [.sortedKeys]
                print(String(decoding: try encoder.encode(report), as: UTF8.self))
            } else {
                print("station \(pins.offline.station): \(pins.offline.keys.count) state key(s) pinned")
                print(limits.isEmpty ? "offline sales: off (the provider set no limit)" : "offline: " + limits.joined(separator: "; "))
                print("catalogue copy: \(pins.catalogueSize) products")
                print("clock: \(String(format: "%+.1f", pins.clockOffset)) s from the provider's")
            }
        }
    }
}

/// `coupon-station forward`: sends the sales made offline.
public struct ForwardCommand: AsyncParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "forward",
        abstract: "Send the sales made offline to the provider, each once (settle and run do this too).",
        discussion: "Exit status: 0 all sent, 4 some refused by the provider, 5 the provider cannot be reached (they wait).")
    @OptionGroup var options: StationOptions
    public init() {}

    public func run() async throws {
        let resolved = try options.resolve()
        try await resolved.withCheckout(printer: resolved.printer(text: nil, escpos: nil, qr: nil)) { checkout in
            try await recoverOpenCheckouts(checkout)
            let till = checkout.offline
            let result = await till.forward(checkout.client)
            for answer in result.forwarded {
                print(
                    "\(answer.settlement.id)  \(SettleCommand.major(answer.settlement.charged)) \(answer.settlement.charged.currency)"
                        + "  balance after \(SettleCommand.major(answer.settlement.balanceAfter))"
                        + (answer.settlement.staleState == true ? "  (stale state)" : "")
                        + (answer.blocked ? "  SHORTFALL \(SettleCommand.major(answer.shortfall)): coupon blocked for review" : ""))
            }
            for refusal in result.refused { Terminal.error("refused: \(refusal)") }
            if let problem = result.problem { throw StationError.server(problem) }
            if !result.refused.isEmpty { throw ForwardRefused(count: result.refused.count) }
            Terminal.error("\(result.forwarded.count) offline sale(s) forwarded")
        }
    }
}

/// `coupon-station balance`: what the phone's signed state says, checked offline.
public struct BalanceCommand: AsyncParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "balance",
        abstract: "Show the balance a phone carries (signed by the provider), checked offline with the pinned keys.",
        discussion: """
            Example:
              coupon-station balance --coupon phone.jpg
            """)
    @OptionGroup var options: StationOptions
    @Option(help: "A photo of the phone's QR.") var coupon: String?
    @Option(name: .customLong("coupon-code"), help: "The QR's text (link or CODE.STATE).") var couponCode: String?
    public init() {}

    public func run() async throws {
        let resolved = try options.resolve()
        guard (coupon == nil) != (couponCode == nil) else {
            throw StationError.badInput("give the coupon once: --coupon PHOTO or --coupon-code TEXT")
        }
        var text = couponCode ?? ""
        if let coupon {
            let image: GreyImage
            do { image = try ImageReader.read(path: coupon) } catch { throw StationError.badInput("\(error)") }
            guard let first = try DecodePipeline(symbologies: [.qr]).decode(image).symbols.first else {
                throw StationError.badInput("no QR code found in \(coupon)")
            }
            text = first.text
        }
        guard let token = QRPayload.state(from: text) else {
            throw StationError.badInput("this coupon keeps its balance with the provider only: its QR carries no signed state")
        }
        let book = OfflineBook(try Journal(path: resolved.journal))
        if try book.pins() == nil {
            // Nothing pinned yet: the keys are fetched (and pinned) once, while online.
            _ = try await resolved.withCheckout(printer: resolved.printer(text: nil, escpos: nil, qr: nil)) {
                try await $0.sync()
            }
        }
        let till = OfflineTill(book: book, shop: resolved.shop, station: resolved.station, timeZone: resolved.timeZone)
        let state = try till.read(token)
        let signed = Date(timeIntervalSince1970: TimeInterval(state.signedAt.secondsSince1970))
        print(
            "balance on the phone: \(state.balance.formatted) \(state.balance.currency.code) (state \(state.sequence), signed \(OfflineTill.stampText(signed, resolved.timeZone)))"
        )
        if let expires = state.expiresAt {
            print("expires: \(OfflineTill.stampText(Date(timeIntervalSince1970: TimeInterval(expires.secondsSince1970)), resolved.timeZone))")
        }
        if let seen = try? book.newestSeen(couponID: state.couponID), seen > Int(state.sequence) {
            print("note: this till has seen a newer state (\(seen)); the phone's balance is out of date")
        }
    }
}

/// Some forwarded offline sales were refused by the provider (exit status 4).
public struct ForwardRefused: Error, CustomStringConvertible {
    public var count: Int
    public var description: String { "\(count) offline sale(s) refused by the provider; see the journal's events" }
}
