import ArgumentParser
import Foundation
import Imaging
import SampleSets

struct PhonePhotoCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "phone-photo",
        abstract: "Turns a QR image into a simulated camera photo of a phone screen showing it (JPEG).",
        discussion: """
            Perspective, blur, glare and noise, deterministic for a seed: the demo's and the tests' stand-in for \
            a customer holding a phone up to the station's camera.
              coupon-bench phone-photo coupon.png phone.jpg --seed 7
            """)

    @Argument(help: "The QR image (PNG, JPEG, PGM).") var qr: String
    @Argument(help: "The JPEG photo to write.") var out: String
    @Option(help: "Noise and layout seed.") var seed: UInt64 = 1
    @Option(help: "JPEG quality, 1 to 100.") var quality = 80
    @Option(help: "Photo width.") var width = 1280
    @Option(help: "Photo height.") var height = 960

    func run() throws {
        let image = try ImageReader.read(path: qr)
        var photo = PhoneScreenPhoto()
        photo.seed = seed
        photo.width = width
        photo.height = height
        let jpeg = try JPEGWriter.encode(photo.render(image), quality: quality)
        try Data(jpeg).write(to: URL(fileURLWithPath: out))
    }
}
