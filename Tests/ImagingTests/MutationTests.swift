import Imaging
import Testing

/// A seeded mutation run over small valid files of every format: each corrupted input must either
/// decode or throw an ``ImageReadError`` — never crash, hang or allocate without bound.
@Suite("Corrupted inputs never crash the readers")
struct MutationTests {
    /// A small deterministic generator (SplitMix64), so a failure can be replayed.
    struct SplitMix: RandomNumberGenerator {
        var state: UInt64
        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
    }

    static func seeds() -> [(String, [UInt8])] {
        let y4m = Array("YUV4MPEG2 W8 H6 F30:1 Ip A1:1 C420jpeg\nFRAME\n".utf8) + [UInt8](repeating: 90, count: 48 + 24)
        return [
            ("png", bytes(of: fixture("rgb8-interlaced.png"))),
            ("png16", bytes(of: fixture("gray16.png"))),
            ("jpeg", bytes(of: fixture("tiny-baseline.jpg"))),
            ("jpeg-progressive", bytes(of: fixture("tiny-progressive.jpg"))),
            ("pnm", Array("P6\n5 4\n255\n".utf8) + [UInt8](repeating: 77, count: 60)),
            ("y4m", y4m),
        ]
    }

    static func mutate(_ seed: [UInt8], _ rng: inout SplitMix) -> [UInt8] {
        var data = seed
        for _ in 0..<Int.random(in: 1...4, using: &rng) {
            switch Int.random(in: 0..<6, using: &rng) {
            case 0:  // flip bits
                let i = Int.random(in: 0..<data.count, using: &rng)
                data[i] ^= UInt8.random(in: 1...255, using: &rng)
            case 1:  // truncate
                data = Array(data.prefix(Int.random(in: 0..<data.count, using: &rng)))
            case 2:  // insert random bytes
                let i = Int.random(in: 0...data.count, using: &rng)
                data.insert(
                    contentsOf: (0..<Int.random(in: 1...16, using: &rng)).map { _ in
                        UInt8.random(in: 0...255, using: &rng)
                    }, at: i)
            case 3:  // delete a run
                let i = Int.random(in: 0..<data.count, using: &rng)
                data.removeSubrange(i..<min(data.count, i + Int.random(in: 1...16, using: &rng)))
            case 4:  // extreme values in the header region, where sizes live
                let i = Int.random(in: 0..<min(data.count, 48), using: &rng)
                data[i] = [0x00, 0xFF, 0x7F, 0x80].randomElement(using: &rng)!
            default:  // duplicate a chunk
                let i = Int.random(in: 0..<data.count, using: &rng)
                data.insert(
                    contentsOf: data[i..<min(data.count, i + 32)], at: Int.random(in: 0...data.count, using: &rng))
            }
            if data.isEmpty { break }
        }
        return data
    }

    @Test("100,000 mutated PNG, JPEG, PNM and Y4M inputs decode or fail with a typed error")
    func mutations() {
        let seeds = Self.seeds()
        let perSeed = 100_000 / seeds.count + 1
        var decoded = 0, rejected = 0
        for (name, seed) in seeds {
            #expect(!seed.isEmpty)
            // The seed itself is valid.
            #expect((try? ImageReader.decode(seed, source: name)) != nil, "\(name) seed")
            var rng = SplitMix(state: UInt64(seed.count) &* 7919)
            for _ in 0..<perSeed {
                let input = Self.mutate(seed, &rng)
                do {
                    let image = try ImageReader.decode(input, source: name)
                    #expect(image.pixels.count == image.width * image.height)
                    decoded += 1
                } catch {
                    #expect(!error.description.isEmpty)
                    rejected += 1
                }
            }
        }
        #expect(decoded + rejected >= 100_000)
        // Both outcomes occur: the mutations are neither all harmless nor all fatal.
        #expect(decoded > 1000 && rejected > 1000)
    }
}
