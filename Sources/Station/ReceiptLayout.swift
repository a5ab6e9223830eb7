/// A receipt laid out in rows for a given paper width; the text and ESC/POS printers both print
/// these rows, so the two formats say the same thing.
public struct ReceiptLayout: Sendable, Equatable {
    public enum Align: Sendable, Equatable { case left, center }

    public enum Row: Sendable, Equatable {
        case text(String, align: Align, bold: Bool)
        case rule
        /// A QR code of this text (the read-only balance link).
        case qr(String)
    }

    /// Columns per line: 32 (58 mm paper), 42 or 48 (80 mm).
    public let width: Int
    public private(set) var rows: [Row] = []

    public static let widths = [32, 42, 48]

    public init(_ receipt: Receipt, width: Int) {
        self.width = width
        couponLastFour = receipt.couponLastFour
        center(receipt.shop, bold: true)
        // The station as the provider knows it when it was not named; with no settlement to say
        // (a sale refused at once), only the time.
        if receipt.station.isEmpty || receipt.station == "-" {
            rows.append(.text(Self.printable(receipt.at), align: .left, bold: false))
        } else {
            pair("Station " + receipt.station, receipt.at)
        }
        rows.append(.rule)
        if receipt.offline == true {
            center("OFFLINE SALE", bold: true)
            wrapped("To be confirmed by the provider when this till is back online.")
        }
        if receipt.kind == .notPaid {
            center("NOT PAID", bold: true)
            wrapped("Reason: " + (receipt.reason ?? "unknown"))
        }
        for line in receipt.lines {
            wrapped(line.name)
            pair("  \(line.quantity) x \(line.unitPrice.formatted)", line.total.formatted)
        }
        if !receipt.lines.isEmpty { rows.append(.rule) }
        let currency = receipt.total?.currency.code ?? receipt.balanceAfter?.currency.code ?? ""
        switch receipt.kind {
        case .paid:
            if let total = receipt.total { pair("TOTAL \(currency)", total.formatted, bold: true) }
            if let charged = receipt.charged { pair("Paid by coupon " + masked, charged.formatted) }
            if let due = receipt.due, due.minorUnits > 0 { pair("STILL DUE", due.formatted, bold: true) }
            if let before = receipt.balanceBefore { pair("Balance before", before.formatted) }
            if let after = receipt.balanceAfter { pair("Balance after", after.formatted, bold: true) }
        case .notPaid:
            if let total = receipt.total { pair("Total \(currency) (not charged)", total.formatted) }
            pair("Coupon", masked)
            if let balance = receipt.balanceAfter {
                // An expired coupon's balance was just taken by the expiry: not "unchanged".
                let label = receipt.reasonCode == "expired" ? "Balance after expiry" : "Balance (unchanged)"
                pair(label, balance.formatted, bold: true)
            }
            wrapped("Nothing was charged to the coupon.")
        }
        if let stale = receipt.staleState {
            wrapped(
                "The phone showed an older balance (state \(stale)); the provider's balance was used.")
        }
        if let state = receipt.phoneState, receipt.offline != true {
            wrapped("A new balance (state \(state)) is on its way to the phone.")
        }
        if let state = receipt.phoneState, receipt.offline == true {
            wrapped("Sold on the phone's balance, state \(state).")
        }
        rows.append(.rule)
        if let id = receipt.settlementID { labelled("Settlement", id) }
        if let link = receipt.balanceLink {
            rows.append(.qr(link))
            center("Scan for the balance (read-only)", bold: false)
        }
        if receipt.kind == .paid { center("PAID", bold: true) }
    }

    /// The coupon as the receipt shows it: `****` and its last four characters. (Not `…`: a
    /// printer in Chinese mode prints U+2026 two columns wide, which the layout cannot know.)
    private var masked: String { "****" + couponLastFour }
    private let couponLastFour: String

    /// `label token` on one line when it fits, else the label alone and the token on the next
    /// lines, broken only after a `/`, `.`, `_`, `-`, `?`, `=` or `&` (``DisplayWidth/wrapToken``).
    private mutating func labelled(_ label: String, _ token: String) {
        let token = Self.printable(token)
        if DisplayWidth.of(label) + 1 + DisplayWidth.of(token) <= width {
            rows.append(.text(label + " " + token, align: .left, bold: false))
            return
        }
        rows.append(.text(label, align: .left, bold: false))
        for line in DisplayWidth.wrapToken(token, columns: width) {
            rows.append(.text(line, align: .left, bold: false))
        }
    }

    private mutating func center(_ text: String, bold: Bool) {
        for line in DisplayWidth.wrap(Self.printable(text), columns: width) {
            rows.append(.text(line, align: .center, bold: bold))
        }
    }

    private mutating func wrapped(_ text: String) {
        for line in DisplayWidth.wrap(Self.printable(text), columns: width) {
            rows.append(.text(line, align: .left, bold: false))
        }
    }

    /// `left` and `right` on one line, `right` flush with the edge; on two lines when they do not fit.
    private mutating func pair(_ left: String, _ right: String, bold: Bool = false) {
        let left = Self.printable(left)
        let right = Self.printable(right)
        let gap = width - DisplayWidth.of(left) - DisplayWidth.of(right)
        if gap >= 1 {
            rows.append(.text(left + String(repeating: " ", count: gap) + right, align: .left, bold: bold))
        } else {
            for line in DisplayWidth.wrap(left, columns: width) { rows.append(.text(line, align: .left, bold: bold)) }
            let pad = max(0, width - DisplayWidth.of(right))
            rows.append(.text(String(repeating: " ", count: pad) + right, align: .left, bold: bold))
        }
    }

    /// `text` without control characters, so a product name cannot send printer commands or break
    /// the layout.
    static func printable(_ text: String) -> String {
        var scalars = String.UnicodeScalarView()
        for scalar in text.unicodeScalars {
            let v = scalar.value
            if v < 0x20 || (0x7F..<0xA0).contains(v) || v == 0x2028 || v == 0x2029 || (0x202A...0x202E).contains(v)
                || (0x2066...0x2069).contains(v)
            {
                scalars.append(" ")
            } else {
                scalars.append(scalar)
            }
        }
        return String(scalars)
    }

    /// The receipt as plain text, one line per row; the QR as its link.
    public var text: String {
        var out = ""
        for row in rows {
            switch row {
            case .text(let line, let align, _):
                if align == .center {
                    out += String(repeating: " ", count: max(0, (width - DisplayWidth.of(line)) / 2))
                }
                out += line + "\n"
            case .rule:
                out += String(repeating: "-", count: width) + "\n"
            case .qr(let link):
                for line in DisplayWidth.wrapToken(link, columns: width) { out += line + "\n" }
            }
        }
        return out
    }
}
