import Foundation
import Testing

@Suite("Ids under attack: with every file descriptor in use, ids stay random and distinct")
struct SecureIDTests {
    @Test("1,000 ids made with descriptors exhausted (setrlimit in a child process) are distinct")
    func exhaustedDescriptors() async throws {
        let result = try await runDetached("coupon-bench", ["ids", "--count", "1000", "--exhaust-descriptors"])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stderr.contains("descriptors held while making ids: "))
        let ids = result.text.split(separator: "\n")
        #expect(ids.count == 1000)
        #expect(Set(ids).count == 1000)
        #expect(
            ids.allSatisfy { $0.hasPrefix("cpn_") && $0.count == 36 },
            "\(ids.filter { !($0.hasPrefix("cpn_") && $0.count == 36) })")
        // No run of zeros such as the constant ids seen with UUID(): cpn_00000000000040008000.
        #expect(!ids.contains { $0.contains("00000000") })
    }
}
