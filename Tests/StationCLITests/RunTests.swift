import Foundation
import Testing

@Suite("coupon-station run: a live till over a video stream and over scanner lines", .serialized)
struct RunTests {
    static let cake = "samples/photos/zxing/ean13-1/1.png"  // 8413000065504, 100.00
    static let candles = "samples/photos/zxing/ean13-1/3.png"  // 8480000823274, 6.00

    /// The lines of a receipt from its first rule to the TOTAL line: the priced basket.
    static func basket(_ receipt: String) -> [String] {
        let lines = receipt.split(separator: "\n").map(String.init)
        guard let start = lines.firstIndex(where: { $0.hasPrefix("---") }),
            let end = lines.firstIndex(where: { $0.hasPrefix("TOTAL") })
        else { return [] }
        return Array(lines[start...end])
    }

    @Test("a Y4M clip of products and the phone gives exactly the basket, one settlement, one receipt")
    func frames() async throws {
        let server = try await LiveServer()
        let coupon = try await server.issue(30000)
        let photo = try await SettleTests.phonePhoto(coupon.payload, in: server.folder)
        let clip = server.folder.appendingPathComponent("clip.y4m")
        // The cake passes twice (two cakes), the candles once, each held 1.5 s at 15 frames/s with noise.
        let made = try run(
            "coupon-bench", ["clip", clip.path, Self.cake, Self.candles, Self.cake, photo, "--noise", "10"])
        #expect(made.status == 0, "\(made.stderr)")
        let journal = server.folder.appendingPathComponent("journal.sqlite")
        let receipt = server.folder.appendingPathComponent("frames.txt")
        let result = try run(
            "coupon-station",
            ["run", "--frames", "-", "--yes", "--bell", "never", "--receipt", receipt.path]
                + server.stationArguments(journal: journal), stdin: try Data(contentsOf: clip))
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stderr.contains("1 settlement(s)"), "\(result.stderr)")
        let text = try String(contentsOf: receipt, encoding: .utf8)
        #expect(
            text.components(separatedBy: "\n").filter { $0.trimmingCharacters(in: .whitespaces) == "PAID" }.count == 1)
        #expect(text.contains("  2 x 100.00"))
        #expect(text.contains("  1 x 6.00"))
        #expect(SettleTests.line("Balance after", in: text)?.hasSuffix("94.00") == true)
        let state = try await server.coupon(coupon.id)
        #expect(state.ledger == ["capture", "hold", "issue"])
        #expect(state.balance == 9400)

        // The same basket typed as a scanner's lines, with AIM identifiers and a command.
        let second = try await server.issue(30000)
        let typed = server.folder.appendingPathComponent("typed.txt")
        let lines =
            "]E08413000065504\r\n]E08480000823274\r\nqty 3\r\n]E08413000065504\r\nundo\r\n8413000065504\r\n]Q1\(second.payload)\r\n"
        let scanned = try run(
            "coupon-station",
            ["run", "--input", "-", "--yes", "--bell", "never", "--receipt", typed.path]
                + server.stationArguments(journal: journal), stdin: Data(lines.utf8))
        #expect(scanned.status == 0, "\(scanned.stderr)")
        let typedText = try String(contentsOf: typed, encoding: .utf8)
        #expect(!Self.basket(text).isEmpty)
        #expect(Self.basket(typedText) == Self.basket(text))
        #expect(try await server.coupon(second.id).balance == 9400)
    }

    @Test("operator commands and mistakes at the till")
    func commands() async throws {
        let server = try await LiveServer()
        let coupon = try await server.issue(30000)
        let journal = server.folder.appendingPathComponent("journal.sqlite")
        let lines =
            [
                coupon.code,  // a coupon before any product: refused
                "qty 0", "undo", "not a code!", "8480000823274", "cancel",  // basket emptied
                "4006381333931",  // a valid EAN-13 the catalogue does not have: not added
                "*2", "8480000823274", coupon.code,  // 12.00 paid
                "reprint",
            ].joined(separator: "\n") + "\n"
        let result = try run(
            "coupon-station",
            ["run", "--input", "-", "--yes", "--bell", "always"] + server.stationArguments(journal: journal),
            stdin: Data(lines.utf8))
        #expect(result.status == 0)
        for message in [
            "ERROR: scan the products before the coupon", "ERROR: a quantity is 1 to 999", "ERROR: the basket is empty",
            "basket cancelled", "next item counts 2", "\u{07}+ 2 x 8480000823274", "\u{07}\u{07}ERROR", "reprinted",
            "ERROR: unknown product 4006381333931: not in the provider's catalogue, not added",
        ] {
            #expect(result.stderr.contains(message), "missing \(message) in \(result.stderr)")
        }
        // The receipt and its reprint on standard output.
        #expect(result.text.components(separatedBy: "  2 x 6.00").count == 3)
        #expect(try await server.coupon(coupon.id).balance == 28800)
    }

    @Test("a camera that is not there, or not a camera, is a clear error (zbar's video API is asked)")
    func camera() throws {
        let folder = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let base = [
            "run", "--server", "http://127.0.0.1:9", "--key", "k", "--yes", "--journal",
            folder.appendingPathComponent("j.sqlite").path,
        ]
        let missing = try run("coupon-station", base + ["--camera", "/dev/video-none"])
        #expect(missing.status == 2)
        #expect(missing.stderr.contains("no camera at /dev/video-none"))
        let file = folder.appendingPathComponent("not-a-camera")
        try Data("x".utf8).write(to: file)
        let notCamera = try run("coupon-station", base + ["--camera", file.path])
        #expect(notCamera.status == 2)
        #expect(notCamera.stderr.contains("cannot use the camera"))
        #expect(notCamera.stderr.contains("zbar_video_open"))
    }
}
