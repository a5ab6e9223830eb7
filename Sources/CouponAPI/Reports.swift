// The request and response bodies of docs/api.md; docs/openapi.yaml names each one.

/// A coupon whose balance does not follow from its ledger, or whose held amount is not its open holds.
public struct Finding: Codable, Sendable, Equatable {
    public var couponID: String
    /// The stored balance and held amount, and what the ledger and the open holds sum to.
    public var stored, held: Int64
    public var fromLedger, openHolds: Int128

    enum CodingKeys: String, CodingKey {
        case couponID = "coupon_id"
        case stored
        case fromLedger = "from_ledger"
        case held
        case openHolds = "open_holds"
    }

    public init(couponID: String, stored: Int64, fromLedger: Int128, held: Int64, openHolds: Int128) {
        self.couponID = couponID
        self.stored = stored
        self.fromLedger = fromLedger
        self.held = held
        self.openHolds = openHolds
    }
}

/// `GET /v1/audit`.
public struct Audit: Codable, Sendable, Equatable {
    public var ok: Bool
    public var findings: [Finding]
    /// The `offline_shortfall` lines, each explained: which forwarded offline sale the coupon's
    /// balance could not cover, at which station. They change no balance, so they are no finding.
    public var shortfalls: [Shortfall]

    public init(ok: Bool, findings: [Finding], shortfalls: [Shortfall] = []) {
        self.ok = ok
        self.findings = findings
        self.shortfalls = shortfalls
    }
}

/// A forwarded offline sale that its coupon's balance could not cover in full.
public struct Shortfall: Codable, Sendable, Equatable {
    public var couponID: String
    public var settlementID: String
    public var station: String
    public var amount: Amount
    /// The coupon's state now (`blocked` until the operator has reviewed it).
    public var state: String
    public var at: String

    enum CodingKeys: String, CodingKey {
        case station, amount, state, at
        case couponID = "coupon_id"
        case settlementID = "settlement_id"
    }

    public init(couponID: String, settlementID: String, station: String, amount: Amount, state: String, at: String) {
        self.couponID = couponID
        self.settlementID = settlementID
        self.station = station
        self.amount = amount
        self.state = state
        self.at = at
    }
}

/// `GET /v1/reports/liability`: outstanding balances per currency.
public struct Liability: Codable, Sendable, Equatable {
    public var asOf: String
    public var outstanding: [Total]

    enum CodingKeys: String, CodingKey {
        case asOf = "as_of"
        case outstanding
    }

    public init(asOf: String, outstanding: [Total]) {
        self.asOf = asOf
        self.outstanding = outstanding
    }
}

/// A campaign's figures in one currency.
public struct CampaignTotals: Codable, Sendable, Equatable {
    public var currency: String
    /// How many coupons the campaign issued in this currency.
    public var coupons: Int
    /// Minor units, summed in 128 bits: issued + loaded + adjusted = redeemed + expired + outstanding;
    /// redeemed is captured less refunded, expired the breakage (balances gone at expiry).
    public var issued, loaded, adjusted, redeemed, expired, outstanding: Int128

    public init(
        currency: String, coupons: Int, issued: Int128, loaded: Int128, adjusted: Int128, redeemed: Int128,
        expired: Int128, outstanding: Int128
    ) {
        self.currency = currency
        self.coupons = coupons
        self.issued = issued
        self.loaded = loaded
        self.adjusted = adjusted
        self.redeemed = redeemed
        self.expired = expired
        self.outstanding = outstanding
    }
}

/// `GET /v1/reports/campaign/{name}`.
public struct Campaign: Codable, Sendable, Equatable {
    public var campaign: String
    public var totals: [CampaignTotals]

    public init(campaign: String, totals: [CampaignTotals]) {
        self.campaign = campaign
        self.totals = totals
    }
}

/// One station's day in one currency.
public struct DailyStation: Codable, Sendable, Equatable {
    public var station: String
    public var currency: String
    /// Settlements captured that day.
    public var settlements: Int
    /// Minor units, summed in 128 bits.
    public var captured, refunded: Int128
    /// Holds released by the station, and holds that expired uncaptured.
    public var voided, expiredHolds: Int
    /// Sales made offline and forwarded that day, and what their coupons could not cover
    /// (`offline_shortfall`, each coupon blocked for review).
    public var offline: Int
    public var shortfall: Int128

    enum CodingKeys: String, CodingKey {
        case station
        case currency
        case settlements
        case captured
        case refunded
        case voided
        case expiredHolds = "expired_holds"
        case offline
        case shortfall
    }

    public init(
        station: String, currency: String, settlements: Int, captured: Int128, refunded: Int128, voided: Int,
        expiredHolds: Int, offline: Int = 0, shortfall: Int128 = 0
    ) {
        self.offline = offline
        self.shortfall = shortfall
        self.station = station
        self.currency = currency
        self.settlements = settlements
        self.captured = captured
        self.refunded = refunded
        self.voided = voided
        self.expiredHolds = expiredHolds
    }
}

/// `GET /v1/reports/daily`.
public struct Daily: Codable, Sendable, Equatable {
    public var date: String
    public var stations: [DailyStation]

    public init(date: String, stations: [DailyStation]) {
        self.date = date
        self.stations = stations
    }
}

/// One ledger line for bookkeeping.
public struct ExportEntry: Codable, Sendable, Equatable {
    /// The ledger's sequence number: pass the last as `after` for the next page.
    public var seq: Int64
    public var at: String
    public var couponID, kind, actor: String
    public var amount, balanceBefore, balanceAfter: Amount
    public var settlementID: String?

    enum CodingKeys: String, CodingKey {
        case seq
        case at
        case couponID = "coupon_id"
        case kind
        case amount
        case balanceBefore = "balance_before"
        case balanceAfter = "balance_after"
        case actor
        case settlementID = "settlement_id"
    }

    public init(
        seq: Int64, at: String, couponID: String, kind: String, amount: Amount, balanceBefore: Amount,
        balanceAfter: Amount, actor: String, settlementID: String? = nil
    ) {
        self.seq = seq
        self.at = at
        self.couponID = couponID
        self.kind = kind
        self.amount = amount
        self.balanceBefore = balanceBefore
        self.balanceAfter = balanceAfter
        self.actor = actor
        self.settlementID = settlementID
    }
}

/// `GET /v1/export`: a page; `next` is the `after` of the next page, an opaque cursor as
/// `GET /v1/products` gives (today the last line's `seq`, in digits).
public struct Export: Codable, Sendable, Equatable {
    public var entries: [ExportEntry]
    public var next: String?

    public init(entries: [ExportEntry], next: String? = nil) {
        self.entries = entries
        self.next = next
    }
}
