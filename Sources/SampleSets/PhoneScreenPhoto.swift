import Foundation
import Imaging

/// A simulated photo of a phone screen showing a QR code, as a station's camera takes it: the
/// screen in a dark phone body on a grey counter, seen at an angle (perspective), slightly out of
/// focus, with glare across it and sensor noise; then saved as JPEG by the caller. Deterministic
/// for a given seed, so tests can rely on it.
public struct PhoneScreenPhoto: Sendable {
    public var width = 1280
    public var height = 960
    /// How far the corners move inward for the viewing angle, as a fraction of the photo.
    public var tilt = 0.08
    /// Box-blur passes (each 3x3).
    public var blurPasses = 2
    /// Brightness added across the screen, left to right (glare).
    public var glare = 40
    /// Noise amplitude (grey levels).
    public var noise = 10
    public var seed: UInt64 = 1
    /// The phone's height as a fraction of the photo's (more than 1: held close, the body cropped).
    public var phoneHeightFraction = 0.92
    /// The phone turned in the photo's plane, in degrees.
    public var rotationDegrees = 0.0
    /// Dark mode: the app shows the code light on dark.
    public var inverted = false
    /// Brightness scale (low light below 1) and lift (overexposure) applied to the whole photo.
    public var gain = 1.0
    public var lift = 0

    public init() {}

    /// The photo of `qr` (a rendered QR image) on the phone's screen.
    public func render(_ qr: GreyImage) -> GreyImage {
        // The phone: a light screen with the QR in the middle and a dark body around it.
        let screenW = 540, screenH = 960, body = 30
        var phone = GreyImage(width: screenW + 2 * body, height: screenH + 2 * body, fill: 25)
        let screen: UInt8 = inverted ? 30 : 238
        for y in body..<(body + screenH) {
            for x in body..<(body + screenW) { phone.pixels[y * phone.width + x] = screen }
        }
        let side = min(screenW - 60, qr.width)
        let scaled = qr.resizedArea(width: side, height: side * qr.height / max(1, qr.width))
        let ox = body + (screenW - scaled.width) / 2, oy = body + (screenH - scaled.height) / 2
        for y in 0..<scaled.height {
            for x in 0..<scaled.width {
                let value = max(20, scaled.pixels[y * scaled.width + x])
                phone.pixels[(oy + y) * phone.width + ox + x] = inverted ? 255 - value : value
            }
        }
        // The phone seen at an angle, filling most of the photo's height.
        let h = Double(height), w = Double(width)
        let phoneH = h * phoneHeightFraction, phoneW = phoneH * Double(phone.width) / Double(phone.height)
        let left = (w - phoneW) / 2, top = (h - phoneH) / 2
        let t = tilt * phoneH
        let angle = rotationDegrees * Double.pi / 180, cx = w / 2, cy = h / 2
        let photoCorners = [
            Point(x: left + t, y: top + t * 0.5), Point(x: left + phoneW - t * 0.3, y: top),
            Point(x: left + phoneW, y: top + phoneH), Point(x: left, y: top + phoneH - t * 0.4),
        ].map { p in
            Point(
                x: cx + (p.x - cx) * cos(angle) - (p.y - cy) * sin(angle),
                y: cy + (p.x - cx) * sin(angle) + (p.y - cy) * cos(angle))
        }
        let phoneCorners = [
            Point(x: 0, y: 0), Point(x: Double(phone.width), y: 0),
            Point(x: Double(phone.width), y: Double(phone.height)),
            Point(x: 0, y: Double(phone.height)),
        ]
        guard let transform = Homography(from: photoCorners, to: phoneCorners) else { return phone }
        var photo = phone.warped(by: transform, width: width, height: height, fill: 120)
        for _ in 0..<blurPasses { photo = Self.boxBlur(photo) }
        var state = seed &* 0x9E37_79B9_7F4A_7C15 | 1
        for y in 0..<height {
            for x in 0..<width {
                state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
                let n = Int((state >> 33) % UInt64(2 * noise + 1)) - noise
                let g = glare * x / width
                let i = y * width + x
                let lit = gain == 1 ? Int(photo.pixels[i]) : Int(Double(photo.pixels[i]) * gain)
                photo.pixels[i] = UInt8(clamping: lit + lift + g + n)
            }
        }
        return photo
    }

    static func boxBlur(_ image: GreyImage) -> GreyImage {
        var out = image
        let w = image.width, h = image.height
        for y in 1..<(h - 1) {
            for x in 1..<(w - 1) {
                var sum = 0
                for dy in -1...1 {
                    let row = (y + dy) * w + x
                    sum += Int(image.pixels[row - 1]) + Int(image.pixels[row]) + Int(image.pixels[row + 1])
                }
                out.pixels[y * w + x] = UInt8(sum / 9)
            }
        }
        return out
    }
}
