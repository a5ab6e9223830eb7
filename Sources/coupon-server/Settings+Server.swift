import ArgumentParser
import CouponCore
import CouponServer
import NIOCore

extension Limits {
    /// `COUPON_MAX_BALANCE`, `COUPON_MAX_PRICE` (minor units), `COUPON_MAX_BATCH`, `COUPON_MAX_BODY`,
    /// `COUPON_MAX_BASKET_BODY`, `COUPON_MAX_BULK_BODY` (bytes), then checked.
    mutating func read(_ values: [String: String]) throws {
        func number<T: FixedWidthInteger>(_ key: String, _ target: inout T) throws {
            guard let text = values[key] else { return }
            guard let value = T(text) else { throw ValidationError("\(key) must be a whole number, not '\(text)'") }
            target = value
        }
        try number("COUPON_MAX_BALANCE", &maxBalance)
        try number("COUPON_MAX_PRICE", &maxPrice)
        try number("COUPON_MAX_BATCH", &maxBatch)
        try number("COUPON_MAX_BODY", &maxBody)
        try number("COUPON_MAX_BASKET_BODY", &maxBasketBody)
        try number("COUPON_MAX_BULK_BODY", &maxBulkBody)
        do { try validate() } catch { throw ValidationError(error.description) }
    }
}

extension ConnectionLimits {
    /// `COUPON_HEADER_TIMEOUT`, `COUPON_IDLE_TIMEOUT` (seconds), `COUPON_MAX_PENDING_CONNECTIONS`,
    /// `COUPON_MAX_CONNECTIONS`, `COUPON_DESCRIPTOR_RESERVE`.
    mutating func read(_ values: [String: String]) throws {
        func number(_ key: String, _ range: ClosedRange<Int>) throws -> Int? {
            guard let text = values[key] else { return nil }
            guard let value = Int(text), range.contains(value) else {
                throw ValidationError("\(key) must be a whole number from \(range.lowerBound) to \(range.upperBound)")
            }
            return value
        }
        if let seconds = try number("COUPON_HEADER_TIMEOUT", 1...600) { headerTimeout = .seconds(Int64(seconds)) }
        if let seconds = try number("COUPON_IDLE_TIMEOUT", 1...3600) { idleTimeout = .seconds(Int64(seconds)) }
        if let count = try number("COUPON_MAX_PENDING_CONNECTIONS", 8...1_000_000) { maxPending = count }
        if let count = try number("COUPON_MAX_CONNECTIONS", 16...1_000_000) { maxConnections = count }
        if let count = try number("COUPON_DESCRIPTOR_RESERVE", 32...100_000) { descriptorReserve = count }
    }
}
