import CouponCore
import Foundation
import Testing

@testable import CouponServer

@Suite("Instants written as ISO 8601 text")
struct InstantTextTests {
    /// One formatter for the whole test (making one is what is slow).
    nonisolated(unsafe) static let formatter: ISO8601DateFormatter = {
        let formatter = ISO8601DateFormatter()
        formatter.timeZone = TimeZone(identifier: "UTC")
        return formatter
    }()

    static func foundation(_ seconds: Int64) -> String {
        formatter.string(from: Date(timeIntervalSince1970: TimeInterval(seconds)))
    }

    @Test("the integer calendar writes what Foundation writes: edges of days, months, leap years, and 20,000 random instants")
    func sameAsFoundation() {
        let edges: [Int64] = [
            0, 59, 86_399, 86_400, 951_782_400, 951_868_799, 951_868_800,  // 2000-02-29 and the next day
            4_107_542_399, 4_107_542_400,  // 2100-02-28 23:59:59, 2100-03-01 (2100 is no leap year)
            1_800_000_000, 253_402_300_799,  // 9999-12-31T23:59:59Z
            -1, -86_400, -86_401, -2_208_988_800,  // before 1970: 1900-01-01
        ]
        for seconds in edges {
            #expect(Instant(secondsSince1970: seconds).iso8601 == Self.foundation(seconds), "\(seconds)")
        }
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<20_000 {
            let seconds = Int64.random(in: -2_208_988_800...253_402_300_799, using: &generator)
            #expect(Instant(secondsSince1970: seconds).iso8601 == Self.foundation(seconds), "\(seconds)")
        }
        // Outside the years 0 to 9999 Foundation writes it, and it reads back.
        let far = Instant(secondsSince1970: 253_402_300_800)
        #expect(far.iso8601 == Self.foundation(253_402_300_800))
        #expect(Instant(iso8601: Instant(secondsSince1970: 1_800_000_000).iso8601)?.secondsSince1970 == 1_800_000_000)
    }
}
