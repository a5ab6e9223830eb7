import ArgumentParser
import Foundation
import Imaging

#if canImport(Glibc)
    import Glibc
#endif

struct ClipCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "clip",
        abstract: "Writes a YUV4MPEG2 clip (grey, Cmono) that shows each image for a while, as a camera would.",
        discussion: """
            Each image is fitted into the frame and held for --hold seconds with a little jitter and sensor noise, \
            with --blank seconds of empty counter between images; --repeat plays the list again. - writes to \
            standard output, for a pipe:
              coupon-bench clip - --repeat 100 cake.png phone.jpg | coupon-station run --frames - ...
            """)

    @Argument(help: "The clip to write, or - for standard output.") var out: String
    @Argument(help: "The images, in the order they pass the camera.") var images: [String]
    @Option var width = 640
    @Option var height = 480
    @Option(help: "Frames per second.") var fps = 15
    @Option(help: "Seconds each image is in view.") var hold = 1.5
    @Option(help: "Seconds of empty view between images.") var blank = 0.6
    @Option(help: "How many times to play the list.") var `repeat` = 1
    @Option(help: "Noise amplitude in grey levels.") var noise = 8
    @Option var seed: UInt64 = 1

    func validate() throws {
        guard !images.isEmpty else { throw ValidationError("name at least one image") }
        guard width >= 64, height >= 64, width % 2 == 0, height % 2 == 0 else {
            throw ValidationError("the frame is at least 64x64, with even sides")
        }
        guard (1...120).contains(fps), hold > 0, blank >= 0, `repeat` >= 1 else {
            throw ValidationError("fps 1-120, hold > 0, blank >= 0, repeat >= 1")
        }
    }

    func run() throws {
        let fitted = try images.map { try fit(ImageReader.read(path: $0)) }
        let fd = out == "-" ? Int32(1) : open(out, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        guard fd >= 0 else { throw ValidationError("cannot write \(out)") }
        defer { if fd != 1 { close(fd) } }
        try write(Array("YUV4MPEG2 W\(width) H\(height) F\(fps):1 Ip A1:1 Cmono\n".utf8), to: fd)
        var state = seed &* 0x9E37_79B9_7F4A_7C15 | 1
        func random(_ range: Int) -> Int {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return Int((state >> 33) % UInt64(2 * range + 1)) - range
        }
        let background = GreyImage(width: width, height: height, fill: 128)
        let holdFrames = max(1, Int(hold * Double(fps))), blankFrames = Int(blank * Double(fps))
        let header = Array("FRAME\n".utf8)
        for _ in 0..<`repeat` {
            for image in fitted {
                for index in 0..<(holdFrames + blankFrames) {
                    let shown = index < holdFrames ? image : background
                    let dx = index < holdFrames ? random(3) : 0, dy = index < holdFrames ? random(3) : 0
                    var frame = [UInt8](repeating: 128, count: width * height)
                    for y in 0..<height {
                        let sy = min(max(y + dy, 0), height - 1)
                        for x in 0..<width {
                            let sx = min(max(x + dx, 0), width - 1)
                            frame[y * width + x] = UInt8(
                                clamping: Int(shown.pixels[sy * width + sx]) + random(noise))
                        }
                    }
                    try write(header + frame, to: fd)
                }
            }
        }
    }

    /// The image scaled down to fit the frame (never up), centred on grey.
    func fit(_ image: GreyImage) -> GreyImage {
        let scale = min(Double(width) / Double(image.width), Double(height) / Double(image.height), 1)
        let w = max(1, Int(Double(image.width) * scale)), h = max(1, Int(Double(image.height) * scale))
        let scaled = scale < 1 ? image.resizedArea(width: w, height: h) : image
        var frame = GreyImage(width: width, height: height, fill: 128)
        let ox = (width - scaled.width) / 2, oy = (height - scaled.height) / 2
        for y in 0..<scaled.height {
            for x in 0..<scaled.width { frame.pixels[(oy + y) * width + ox + x] = scaled.pixels[y * scaled.width + x] }
        }
        return frame
    }

    func write(_ bytes: [UInt8], to fd: Int32) throws {
        var offset = 0
        while offset < bytes.count {
            let n = bytes[offset...].withUnsafeBytes { Glibc.write(fd, $0.baseAddress, $0.count) }
            if n < 0 {
                if errno == EINTR { continue }
                if errno == EPIPE { throw ExitCode.success }
                throw ValidationError("cannot write the clip: \(String(cString: strerror(errno)))")
            }
            offset += n
        }
    }
}
