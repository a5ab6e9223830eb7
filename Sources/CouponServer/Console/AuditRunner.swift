import CouponStore
import Foundation

/// The console's audit, run in the background: it reads every coupon and its ledger, which takes
/// time on a large database, so a page shows the latest finished run (with when it ran and how
/// long it took) and never waits for one. A run starts when there is none yet, when the latest
/// is older than `staleAfter`, or when an admin asks.
actor AuditRunner {
    struct Run: Sendable {
        var findings: [AuditFinding]
        var shortfalls: [ShortfallRecord]
        var finishedAt: Date
        var seconds: Double
    }

    static let staleAfter: TimeInterval = 10 * 60

    private(set) var latest: Run?
    private(set) var failure: String?
    private var running: Task<Void, Never>?

    var isRunning: Bool { running != nil }

    /// Starts a run unless one is going; with `ifStale`, only when the latest is missing or old.
    func start(store: some CouponStore, ifStale: Bool) {
        guard running == nil else { return }
        if ifStale, let latest, Date().timeIntervalSince(latest.finishedAt) < Self.staleAfter { return }
        running = Task {
            let clock = ContinuousClock()
            let began = clock.now
            do {
                let findings = try await store.audit()
                let shortfalls = try await store.offlineShortfalls()
                let elapsed = clock.now - began
                let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
                self.finish(Run(findings: findings, shortfalls: shortfalls, finishedAt: Date(), seconds: seconds), failure: nil)
            } catch {
                self.finish(nil, failure: "\(error)")
            }
        }
    }

    private func finish(_ run: Run?, failure: String?) {
        if let run { latest = run }
        self.failure = failure
        running = nil
    }

    /// Waits for the run going now, if any (tests).
    func wait() async {
        await running?.value
    }
}
