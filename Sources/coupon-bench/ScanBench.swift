import ArgumentParser
import Imaging
import SampleSets
import Scanning

struct ScanBench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "scan",
        abstract:
            "Decodes every photo of sample sets with the pipeline and with plain zbar; prints reads, wrong reads and times.",
        discussion: "Each SET is a folder with a MANIFEST.tsv (path, symbology, expected text file).")

    @Argument(help: "Sample set folders.")
    var sets: [String]

    @Flag(help: "List every photo the pipeline missed or read wrong.")
    var failures = false

    @Flag(help: "Count which pass found each read.")
    var passes = false

    @Option(help: "List the N slowest photos with their times.")
    var slowest = 0

    @Option(help: "Print each pass's scans, finds and time for photos whose name contains this.")
    var trace: String?

    @Flag(help: "With --trace, also run every pass on its own and print what it reads.")
    var each = false

    @Option(help: "The pipeline's work budget, in plain scans of the image (default: the pipeline's).")
    var budget: Double?

    @Option(help: "The pipeline's work floor, in scans of a one-megapixel image (default: the pipeline's).")
    var floor: Double?

    @Option(help: "Write one tab-separated line per photo (name, size, times, scans, outcome, pass) to this file.")
    var tsv: String?

    @Option(
        help:
            "Time every image this many rounds over the whole set with each decoder and keep each image's fastest time (a burst of load on a shared machine then spoils one round, not one image's every run)."
    )
    var repeats = 3

    func validate() throws {
        guard repeats >= 1 else { throw ValidationError("--repeats must be at least 1") }
    }

    func run() throws {
        var table = "set\tname\twidth\theight\tpipeline_ms\tzbar_ms\tscans\tpipeline\tzbar\tpass\n"
        defer {
            if let tsv {
                do { try table.write(toFile: tsv, atomically: true, encoding: .utf8) } catch {
                    print("cannot write \(tsv): \(error)")
                }
            }
        }
        for set in sets {
            let entries = try SampleManifest.load(directory: set)
            var ours = DecodePipeline()
            if let budget { ours.workBudget = budget }
            if let floor { ours.workFloor = floor }
            let plain = DecodePipeline.singlePass()
            var rows: [String: (ours: Int, plain: Int, total: Int)] = [:]
            var oursTimes: [Double] = [], plainTimes: [Double] = []
            var oursWrong: [(String, DecodedSymbol)] = [], plainWrong = 0
            var byDifficulty: [String: (Int, Int)] = [:]
            var passCounts: [String: Int] = [:]
            var missed: [String] = []
            var slow: [(Double, Double, String, Int, Int, Int)] = []
            let clock = ContinuousClock()
            let images = try entries.map { try ImageReader.read(path: $0.path) }
            var oursBest = [Double](repeating: .infinity, count: images.count), plainBest = oursBest
            for _ in 0..<repeats {
                for (index, image) in images.enumerated() {
                    oursBest[index] = min(
                        oursBest[index], try clock.measure { _ = try ours.decode(image) }.milliseconds)
                    plainBest[index] = min(
                        plainBest[index], try clock.measure { _ = try plain.decode(image) }.milliseconds)
                }
            }
            for (index, entry) in entries.enumerated() {
                let image = images[index]
                if let trace, entry.name.contains(trace) {
                    let plainTime = try clock.measure { _ = try plain.decode(image) }
                    print(
                        "trace \(entry.name) \(image.width)x\(image.height) zbar \(format(plainTime.milliseconds)) ms")
                    let total = try clock.measure {
                        _ = try ours.decode(image) { pass, scans, found, elapsed in
                            print("  \(pass): \(scans) scans, \(found) found, \(format(elapsed.milliseconds)) ms")
                        }
                    }
                    print("  total \(format(total.milliseconds)) ms")
                    if each {
                        for pass in ours.passes {
                            var alone = DecodePipeline(symbologies: ours.symbologies, passes: [pass])
                            alone.workBudget = 1e9
                            for symbol in try alone.decode(image).symbols {
                                print(
                                    "    alone \(pass.name): \(symbol.symbology.zbarName):\(symbol.text) points \(symbol.outlinePoints) box \(symbol.polygon.map { "\(Int($0.x)),\(Int($0.y))" })"
                                )
                            }
                        }
                    }
                }
                let result = try ours.decode(image), t1 = oursBest[index]
                let baseline = try plain.decode(image), t2 = plainBest[index]
                oursTimes.append(t1)
                slow.append((t1, t2, entry.name, result.passesTried, image.width, image.height))
                plainTimes.append(t2)
                let score = SampleScore(entry: entry, symbols: result.symbols)
                let plainScore = SampleScore(entry: entry, symbols: baseline.symbols)
                let key = entry.symbology.manifestName
                var row = rows[key] ?? (0, 0, 0)
                row.total += 1
                if score.outcome == .correct {
                    row.ours += 1
                    if let pass = result.symbols.first?.pass { passCounts[pass, default: 0] += 1 }
                    if passes, entry.symbology.isLinear {
                        print("  right \(entry.name) points \(result.symbols[0].outlinePoints)")
                    }
                } else {
                    missed.append(entry.name)
                }
                if plainScore.outcome == .correct { row.plain += 1 }
                table +=
                    [
                        set, entry.name, "\(image.width)", "\(image.height)", format(t1), format(t2),
                        "\(result.passesTried)", "\(score.outcome)", "\(plainScore.outcome)",
                        result.symbols.first?.pass ?? "-",
                    ].joined(separator: "\t") + "\n"
                rows[key] = row
                oursWrong += score.wrong.map { (entry.name, $0) }
                plainWrong += plainScore.wrong.count
                if let d = entry.difficulty {
                    var cell = byDifficulty[d] ?? (0, 0)
                    cell.1 += 1
                    if score.outcome == .correct { cell.0 += 1 }
                    byDifficulty[d] = cell
                }
            }
            let o = Percentiles(oursTimes), p = Percentiles(plainTimes)
            print("== \(set): \(entries.count) photos")
            print("symbology   pipeline  zbar-1-pass  total")
            for key in rows.keys.sorted() {
                let r = rows[key]!
                print(
                    key.padding(toLength: 12, withPad: " ", startingAt: 0) + "\(r.ours)".leftPad(8)
                        + "\(r.plain)".leftPad(13) + "\(r.total)".leftPad(7))
            }
            let sumOurs = rows.values.map(\.ours).reduce(0, +), sumPlain = rows.values.map(\.plain).reduce(0, +)
            print(
                "all".padding(toLength: 12, withPad: " ", startingAt: 0) + "\(sumOurs)".leftPad(8)
                    + "\(sumPlain)".leftPad(13) + "\(entries.count)".leftPad(7))
            for (d, cell) in byDifficulty.sorted(by: { $0.key < $1.key }) { print("  \(d): \(cell.0)/\(cell.1)") }
            print("wrong symbols: pipeline \(oursWrong.count), zbar-1-pass \(plainWrong)")
            print(
                "ms per image: pipeline median \(format(o.median)) p95 \(format(o.p95)); zbar-1-pass median \(format(p.median)) p95 \(format(p.p95)); ratio median \(format(o.median / p.median)) p95 \(format(o.p95 / p.p95))"
            )
            for (ours, plain, name, tried, w, h) in slow.sorted(by: { $0.0 > $1.0 }).prefix(slowest) {
                print("  slow \(name) \(w)x\(h): \(format(ours)) ms (zbar \(format(plain)) ms), \(tried) scans")
            }
            if passes {
                for (pass, count) in passCounts.sorted(by: { $0.value > $1.value }) {
                    print("  pass \(pass): \(count)")
                }
            }
            if failures {
                for name in missed { print("  missed \(name)") }
                for (name, symbol) in oursWrong {
                    print(
                        "  wrong \(name): \(symbol.symbology.zbarName):\(symbol.text) [\(symbol.pass)] points \(symbol.outlinePoints)"
                    )
                }
            }
        }
    }
}

extension String {
    func leftPad(_ width: Int) -> String { count >= width ? self : String(repeating: " ", count: width - count) + self }
}
