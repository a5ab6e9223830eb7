import CouponCore
import CouponStore
import Logging
import ServiceLifecycle

/// Releases holds that were neither captured nor voided in time, expires coupons past their
/// expiry (their balance is breakage), erases phone numbers past their retention, and forgets idempotency keys
/// after 48 hours (they are promised for at least 24), every `interval`, until the server shuts down.
struct HoldExpiryService<Store: CouponStore>: Service {
    let store: Store
    let clock: @Sendable () -> Instant
    let interval: Duration
    /// Seconds a phone number outlives its coupon's spending or expiry.
    let phoneRetention: Int64
    let logger: Logger

    func run() async throws {
        while !Task.isShuttingDownGracefully, !Task.isCancelled {
            do {
                let now = clock()
                let released = try await store.releaseExpiredHolds(now: now)
                if released > 0 { logger.info("released expired holds", metadata: ["count": "\(released)"]) }
                let expired = try await store.expireCoupons(now: now)
                if expired > 0 { logger.info("expired coupons", metadata: ["count": "\(expired)"]) }
                let forgotten = try await store.forgetPhones(
                    spentOrExpiredBefore: Instant(secondsSince1970: now.secondsSince1970 - phoneRetention), now: now)
                if forgotten > 0 {
                    logger.info("erased phone numbers past retention", metadata: ["count": "\(forgotten)"])
                }
                _ = try await store.purgeIdempotencyKeys(
                    before: Instant(secondsSince1970: now.secondsSince1970 - 48 * 3600))
            } catch {
                logger.error("hold expiry sweep failed", metadata: ["error": "\(error)"])
            }
            try? await cancelWhenGracefulShutdown { try await Task.sleep(for: interval) }
        }
    }
}
