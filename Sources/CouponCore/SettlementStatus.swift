/// Where a settlement is in its two-phase life.
public enum SettlementStatus: String, Sendable, Codable, CaseIterable {
    /// The amount is held on the coupon, waiting for capture or void.
    case held
    /// Charged.
    case captured
    /// The hold was released by the station.
    case voided
    /// The hold was not captured in time and was released.
    case expired
    case partiallyRefunded = "partially_refunded"
    case refunded
}

/// Why a capture, void or refund could not be done.
public enum SettlementError: Error, Sendable, Equatable, CustomStringConvertible {
    case notFound
    /// Only a held settlement can be captured or voided; this one is in another state.
    case notHeld(SettlementStatus)
    /// The hold ran out before the capture; nothing was charged.
    case holdExpired
    /// A capture may take at most what was held.
    case exceedsHold(held: Money, requested: Money)
    /// Another station's settlement.
    case otherStation

    /// The stable machine code of the API.
    public var code: String {
        switch self {
        case .notFound: "settlement_not_found"
        case .notHeld: "settlement_not_held"
        case .holdExpired: "hold_expired"
        case .exceedsHold: "capture_exceeds_hold"
        case .otherStation: "forbidden"
        }
    }

    public var description: String {
        switch self {
        case .notFound: "no such settlement"
        case .notHeld(let status): "the settlement is \(status.rawValue), not held"
        case .holdExpired: "the hold expired before capture; nothing was charged"
        case .exceedsHold(let held, let requested): "cannot capture \(requested): only \(held) is held"
        case .otherStation: "the settlement belongs to another station"
        }
    }
}
