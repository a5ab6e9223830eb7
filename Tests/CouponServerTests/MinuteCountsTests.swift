import Synchronization
import Testing

@testable import CouponServer

@Suite("Rate-limit counts over the current and the previous minute")
struct MinuteCountsTests {
    @Test("a count survives one minute's turn and is gone after two")
    func minuteTurns() {
        let seconds = Mutex<Int64>(1_800_000_050)
        let counts = MinuteCounts(clock: { seconds.withLock { $0 } })
        for _ in 0..<5 { counts.add("address:10.0.0.1") }
        #expect(counts.count("address:10.0.0.1") == 5)
        seconds.withLock { $0 += 20 }  // the next minute: the last one still counts
        #expect(counts.count("address:10.0.0.1") == 5)
        #expect(counts.add("address:10.0.0.1") == 6)
        seconds.withLock { $0 += 60 }  // two turns after the first five: only the sixth is left
        #expect(counts.count("address:10.0.0.1") == 1)
        seconds.withLock { $0 += 180 }
        #expect(counts.count("address:10.0.0.1") == 0)
        #expect(counts.count("address:10.0.0.2") == 0)
    }
}
