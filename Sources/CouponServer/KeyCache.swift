import CouponCore
import Foundation
import Synchronization

/// Recently seen API keys and their principals, for a few seconds, so a busy station's requests
/// do not each read the key table. Revoking a key through this server clears the cache at once;
/// the short lifetime bounds how long any other change takes to be seen.
final class KeyCache: Sendable {
    private struct Entry {
        var principal: Principal
        var until: Double
    }

    private let entries = Mutex([String: Entry]())
    private let seconds: Double

    init(seconds: Double = 5) { self.seconds = seconds }

    func principal(forKey key: String) -> Principal? {
        let now = Date().timeIntervalSince1970
        return entries.withLock { entries in
            guard let entry = entries[key], entry.until > now else { return nil }
            return entry.principal
        }
    }

    func remember(_ principal: Principal, forKey key: String) {
        let until = Date().timeIntervalSince1970 + seconds
        entries.withLock { entries in
            if entries.count > 10_000 { entries.removeAll() }
            entries[key] = Entry(principal: principal, until: until)
        }
    }

    func clear() { entries.withLock { $0.removeAll() } }
}
