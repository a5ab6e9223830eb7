import CouponCore
import CouponStore
import Logging
import ServiceLifecycle

/// Releases holds that were neither captured nor voided in time, every `interval` seconds, until
/// the server shuts down.
struct HoldExpiryService<Store: CouponStore>: Service {
    let store: Store
    let clock: @Sendable () -> Instant
    let interval: Duration
    let logger: Logger

    func run() async throws {
        while !Task.isShuttingDownGracefully, !Task.isCancelled {
            do {
                let released = try await store.releaseExpiredHolds(now: clock())
                if released > 0 { logger.info("released expired holds", metadata: ["count": "\(released)"]) }
            } catch {
                logger.error("hold expiry sweep failed", metadata: ["error": "\(error)"])
            }
            try? await cancelWhenGracefulShutdown { try await Task.sleep(for: interval) }
        }
    }
}
