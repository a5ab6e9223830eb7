import Foundation
import Testing

/// A journal that cannot be used stops the checkout with its own exit status (7), never "bad input".
@Suite("Station journal failures")
struct JournalFailureTests {
    @Test("a corrupt journal file and a journal path that is a folder: exit 7, named, nothing charged")
    func unusableJournal() async throws {
        let server = try await LiveServer()
        let coupon = try await server.issue(30000)
        let corrupt = server.folder.appendingPathComponent("corrupt.sqlite")
        try Data(repeating: 0x5A, count: 8192).write(to: corrupt)
        let folder = server.folder.appendingPathComponent("a-folder")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        for journal in [corrupt, folder] {
            let result = try await runDetached(
                "coupon-station",
                ["settle"] + server.stationArguments(journal: journal) + [
                    "--coupon-code", coupon.code, "--item-code", "8480000823274", "--yes",
                ])
            #expect(result.status == 7, "\(journal.lastPathComponent): \(result.stderr)")
            #expect(result.stderr.contains("journal"), "\(result.stderr)")
        }
        let after = try await server.coupon(coupon.id)
        #expect(after.balance == 30000 && after.held == 0 && after.ledger == ["issue"])
    }
}
