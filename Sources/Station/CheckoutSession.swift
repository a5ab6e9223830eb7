import CouponCore

/// The basket being built at a till, from scanned codes and the operator's commands. Pure state:
/// the caller runs the settlement when ``handle(_:)`` answers ``Effect/settle(code:items:)``, and
/// calls ``reset()`` after.
public struct CheckoutSession: Sendable {
    /// The quantity the next product counts as (`qty 3`), back to 1 after it.
    public private(set) var nextQuantity = 1
    /// What each scan added, newest last: the basket is this, merged; `undo` drops the last one.
    private var scans: [BasketLine] = []

    /// The basket: the scans merged by product (``BasketLine/merge(_:)``), in first-seen order.
    /// Every scan was checked as it came, so the merge cannot fail.
    public var lines: [BasketLine] { (try? BasketLine.merge(scans)) ?? scans }

    public enum Effect: Sendable, Equatable {
        case added(BasketLine)
        case removed(BasketLine)
        case quantity(Int)
        case cancelled
        case reprint
        /// `state`: a phone-balance coupon's signed state, read with its code.
        case settle(code: CouponCode, state: String? = nil, items: [BasketLine])
        case error(String)
        case ignored
    }

    public init() {}

    /// One scanned or typed line: a product code, a coupon (its QR link or bare code), or a
    /// command: `qty N` or `*N` (quantity of the next item), `undo` (take back the last scan),
    /// `cancel` (empty the basket), `reprint`. An AIM symbology identifier (`]E0`, `]Q1`, `]C1`)
    /// in front is dropped.
    public mutating func handle(_ raw: String) -> Effect {
        var text = raw.trimmingWhitespace
        if text.hasPrefix("]"), text.count >= 3 { text = String(text.dropFirst(3)) }
        if text.isEmpty { return .ignored }
        let lower = text.lowercased()
        if lower.hasPrefix("qty ") || lower.hasPrefix("*") {
            let number = lower.hasPrefix("*") ? String(lower.dropFirst()) : String(lower.dropFirst(4))
            guard let quantity = Int(number.trimmingWhitespace), (1...999).contains(quantity) else {
                return .error("a quantity is 1 to 999, not '\(number)'")
            }
            nextQuantity = quantity
            return .quantity(quantity)
        }
        switch lower {
        case "undo", "void-line":
            guard let last = scans.popLast() else { return .error("the basket is empty") }
            return .removed(last)
        case "cancel":
            scans.removeAll()
            nextQuantity = 1
            return .cancelled
        case "reprint":
            return .reprint
        default:
            break
        }
        if let code = try? QRPayload.code(from: text) {
            guard !scans.isEmpty else { return .error("scan the products before the coupon") }
            return .settle(code: code, state: QRPayload.state(from: text), items: lines)
        }
        if text.contains("/c#") || text.hasPrefix("http") {
            return .error("this QR is not a coupon of this provider")
        }
        return add(text)
    }

    /// A product code seen by the camera.
    public mutating func add(_ code: String) -> Effect {
        guard (try? ProductCode(code)) != nil else { return .error("'\(code)' is not a product code") }
        let quantity = nextQuantity
        nextQuantity = 1
        let scan = BasketLine(code: code, quantity: quantity)
        do { _ = try BasketLine.merge(scans + [scan]) } catch { return .error("\(error)") }
        scans.append(scan)
        return .added(scan)
    }

    /// Empties the basket after a settlement.
    public mutating func reset() {
        scans.removeAll()
        nextQuantity = 1
    }
}

extension String {
    var trimmingWhitespace: String {
        String(drop(while: \.isWhitespace).reversed().drop(while: \.isWhitespace).reversed())
    }
}
