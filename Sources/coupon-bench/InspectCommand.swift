import ArgumentParser
import Foundation
import Imaging
import Scanning

struct InspectCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "inspect", abstract: "Writes what the QR locator sees in an image as PNG files, for tuning.")

    @Argument var file: String
    @Option var out = "/tmp/inspect"
    @Flag var inverted = false

    func run() throws {
        let image = try ImageReader.read(path: file)
        let report = DecodePipeline.inspectLocator(image, inverted: inverted)
        try FileManager.default.createDirectory(atPath: out, withIntermediateDirectories: true)
        try Data(PNGWriter.encode(report.binary)).write(to: URL(fileURLWithPath: "\(out)/binary.png"))
        for p in report.finderPatterns.sorted(by: { $0.count > $1.count }).prefix(20) {
            print("finder at \(Int(p.center.x)),\(Int(p.center.y)) module \(format(p.moduleSize)) count \(p.count)")
        }
        for (i, c) in report.candidates.enumerated() {
            try Data(PNGWriter.encode(c)).write(to: URL(fileURLWithPath: "\(out)/candidate-\(i).png"))
            print(
                "candidate \(i) corners "
                    + report.corners[i].map { "\(format($0.x)),\(format($0.y))" }.joined(separator: " "))
        }
        print("\(report.candidates.count) candidates written to \(out)")
    }
}
