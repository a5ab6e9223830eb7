import ArgumentParser
import CouponAPI
import CouponClient
import CouponCore
import Foundation
import Imaging
import QRRender
import SampleSets
import Scanning

struct StationBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "station",
        abstract:
            "The station's figures: photo-to-receipt latency, frames per second of run, and wrong basket additions.",
        discussion: """
            Starts the built coupon-server, then measures (1) decode of a simulated phone photo and a product photo, \
            hold and capture over loopback, next to zbarimg decoding the same two photos; (2) the frames per second \
            `coupon-station run --frames` sustains on 640x480 and 1280x720 clips, next to plain zbar on the same \
            frames; (3) a long stream of products and coupons through `run`, counting wrong basket additions.
              swift run -c release coupon-bench station --stream-frames 20000
            """)

    @Option(help: "Settlements timed for the latency figure.") var settlements = 50
    @Option(help: "Frames per clip for the frame-rate figures.") var clipFrames = 300
    @Option(help: "Frames in the long stream (0 skips it; docs/benchmarks.md uses 20000).") var streamFrames = 2_000

    static let cake = "samples/photos/zxing/ean13-1/1.png"  // 8413000065504
    static let candles = "samples/photos/zxing/ean13-1/3.png"  // 8480000823274

    func run() async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("station-bench-\(getpid())")
        defer { try? FileManager.default.removeItem(at: folder) }
        try await BenchServer.run(folder: folder.appendingPathComponent("server")) { server in
            let url = server.url
            let station = try await server.admin.addStation(name: "bench").key
            let catalogue = try String(contentsOfFile: "samples/catalog.csv", encoding: .utf8)
            _ = try await server.admin.importProducts(csv: Array(catalogue.utf8))
            // The default balance limit: 1,000,000.00, enough for 10,000 cakes.
            let coupon = try await server.admin.issue(IssueBody(initial: Amount(amount: 100_000_000, currency: "CNY")))
            let payload = try require(coupon.qrPayload)
            let qr = QRRenderer.image(try QREncoder.encode(text: payload, level: .medium))
            var photo = PhoneScreenPhoto()
            photo.seed = 3
            let phonePath = folder.appendingPathComponent("phone.jpg").path
            try Data(JPEGWriter.encode(photo.render(qr), quality: 80)).write(to: URL(fileURLWithPath: phonePath))

            Self.progress("1/3: photo to receipt, \(settlements) settlements, and zbarimg on the same photos")
            try await latency(server.station(key: station), phonePath: phonePath)
            Self.progress("2/3: frames per second at 640x480 and 1280x720, \(clipFrames) frames each, and plain zbar")
            try frameRates(folder: folder, url: url, station: station, phonePath: phonePath)
            if streamFrames > 0 {
                Self.progress("3/3: a stream of \(streamFrames) frames through coupon-station run")
                try stream(folder: folder, url: url, station: station, phonePath: phonePath)
            }
        }
    }

    /// What the bench is doing now, on standard error (the figures go to standard output).
    static func progress(_ text: String) {
        FileHandle.standardError.write(Data("coupon-bench station \(text)...\n".utf8))
    }

    /// (1) Decode both photos, hold, capture: what the customer waits for at the till.
    func latency(_ client: StationAPI, phonePath: String) async throws {
        let clock = ContinuousClock()
        var times: [Double] = [], decodeTimes: [Double] = []
        for index in 0..<settlements {
            let t0 = clock.now
            let phone = try DecodePipeline(symbologies: [.qr]).decode(try ImageReader.read(path: phonePath)).symbols
            let item = try DecodePipeline(symbologies: [.ean13, .ean8, .upca, .upce, .code128]).decode(
                try ImageReader.read(path: Self.cake)
            ).symbols
            decodeTimes.append((clock.now - t0).milliseconds)
            let code = try QRPayload.code(from: try require(phone.first?.text, "the coupon QR"))
            let held = try await client.hold(
                couponCode: code.value,
                items: [BasketItem(productCode: try require(item.first?.text, "the cake's barcode"), quantity: 1)],
                idempotencyKey: "bench-\(index)-\(SecureID.hex())")
            _ = try await client.capture(settlementID: held.id, idempotencyKey: "bench-capture-\(held.id)")
            times.append((clock.now - t0).milliseconds)
        }
        let peerStart = clock.now
        for _ in 0..<min(settlements, 20) {
            _ = try Child.run("/usr/bin/zbarimg", ["-q", "--raw", phonePath, Self.cake])
        }
        let peer = (clock.now - peerStart).milliseconds / Double(min(settlements, 20))
        let all = Percentiles(times), decode = Percentiles(decodeTimes)
        print(
            "photo to receipt (decode + hold + capture) over \(settlements) settlements: median \(format(all.median)) ms, p95 \(format(all.p95)) ms"
        )
        print("  of which decoding both photos: median \(format(decode.median)) ms, p95 \(format(decode.p95)) ms")
        print(
            "  zbarimg on the same two photos (one process each time): \(format(peer)) ms; ratio of our decode: \(format(decode.median / peer)) x"
        )
    }

    /// (2) Frames per second of `run` on clips of each size, next to plain zbar on the same frames.
    func frameRates(folder: URL, url: String, station: String, phonePath: String) throws {
        let bin = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath().deletingLastPathComponent()
        for (width, height) in [(640, 480), (1280, 720)] {
            let clip = folder.appendingPathComponent("clip-\(width).y4m").path
            // At 15 frames/s with 22 frames in view and 9 between, four images make 124 frames a round.
            let rounds = max(1, clipFrames / 124)
            let made = try Child.run(
                bin.appendingPathComponent("coupon-bench").path,
                [
                    "clip", clip, Self.cake, Self.candles, Self.cake, phonePath, "--width", "\(width)", "--height",
                    "\(height)",
                    "--repeat", "\(rounds)",
                ])
            guard made.status == 0 else { throw ValidationError("clip failed: \(made.stderr)") }
            let result = try Child.run(
                bin.appendingPathComponent("coupon-station").path,
                [
                    "run", "--frames", clip, "--server", url, "--key", station, "--yes", "--bell", "never", "--journal",
                    folder.appendingPathComponent("journal-\(width).sqlite").path, "--receipt",
                    folder.appendingPathComponent("receipts-\(width).txt").path,
                ])
            let summary = result.stderr.split(separator: "\n").first { $0.hasPrefix("decoded ") } ?? "no summary"
            // Plain zbar, one pass per frame, in process.
            let fd = open(clip, O_RDONLY)
            defer { close(fd) }
            let stream = try Y4MStream(fd: fd, source: clip)
            let plain = DecodePipeline.singlePass()
            let clock = ContinuousClock()
            let start = clock.now
            var frames = 0
            while let frame = try stream.nextFrame() {
                _ = try plain.decode(frame)
                frames += 1
            }
            let plainRate = Double(frames) / ((clock.now - start).milliseconds / 1000)
            let ours = Double(summary.split(separator: "(").last?.split(separator: " ").first ?? "") ?? 0
            print(
                "run --frames \(width)x\(height): \(summary); plain zbar \(format(plainRate, 1)) frames/s; ratio \(format(ours / plainRate)) x"
            )
        }
    }

    /// (3) A long stream of products and coupons: every basket addition checked against what passed the camera.
    func stream(folder: URL, url: String, station: String, phonePath: String) throws {
        let bin = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath().deletingLastPathComponent()
        let rounds = max(1, streamFrames / 124 + (streamFrames % 124 == 0 ? 0 : 1))
        let clip = folder.appendingPathComponent("stream.sh")
        let receipts = folder.appendingPathComponent("stream-receipts.txt")
        let script = """
            '\(bin.appendingPathComponent("coupon-bench").path)' clip - '\(Self.cake)' '\(Self.candles)' '\(Self.cake)' \
            '\(phonePath)' --repeat \(rounds) --seed 11 | '\(bin.appendingPathComponent("coupon-station").path)' run \
            --frames - --server '\(url)' --key '\(station)' --yes --bell never --journal \
            '\(folder.appendingPathComponent("journal-stream.sqlite").path)' --receipt '\(receipts.path)'
            """
        try script.write(to: clip, atomically: true, encoding: .utf8)
        let clock = ContinuousClock()
        let start = clock.now
        let result = try Child.run("/bin/sh", [clip.path])
        let seconds = (clock.now - start).milliseconds / 1000
        let lines = result.stderr.split(separator: "\n")
        let additions = lines.filter { $0.hasPrefix("+ ") }.map { String($0.split(separator: " ")[3]) }
        // Each round: cake, candles, cake (the cake counted again after it left the view), then the coupon.
        let expected = Array(repeating: ["8413000065504", "8480000823274", "8413000065504"], count: rounds).flatMap {
            $0
        }
        // Wrong: a code that never passed, or one counted more often than it passed; missed: fewer.
        var expectedCounts: [String: Int] = [:], seen: [String: Int] = [:]
        for code in expected { expectedCounts[code, default: 0] += 1 }
        for code in additions { seen[code, default: 0] += 1 }
        let wrong = seen.reduce(0) { $0 + max(0, $1.value - (expectedCounts[$1.key] ?? 0)) }
        let missed = expectedCounts.reduce(0) { $0 + max(0, $1.value - (seen[$1.key] ?? 0)) }
        let paid = lines.filter { $0.hasPrefix("PAID") }.count
        let summary = lines.first { $0.hasPrefix("decoded ") } ?? ""
        print("stream of \(rounds * 124) frames (640x480): \(summary) in \(format(seconds, 1)) s wall")
        print(
            "  basket additions \(additions.count) of \(expected.count) expected; wrong additions \(wrong); missed \(missed); settlements paid \(paid) of \(rounds)"
        )
    }
}
