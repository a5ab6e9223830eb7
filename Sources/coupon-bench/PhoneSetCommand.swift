import ArgumentParser
import Foundation
import Imaging
import SampleSets

/// `coupon-bench phone-set`: a developer set of phone-balance coupons photographed off phone
/// screens, at the difficulty mix of `samples/screens` (one photo per recipe there, cycling).
struct PhoneSetCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "phone-set",
        abstract: "Write a set of phone-balance coupons' QR photos (with MANIFEST.tsv) at the phone-screen set's difficulty mix.",
        discussion: """
            Each payload is a coupon link with its code and a signed state after '#' under a 40-character base URL \
            (QR version 10 to 11 at level M); each photo follows one recipe of samples/screens (camera size, pixels \
            per module, tilt, turn, blur, noise, exposure, dark mode, JPEG quality). Score it beside that set:
              coupon-bench phone-set --out /tmp/phone-set && coupon-bench scan samples/screens /tmp/phone-set
            """)

    @Option(help: "Output folder.") var out: String
    @Option(help: "How many photos.") var count = 150
    @Option(help: "The phone-screen set whose recipes to follow.") var screens = "samples/screens"
    @Option(help: "Seed of the payloads and photos.") var seed: UInt64 = 17

    func run() throws {
        let recipes = try ScreenRecipe.load(directory: screens)
        try FileManager.default.createDirectory(atPath: out, withIntermediateDirectories: true)
        var manifest = "path\tsymbology\texpected_text_file\tdifficulty\tparams\n"
        var versions: [Int: Int] = [:]
        for index in 0..<count {
            let sample = try PhoneBalanceSet.sample(index: index, recipes: recipes, seed: seed)
            let jpeg = try JPEGWriter.encode(sample.photo, quality: sample.quality)
            // The payloads hold (made-up) coupon codes: the files are for their user only.
            try write(Data(jpeg), sample.name + ".jpg")
            try write(Data(sample.payload.utf8), sample.name + ".txt")
            manifest +=
                "\(sample.name).jpg\tQRCODE\t\(sample.name).txt\t\(sample.difficulty)\t"
                + "{\"recipe\":\"\(sample.recipe)\",\"version\":\(sample.version)}\n"
            versions[sample.version, default: 0] += 1
            FileHandle.standardError.write(Data("\r\(index + 1)/\(count) photos".utf8))
        }
        FileHandle.standardError.write(
            Data("\nQR versions: \(versions.sorted { $0.key < $1.key }.map { "v\($0.key) x\($0.value)" }.joined(separator: ", "))".utf8))
        try write(Data(manifest.utf8), "MANIFEST.tsv")
        FileHandle.standardError.write(Data("\nwrote \(count) photos and MANIFEST.tsv to \(out)\n".utf8))
    }

    func write(_ data: Data, _ name: String) throws {
        let path = (out as NSString).appendingPathComponent(name)
        guard FileManager.default.createFile(atPath: path, contents: data, attributes: [.posixPermissions: 0o600]) else {
            throw ValidationError("cannot write \(path)")
        }
    }
}
