import Foundation
import Imaging

/// The recipe of one photo of the phone-screen set (`samples/screens/MANIFEST.tsv`'s parameters):
/// a ``PhoneScreenPhoto`` of another code made to it has the same camera size, the same share of
/// the frame's width for the code (a phone held at the same distance: a denser code gets fewer
/// pixels per module), tilt, turn, blur, noise, exposure, dark mode and JPEG quality. (Moiré, flicker bands and lens
/// distortion are not simulated.) So a set of other payloads keeps the set's difficulty mix.
public struct ScreenRecipe: Sendable {
    public var name: String
    public var difficulty: String
    public var width: Int
    public var height: Int
    /// The code's side (without its quiet zone) as a fraction of the photo's width.
    public var qrFraction: Double
    public var tiltDegrees: Double
    public var rotationDegrees: Double
    /// Defocus radius and motion length, in photo pixels.
    public var defocus: Double
    public var motion: Double
    public var noiseRead: Double
    /// `normal`, `overexposed` or `low_light`.
    public var exposure: String
    public var inverted: Bool
    public var quality: Int

    /// The manifest's parameter column, as far as a recipe reads it (names as the set writes them).
    struct Params: Decodable {
        var camera: String?
        var format: String?
        var qr_frac: Double?
        var tilt_deg: Double?
        var rotation_deg: Double?
        var defocus_radius_px: Double?
        var motion_len_px: Double?
        var noise_read: Double?
        var exposure_mode: String?
        var inverted: Bool?
    }

    /// The recipes of a set's manifest, in its order.
    public static func load(directory: String) throws -> [ScreenRecipe] {
        let path = URL(fileURLWithPath: directory).appendingPathComponent("MANIFEST.tsv").path
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
            throw SampleManifestError(detail: "\(path): cannot read the sample manifest")
        }
        var recipes: [ScreenRecipe] = []
        for (lineNumber, line) in text.split(whereSeparator: \.isNewline).enumerated() where lineNumber > 0 {
            let columns = line.split(separator: "\t", omittingEmptySubsequences: false).map(String.init)
            guard columns.count >= 5, let params = try? JSONDecoder().decode(Params.self, from: Data(columns[4].utf8))
            else { throw SampleManifestError(detail: "\(path):\(lineNumber + 1): no parameters") }
            let camera = (params.camera ?? "1280x720").split(separator: "x").compactMap { Int($0) }
            let format = params.format ?? "jpeg q80"
            recipes.append(
                ScreenRecipe(
                    name: columns[0], difficulty: columns[3], width: camera.first ?? 1280,
                    height: camera.count > 1 ? camera[1] : 720, qrFraction: params.qr_frac ?? 0,
                    tiltDegrees: params.tilt_deg ?? 0, rotationDegrees: params.rotation_deg ?? 0,
                    defocus: params.defocus_radius_px ?? 0, motion: params.motion_len_px ?? 0,
                    noiseRead: params.noise_read ?? 0, exposure: params.exposure_mode ?? "normal",
                    inverted: params.inverted ?? false,
                    quality: Int(format.split(separator: "q").last ?? "80") ?? 80))
        }
        return recipes
    }

    /// The photo of `qr` (rendered with a 4-module quiet zone, `modules` wide without it) made to
    /// this recipe.
    public func photo(of qr: GreyImage, modules: Int, seed: UInt64) -> GreyImage {
        var photo = PhoneScreenPhoto()
        photo.width = width
        photo.height = height
        photo.seed = seed
        // The QR's side on the 540-pixel screen, then the phone's size that gives the recipe's
        // share of the frame: side / (modules + 8) screen pixels a module, 1020 screen pixels tall.
        let side = Double(min(480, qr.width))
        let pixelsPerModule = qrFraction * Double(width) / Double(modules)
        let fraction = pixelsPerModule * Double(modules + 8) * 1020 / (side * Double(height))
        // A customer holds the whole code in view: the code with its quiet zone, turned, stays within
        // 90% of the frame's height (a recipe of a smaller code could otherwise crop a denser one).
        let angle = rotationDegrees * Double.pi / 180
        let turned = abs(cos(angle)) + abs(sin(angle))
        let inView = 0.9 * 1020 / (side * turned)
        photo.phoneHeightFraction = min(inView, max(0.3, fraction))
        photo.tilt = min(0.3, tiltDegrees / 120)
        photo.rotationDegrees = rotationDegrees
        // A 3x3 box pass blurs with sigma about 0.82 pixels; defocus of radius r about r/2, motion
        // over L pixels about L/3.5.
        let sigma = ((defocus / 2) * (defocus / 2) + (motion / 3.5) * (motion / 3.5)).squareRoot()
        photo.blurPasses = min(16, Int(((sigma / 0.82) * (sigma / 0.82)).rounded()))
        photo.noise = Int((noiseRead * 255 * 3).rounded())
        photo.inverted = inverted
        switch exposure {
        case "overexposed":
            photo.lift = 45
            photo.glare = 60
        case "low_light":
            photo.gain = 0.35
            photo.noise *= 2
            photo.glare = 10
        default:
            photo.glare = 30
        }
        return photo.render(qr)
    }
}
