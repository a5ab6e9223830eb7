import Foundation
import Imaging
import Scanning
import Station

#if canImport(Glibc)
    import Glibc
#endif

/// A scanner's (or keyboard's) lines: a file, a serial or HID device, or standard input.
enum LineSource {
    static func read(_ path: String, into events: AsyncStream<TillEvent>.Continuation) throws {
        let file: UnsafeMutablePointer<FILE>
        if path == "-" {
            guard let standardInput = fdopen(0, "r") else { throw StationError.badInput("cannot read standard input") }
            file = standardInput
        } else {
            guard let opened = fopen(path, "r") else {
                throw StationError.badInput(
                    "cannot open the scanner input \(path): \(String(cString: strerror(errno)))")
            }
            file = opened
        }
        defer { fclose(file) }
        var line: UnsafeMutablePointer<CChar>? = nil
        var capacity = 0
        defer { free(line) }
        while getline(&line, &capacity, file) >= 0, let line {
            // A scanner ends its line with CR, LF or both.
            let text = String(cString: line).trimmingCharacters(in: .newlines)
            events.yield(.line(text))
        }
    }
}

/// A YUV4MPEG2 stream, every frame decoded in order (a file or pipe is read whole); codes counted
/// by a ``CodeTracker`` with the gap in stream time.
enum FrameSource {
    static func read(_ path: String, gap: Double, into events: AsyncStream<TillEvent>.Continuation) throws {
        let fd = path == "-" ? 0 : open(path, O_RDONLY)
        guard fd >= 0 else {
            throw StationError.badInput("cannot open the frame stream \(path): \(String(cString: strerror(errno)))")
        }
        defer { if fd != 0 { close(fd) } }
        let stream = try Y4MStream(fd: fd, source: path == "-" ? "standard input" : path)
        let fps = Double(stream.header.frameRate.numerator) / Double(stream.header.frameRate.denominator)
        var tracker = CodeTracker(gapSeconds: gap, framesPerSecond: fps)
        let pipeline = DecodePipeline.frames()
        let clock = ContinuousClock()
        let start = clock.now
        var index = 0
        while let frame = try stream.nextFrame() {
            let symbols = try pipeline.decode(frame).symbols
            let codes = symbols.map { CodeTracker.Code(text: $0.text, isLinear: $0.symbology.isLinear) }
            for code in tracker.observe(frame: index, codes: codes) {
                events.yield(code.isLinear ? .product(code.text) : .coupon(code.text))
            }
            index += 1
        }
        let seconds =
            Double((clock.now - start).components.attoseconds) / 1e18
            + Double((clock.now - start).components.seconds)
        events.yield(
            .summary(
                "decoded \(index) frames of \(stream.header.width)x\(stream.header.height) in "
                    + String(format: "%.2f s (%.1f frames/s)", seconds, Double(index) / max(seconds, 1e-9))))
    }
}

/// A folder a capture program drops images into: each new image is decoded once, every code in it
/// counts (a still photo needs no agreement between frames; the pipeline confirms weak reads).
enum WatchSource {
    static func read(_ folder: String, into events: AsyncStream<TillEvent>.Continuation) throws {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: folder, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw StationError.badInput("\(folder) is not a folder")
        }
        let pipeline = DecodePipeline()
        var seen = Set(try FileManager.default.contentsOfDirectory(atPath: folder))
        let stop = folder + "/STOP"
        while !FileManager.default.fileExists(atPath: stop) {
            let names = try FileManager.default.contentsOfDirectory(atPath: folder).sorted()
            for name in names where !seen.contains(name) && !name.hasPrefix(".") && name != "STOP" {
                seen.insert(name)
                do {
                    let symbols = try pipeline.decode(try ImageReader.read(path: folder + "/" + name)).symbols
                    if symbols.isEmpty { events.yield(.problem("no code in \(name)")) }
                    for symbol in symbols {
                        events.yield(symbol.symbology.isLinear ? .product(symbol.text) : .coupon(symbol.text))
                    }
                } catch {
                    events.yield(.problem("\(error)"))
                }
            }
            Thread.sleep(forTimeInterval: 0.2)
        }
    }
}

/// A V4L2 camera through zbar's video API. A capture thread keeps only the newest frame; the
/// decoder takes it when it is free, so when decoding falls behind, stale frames are dropped, not
/// queued. The dedup gap counts captured frames at a nominal 30 frames/s.
enum CameraSource {
    /// Opens the camera, or says plainly why not (no such device, not a camera).
    static func open(_ device: String) throws -> ZBarVideo {
        guard FileManager.default.fileExists(atPath: device) else {
            throw StationError.badInput(
                "no camera at \(device) on this machine; a video stream works too: "
                    + "ffmpeg -f v4l2 -i /dev/video0 -pix_fmt gray -f yuv4mpegpipe - | coupon-station run --frames -")
        }
        do {
            return try ZBarVideo(device: device)
        } catch {
            throw StationError.badInput("cannot use the camera \(device): \(error)")
        }
    }

    static func read(_ video: ZBarVideo, gap: Double, into events: AsyncStream<TillEvent>.Continuation) throws {
        let latest = LatestFrame()
        Thread.detachNewThread {
            while !latest.stopped {
                do { latest.put(try video.nextFrame()) } catch {
                    events.yield(.problem("\(error)"))
                    latest.stop()
                }
            }
        }
        var tracker = CodeTracker(gapSeconds: gap, framesPerSecond: 30)
        let pipeline = DecodePipeline.frames()
        while let (frame, sequence) = latest.take() {
            let symbols = try pipeline.decode(frame).symbols
            let codes = symbols.map { CodeTracker.Code(text: $0.text, isLinear: $0.symbology.isLinear) }
            for code in tracker.observe(frame: sequence, codes: codes) {
                events.yield(code.isLinear ? .product(code.text) : .coupon(code.text))
            }
        }
    }
}

/// The newest captured frame and its sequence number; older ones are overwritten (dropped).
final class LatestFrame: @unchecked Sendable {  // Guarded by `condition`.
    private let condition = NSCondition()
    private var frame: GreyImage?
    private var sequence = 0
    private var isStopped = false

    var stopped: Bool { condition.withLock { isStopped } }

    func put(_ image: GreyImage) {
        condition.withLock {
            frame = image
            sequence += 1
            condition.signal()
        }
    }

    func stop() {
        condition.withLock {
            isStopped = true
            condition.signal()
        }
    }

    /// Waits for a frame newer than the last one taken; nil once stopped.
    func take() -> (GreyImage, Int)? {
        condition.lock()
        defer { condition.unlock() }
        while frame == nil && !isStopped { condition.wait() }
        guard let image = frame else { return nil }
        frame = nil
        return (image, sequence)
    }
}
