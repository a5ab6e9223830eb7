import Foundation
import Imaging
import SampleSets
import Scanning
import Testing

/// Decodes every sample photo and holds the pipeline to the counts measured when it was tuned
/// (docs/benchmarks.md), so a change that reads fewer fails here. Timings live in the benchmark.
@Suite("Sample photo sets", .serialized)
struct SampleSetTests {
    struct Tally {
        var read: [Symbology: Int] = [:]
        var total = 0
        var readTotal = 0
        var wrong: [String] = []
        var hardRead = 0
    }

    static func run(_ set: String) throws -> Tally {
        let entries = try SampleManifest.load(directory: samplesPath(set))
        let pipeline = DecodePipeline()
        var tally = Tally()
        for entry in entries {
            let image = try ImageReader.read(path: entry.path)
            let score = SampleScore(entry: entry, symbols: try pipeline.decode(image).symbols)
            tally.total += 1
            if score.outcome == .correct {
                tally.read[entry.symbology, default: 0] += 1
                tally.readTotal += 1
                if entry.difficulty == "hard" { tally.hardRead += 1 }
            }
            tally.wrong += score.wrong.map { "\(entry.name): \($0.symbology.zbarName):\($0.text)" }
        }
        return tally
    }

    @Test("the ZXing photo corpus: reads per symbology at least as measured, at most 2 wrong values, none on QR")
    func corpus() throws {
        let tally = try Self.run("photos")
        #expect(tally.total == 382)
        let floors: [Symbology: Int] = [.qr: 114, .ean13: 80, .upca: 81, .upce: 34, .ean8: 5, .code128: 27]
        for (symbology, floor) in floors {
            #expect(tally.read[symbology, default: 0] >= floor, "\(symbology.manifestName)")
        }
        #expect(tally.readTotal >= 341)
        #expect(tally.wrong.count <= 2, "\(tally.wrong)")
        #expect(!tally.wrong.contains { $0.contains("QR-Code:") }, "\(tally.wrong)")
    }

    @Test("simulated phone screens: reads at least as measured, no wrong values")
    func screens() throws {
        let tally = try Self.run("screens")
        #expect(tally.total == 150)
        #expect(tally.readTotal >= 146)
        #expect(tally.hardRead >= 26)
        #expect(tally.wrong.isEmpty, "\(tally.wrong)")
    }
}

/// The phone-balance coupons' larger codes (a signed state after the code: QR version 9 or 10 at
/// level M) photographed to every recipe of the phone-screen set, at the same share of the frame: the
/// same phones at the same distances, so a denser code has fewer pixels per module. The floors
/// are what the pipeline read when this set was made (docs/scanning.md); the phone-screen set's
/// own proportion (146/150) is not reached on the hard recipes, whose blur is as wide as these
/// modules.
@Suite("Phone-balance coupons off phone screens")
struct PhoneBalanceSetTests {
    @Test("150 phone-balance payloads at the phone-screen set's difficulty mix: reads at least as measured, none wrong")
    func phoneBalanceSet() throws {
        let recipes = try ScreenRecipe.load(directory: samplesPath("screens"))
        let pipeline = DecodePipeline()
        var read: [String: Int] = [:], wrong: [String] = [], versions = Set<Int>()
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("phone-set-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        for index in 0..<150 {
            let sample = try PhoneBalanceSet.sample(index: index, recipes: recipes)
            versions.insert(sample.version)
            // Through JPEG at the recipe's quality, as a camera delivers it.
            let path = folder.appendingPathComponent(sample.name + ".jpg").path
            try Data(try JPEGWriter.encode(sample.photo, quality: sample.quality)).write(to: URL(fileURLWithPath: path))
            let symbols = try pipeline.decode(try ImageReader.read(path: path)).symbols
            if symbols.contains(where: { $0.text == sample.payload }) { read[sample.difficulty, default: 0] += 1 }
            wrong += symbols.filter { $0.symbology == .qr && $0.text != sample.payload }.map { "\(sample.name): \($0.text)" }
        }
        #expect(versions.allSatisfy { $0 <= 10 }, "QR versions \(versions)")
        #expect(wrong.isEmpty, "\(wrong)")
        #expect(read["easy", default: 0] >= 60 && read["medium", default: 0] >= 59, "\(read)")
        #expect(read.values.reduce(0, +) >= 131, "\(read)")
    }
}
