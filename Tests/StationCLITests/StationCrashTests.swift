import Foundation
import Testing

@Suite("Killing the station at each step never charges twice or without a receipt", .serialized)
struct StationCrashTests {
    /// (step killed after, what recovery prints, ledger newest first, balance after).
    static let cases: [(String, String, [String], Int)] = [
        ("sending", "NOT PAID", ["issue"], 30000),
        ("held", "NOT PAID", ["release", "hold", "issue"], 30000),
        ("confirmed", "PAID", ["capture", "hold", "issue"], 20000),
        ("captured", "PAID", ["capture", "hold", "issue"], 20000),
    ]

    @Test("kill after the step, restart, recover", arguments: 0..<4)
    func killAndRecover(index: Int) async throws {
        let (step, printed, ledger, balance) = Self.cases[index]
        let server = try await LiveServer()
        let coupon = try await server.issue(30000)
        let journal = server.folder.appendingPathComponent("journal.sqlite")
        let receipt = server.folder.appendingPathComponent("receipt.txt")
        // The test's harness: coupon-station's commands with SIGKILL injected after `step`.
        let killed = try await runDetached(
            "station-crash",
            [step, "settle"] + server.stationArguments(journal: journal) + [
                "--coupon-code", coupon.code, "--item-code", "8413000065504", "--yes", "--receipt", receipt.path,
            ])
        #expect(killed.status == 9, "the station was to die by SIGKILL after \(step): \(killed.stderr)")
        #expect(!FileManager.default.fileExists(atPath: receipt.path), "nothing is printed before the crash")

        let recovered = try await runDetached(
            "coupon-station", ["recover"] + server.stationArguments(journal: journal) + ["--receipt", receipt.path])
        #expect(recovered.status == 0, "\(recovered.stderr)")
        let text = try String(contentsOf: receipt, encoding: .utf8)
        #expect(
            text.components(separatedBy: "\n").filter { $0.trimmingCharacters(in: .whitespaces) == printed }.count == 1)
        if printed == "PAID" { #expect(text.contains("200.00")) }
        var state = try await server.coupon(coupon.id)
        #expect(state.ledger == ledger)
        #expect(state.balance == balance)
        #expect(state.held == 0)

        // A second restart finds nothing to do and changes nothing.
        let again = try await runDetached(
            "coupon-station", ["recover"] + server.stationArguments(journal: journal) + ["--receipt", receipt.path])
        #expect(again.status == 0)
        #expect(try String(contentsOf: receipt, encoding: .utf8) == text)
        state = try await server.coupon(coupon.id)
        #expect(state.ledger == ledger)
        // The receipt stays in the journal for a reprint.
        let copy = try await runDetached(
            "coupon-station", ["reprint", "--last"] + server.stationArguments(journal: journal))
        #expect(copy.status == 0)
        #expect(copy.text == text)
    }
}
