import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// Fault injection for the crash tests: `COUPON_STATION_CRASH_AT=sending|held|confirmed|captured`
/// kills the process with SIGKILL right after that step is journalled (``Checkout/afterStep``).
enum CrashPoint {
    static let hook: @Sendable (String) -> Void = { step in
        guard ProcessInfo.processInfo.environment["COUPON_STATION_CRASH_AT"] == step else { return }
        kill(getpid(), SIGKILL)
    }
}
