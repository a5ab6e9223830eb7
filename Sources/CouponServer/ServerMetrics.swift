import Foundation
import Synchronization

/// The server's Prometheus metrics: settlements by result and reason, and their durations. Labels
/// are fixed words and API codes, never codes, keys or ids.
public final class ServerMetrics: Sendable {
    private struct State {
        var settlements: [String: Int] = [:]
        var buckets = [Int](repeating: 0, count: ServerMetrics.bounds.count)
        var count = 0
        var sum = 0.0
    }

    static let bounds = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5]
    private let state = Mutex(State())

    public init() {}

    /// One settlement request: `result` is approved, declined, rejected or replayed; `reason` an API code or "".
    func record(result: String, reason: String, seconds: Double) {
        state.withLock { state in
            state.settlements["result=\"\(result)\",reason=\"\(reason)\"", default: 0] += 1
            for (index, bound) in Self.bounds.enumerated() where seconds <= bound { state.buckets[index] += 1 }
            state.count += 1
            state.sum += seconds
        }
    }

    /// The Prometheus text exposition, with the gauges read from the store by the caller.
    func render(holdsOpen: Int, heldAmounts: [String: Int128], liability: [String: Int128], outboxPending: Int = 0)
        -> String
    {
        let state = state.withLock { $0 }
        var out = "# HELP coupon_settlements_total Settlement requests by result and reason.\n"
        out += "# TYPE coupon_settlements_total counter\n"
        for (labels, value) in state.settlements.sorted(by: { $0.key < $1.key }) {
            out += "coupon_settlements_total{\(labels)} \(value)\n"
        }
        out += "# HELP coupon_settlement_duration_seconds Time to answer a settlement request.\n"
        out += "# TYPE coupon_settlement_duration_seconds histogram\n"
        for (index, bound) in Self.bounds.enumerated() {
            out += "coupon_settlement_duration_seconds_bucket{le=\"\(bound)\"} \(state.buckets[index])\n"
        }
        out += "coupon_settlement_duration_seconds_bucket{le=\"+Inf\"} \(state.count)\n"
        out += "coupon_settlement_duration_seconds_sum \(state.sum)\n"
        out += "coupon_settlement_duration_seconds_count \(state.count)\n"
        out += "# HELP coupon_holds_open Settlements held and not yet captured, voided or expired.\n"
        out += "# TYPE coupon_holds_open gauge\ncoupon_holds_open \(holdsOpen)\n"
        out += "# HELP coupon_held_minor_units Amounts held by open holds, in minor units.\n"
        out += "# TYPE coupon_held_minor_units gauge\n"
        for (currency, amount) in heldAmounts.sorted(by: { $0.key < $1.key }) {
            out += "coupon_held_minor_units{currency=\"\(currency)\"} \(amount)\n"
        }
        out += "# HELP coupon_outstanding_liability Outstanding coupon balances, in minor units.\n"
        out += "# TYPE coupon_outstanding_liability gauge\n"
        for (currency, amount) in liability.sorted(by: { $0.key < $1.key }) {
            out += "coupon_outstanding_liability{currency=\"\(currency)\"} \(amount)\n"
        }
        out += "# HELP coupon_outbox_pending Messages for phone-balance coupons' phones not yet delivered.\n"
        out += "# TYPE coupon_outbox_pending gauge\ncoupon_outbox_pending \(outboxPending)\n"
        return out
    }
}
