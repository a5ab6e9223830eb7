import CZBar
import Imaging

/// A V4L2 camera through zbar's video API: opens the device, negotiates a format, and hands out
/// frames as grey images. One owner of the `zbar_video_t`; every call's result is checked.
public final class ZBarVideo: @unchecked Sendable {  // Used by one capture thread at a time.
    private let handle: OpaquePointer
    public let device: String
    /// Whether the stream was started (and must be stopped).
    private var enabled = false

    /// Opens `device` (`/dev/video0`) and starts capturing.
    /// - Throws: ``ScanError`` naming the call and zbar's own explanation (no such device, not a
    ///   camera, no usable format).
    public init(device: String, width: Int = 640, height: Int = 480) throws(ScanError) {
        guard let handle = zbar_video_create() else { throw ScanError(operation: "zbar_video_create", code: -1) }
        self.handle = handle
        self.device = device
        guard zbar_video_request_size(handle, UInt32(width), UInt32(height)) == 0 else {
            throw failure("zbar_video_request_size(\(width)x\(height))")
        }
        guard zbar_video_open(handle, device) == 0 else { throw failure("zbar_video_open(\(device))") }
        guard zbar_negotiate_format(handle, nil) == 0 else { throw failure("zbar_negotiate_format(\(device))") }
        guard zbar_video_enable(handle, 1) == 0 else { throw failure("zbar_video_enable(\(device))") }
        enabled = true
    }

    deinit {
        // Stopping a started stream fails only when the device went away mid-stream; then
        // zbar_video_destroy still closes it, and a deinit has no one to tell: the next
        // nextFrame() would have reported it.
        if enabled, zbar_video_enable(handle, 0) != 0 { enabled = false }
        zbar_video_destroy(handle)
    }

    /// The next frame's grey plane (blocks until the camera delivers one).
    public func nextFrame() throws(ScanError) -> GreyImage {
        guard let image = zbar_video_next_image(handle) else { throw failure("zbar_video_next_image") }
        defer { zbar_image_destroy(image) }
        guard let grey = zbar_image_convert(image, ZBarScanner.y800) else {
            throw ScanError(operation: "zbar_image_convert (to Y800)", code: -1)
        }
        defer { zbar_image_destroy(grey) }
        let width = Int(zbar_image_get_width(grey)), height = Int(zbar_image_get_height(grey))
        guard let data = zbar_image_get_data(grey), Int(zbar_image_get_data_length(grey)) >= width * height else {
            throw ScanError(operation: "zbar_image_get_data", code: -1)
        }
        let pixels = Array(UnsafeBufferPointer(start: data.assumingMemoryBound(to: UInt8.self), count: width * height))
        return GreyImage(width: width, height: height, pixels: pixels)
    }

    private func failure(_ operation: String) -> ScanError {
        let message = zbar_video_error_string(handle, 0).map { String(cString: $0) } ?? "unknown error"
        return ScanError(operation: operation + ": " + message, code: Int32(zbar_video_get_error_code(handle).rawValue))
    }
}
