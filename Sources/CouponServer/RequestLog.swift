import CouponCore
import Foundation
import HTTPTypes
import Hummingbird
import Logging

#if canImport(Glibc)
    import Glibc
#endif

/// Gives each request an id (returned as `X-Request-ID`, in every log line of the request) and logs
/// one line per request: method, path, status, milliseconds (the auth middleware adds the station
/// to the lines logged after it). Paths hold ids, never
/// codes or keys; a receipt link's token is cut, and queries are left out.
struct RequestLogMiddleware: RouterMiddleware {
    typealias Context = AppRequestContext

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws
        -> Response
    {
        var context = context
        let id = SecureID.hex(8)
        context.logger[metadataKey: "request_id"] = "\(id)"
        let start = ContinuousClock.now
        var path = request.uri.path
        if path.hasPrefix("/b/") { path = "/b/…" }
        do {
            var response = try await next(request, context)
            response.headers[HTTPField.Name("X-Request-ID")!] = id
            log(context, request, path: path, status: Int(response.status.code), start: start)
            return response
        } catch {
            let status =
                (error as? HTTPResponseError)?.status.code ?? APIError.from(error).map { Int($0.status.code) } ?? 500
            log(context, request, path: path, status: status, start: start)
            throw error
        }
    }

    func log(_ context: Context, _ request: Request, path: String, status: Int, start: ContinuousClock.Instant) {
        let elapsed = ContinuousClock.now - start
        let ms = Double(elapsed.components.seconds) * 1000 + Double(elapsed.components.attoseconds) / 1e15
        let metadata: Logger.Metadata = [
            "method": "\(request.method.rawValue)", "path": "\(path)", "status": "\(status)",
            "ms": "\(Double(Int((ms * 10).rounded())) / 10)",
        ]
        context.logger.info("request", metadata: metadata)
    }
}

/// swift-log to JSON lines on standard error: `{"ts", "level", "msg", ...metadata}`.
public struct JSONLogHandler: LogHandler {
    public var metadata: Logger.Metadata = [:]
    public var logLevel: Logger.Level = .info
    private let label: String

    public init(label: String) { self.label = label }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    /// One JSON object per line: `ts`, `level`, `msg`, then the metadata by key. Written by hand:
    /// a line per request made a general JSON serialiser the largest cost of a settlement.
    public func log(event: LogEvent) {
        var line = "{\"ts\":\"\(Self.timestamp())\",\"level\":\"\(event.level.rawValue)\",\"msg\":"
        Self.appendQuoted(event.message.description, to: &line)
        let merged = metadata.merging(event.metadata ?? [:], uniquingKeysWith: { $1 })
        for key in merged.keys.sorted() where !Self.fixedKeys.contains(key) {
            line += ","
            Self.appendQuoted(key, to: &line)
            line += ":"
            Self.appendQuoted("\(merged[key]!)", to: &line)
        }
        line += "}\n"
        FileHandle.standardError.write(Data(line.utf8))
    }

    /// The keys every line starts with; metadata cannot overwrite them.
    static let fixedKeys: Set<String> = ["ts", "level", "msg"]

    /// Appends `text` as a JSON string: quotes, backslashes and control characters escaped.
    static func appendQuoted(_ text: String, to line: inout String) {
        line += "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": line += "\\\""
            case "\\": line += "\\\\"
            case "\n": line += "\\n"
            case "\r": line += "\\r"
            case "\t": line += "\\t"
            case _ where scalar.value < 0x20:
                let hex = [UInt8(scalar.value)].hex
                line += "\\u00\(hex)"
            default: line.unicodeScalars.append(scalar)
            }
        }
        line += "\""
    }

    /// `2026-11-25T14:03:12.345Z`, without a formatter per line.
    static func timestamp() -> String {
        var now = timespec()
        clock_gettime(CLOCK_REALTIME, &now)
        var seconds = now.tv_sec
        var parts = tm()
        gmtime_r(&seconds, &parts)
        func pad(_ value: Int32, _ width: Int) -> String {
            let text = String(value)
            return String(repeating: "0", count: max(0, width - text.count)) + text
        }
        return "\(pad(parts.tm_year + 1900, 4))-\(pad(parts.tm_mon + 1, 2))-\(pad(parts.tm_mday, 2))T"
            + "\(pad(parts.tm_hour, 2)):\(pad(parts.tm_min, 2)):\(pad(parts.tm_sec, 2))."
            + "\(pad(Int32(now.tv_nsec / 1_000_000), 3))Z"
    }
}
