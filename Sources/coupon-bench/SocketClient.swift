import ArgumentParser
import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// A minimal HTTP/1.1 client on one kept-alive loopback socket, blocking, for the settle
/// benchmark: a load generator should cost the machine as little as it can, since it shares the
/// two cores with the server it measures. It sends one request at a time and reads the status
/// line, the headers and `Content-Length` bytes of body; nothing else of HTTP is needed here.
final class SocketClient {
    private let descriptor: Int32
    private var buffer: [UInt8] = []

    init(port: Int) throws {
        descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard descriptor >= 0 else { throw ValidationError("socket: \(String(cString: strerror(errno)))") }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard connected == 0 else {
            close(descriptor)
            throw ValidationError("connect: \(String(cString: strerror(errno)))")
        }
        var one: Int32 = 1
        setsockopt(descriptor, Int32(IPPROTO_TCP), TCP_NODELAY, &one, socklen_t(MemoryLayout<Int32>.size))
    }

    deinit { close(descriptor) }

    /// Sends a POST with a JSON body and returns the response's status once its body has arrived.
    func post(path: String, bearer: String, json: String) throws -> Int {
        try request(
            "POST", path, headers: ["Authorization": "Bearer \(bearer)", "Content-Type": "application/json"],
            body: Array(json.utf8)
        ).status
    }

    /// One request; the response's status, headers (names in lower case) and body, read by
    /// `Content-Length` or, for a streamed answer, chunk by chunk.
    func request(_ method: String, _ path: String, headers: [String: String] = [:], body: [UInt8] = []) throws
        -> (status: Int, headers: [(String, String)], body: [UInt8])
    {
        var head = "\(method) \(path) HTTP/1.1\r\nHost: 127.0.0.1\r\n"
        for (name, value) in headers { head += "\(name): \(value)\r\n" }
        if !body.isEmpty || method == "POST" { head += "Content-Length: \(body.count)\r\n" }
        let request = Array((head + "\r\n").utf8) + body
        var sent = 0
        while sent < request.count {
            let n = request[sent...].withUnsafeBytes { send(descriptor, $0.baseAddress, $0.count, 0) }
            guard n > 0 else { throw ValidationError("send: \(String(cString: strerror(errno)))") }
            sent += n
        }
        let headText = String(decoding: try line(until: [13, 10, 13, 10]), as: UTF8.self)
        let lines = headText.split(separator: "\r\n")
        guard let statusLine = lines.first, let status = Int(statusLine.split(separator: " ").dropFirst().first ?? "")
        else { throw ValidationError("not an HTTP response: \(headText.prefix(40))") }
        let fields = lines.dropFirst().compactMap { line -> (String, String)? in
            let parts = line.split(separator: ":", maxSplits: 1)
            guard parts.count == 2 else { return nil }
            return (parts[0].lowercased(), parts[1].trimmingCharacters(in: .whitespaces))
        }
        var answer: [UInt8] = []
        if fields.contains(where: { $0.0 == "transfer-encoding" && $0.1.lowercased().contains("chunked") }) {
            while true {
                let sizeLine = String(decoding: try line(until: [13, 10]), as: UTF8.self)
                guard let size = Int(sizeLine.split(separator: ";").first ?? "", radix: 16) else {
                    throw ValidationError("bad chunk size \(sizeLine.prefix(20))")
                }
                if size == 0 {
                    _ = try line(until: [13, 10])
                    break
                }
                while buffer.count < size + 2 { try fill() }
                answer += buffer[0..<size]
                buffer.removeFirst(size + 2)
            }
        } else {
            let length = fields.first { $0.0 == "content-length" }.flatMap { Int($0.1) } ?? 0
            while buffer.count < length { try fill() }
            answer = Array(buffer[0..<length])
            buffer.removeFirst(length)
        }
        return (status, fields, answer)
    }

    /// The bytes up to `end`, taken from the buffer with `end` itself.
    private func line(until end: [UInt8]) throws -> [UInt8] {
        while true {
            if let at = Self.find(end, in: buffer) {
                let text = Array(buffer[0..<at])
                buffer.removeFirst(at + end.count)
                return text
            }
            try fill()
        }
    }

    private func fill() throws {
        var chunk = [UInt8](repeating: 0, count: 16384)
        let n = chunk.withUnsafeMutableBytes { recv(descriptor, $0.baseAddress, $0.count, 0) }
        guard n > 0 else { throw ValidationError("the server closed the connection") }
        buffer += chunk[0..<n]
    }

    private static func find(_ needle: [UInt8], in haystack: [UInt8]) -> Int? {
        guard haystack.count >= needle.count else { return nil }
        for i in 0...(haystack.count - needle.count) where haystack[i] == needle[0] {
            if Array(haystack[i..<(i + needle.count)]) == needle { return i }
        }
        return nil
    }
}
