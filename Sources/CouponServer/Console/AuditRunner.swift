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

/// A campaign's figures sum the ledger of every coupon of the campaign: they are kept a minute
/// per campaign (as the liability chart keeps today's), and the page says when they were summed.
actor CampaignFigures {
    static let keepFor: TimeInterval = 60
    static let most = 64
    private var kept: [String: (at: Date, rows: [CampaignReport])] = [:]

    func rows(_ name: String, store: some CouponStore) async throws -> (at: Date, rows: [CampaignReport]) {
        if let known = kept[name], Date().timeIntervalSince(known.at) < Self.keepFor { return known }
        let fresh = (at: Date(), rows: try await store.campaign(name))
        if kept.count >= Self.most, let oldest = kept.min(by: { $0.value.at < $1.value.at })?.key {
            kept[oldest] = nil
        }
        kept[name] = fresh
        return fresh
    }
}
