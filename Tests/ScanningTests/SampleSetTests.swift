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
        let floors: [Symbology: Int] = [.qr: 114, .ean13: 80, .upca: 76, .upce: 34, .ean8: 5, .code128: 27]
        for (symbology, floor) in floors {
            #expect(tally.read[symbology, default: 0] >= floor, "\(symbology.manifestName)")
        }
        #expect(tally.readTotal >= 336)
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
