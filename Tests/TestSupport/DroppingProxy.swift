import Foundation
import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

/// A TCP proxy on a free loopback port in front of `upstream`, one request per connection, which
/// can lose answers: while `dropNextAnswers` has some left, a connection's request goes through to the server, the server's
/// answer is read in full, and the client's connection is closed without it (the server did the
/// work; the client never heard). Every connection runs on its own thread.
public final class DroppingProxy: Sendable {
    public let port: Int
    private let listener: Int32
    private let upstream: Int
    private let drops = Mutex(0)
    /// Connections whose answer was dropped.
    public var dropped: Int { droppedCount.withLock { $0 } }
    private let droppedCount = Mutex(0)

    public init(upstream: Int) throws {
        self.upstream = upstream
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw ProxyError("socket: errno \(errno)") }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard bound == 0, Glibc.listen(fd, 64) == 0 else { throw ProxyError("bind/listen: errno \(errno)") }
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let named = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        guard named == 0 else { throw ProxyError("getsockname: errno \(errno)") }
        port = Int(UInt16(bigEndian: address.sin_port))
        listener = fd
        let listener = fd
        Thread.detachNewThread { [self] in
            while true {
                let client = accept(listener, nil, nil)
                if client < 0 { return }
                Thread.detachNewThread { self.serve(client) }
            }
        }
    }

    /// The next `count` connections lose their answers.
    public func dropNextAnswers(_ count: Int) { drops.withLock { $0 = count } }

    public func close() { shutdown(listener, Int32(SHUT_RDWR)); Glibc.close(listener) }

    private func serve(_ client: Int32) {
        defer { Glibc.close(client) }
        let server = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard server >= 0 else { return }
        defer { Glibc.close(server) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = UInt16(upstream).bigEndian
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(server, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard connected == 0 else { return }
        let drop = drops.withLock { count -> Bool in
            guard count > 0 else { return false }
            count -= 1
            return true
        }
        // Client to server on its own thread; server to client here, or into nothing.
        Thread.detachNewThread {
            Self.pump(from: client, to: server)
            shutdown(server, Int32(SHUT_WR))
        }
        // One answer per connection (the client opens a new one for its next request, so
        // `dropNextAnswers` applies to requests, not to a kept-alive connection).
        var buffer = [UInt8](repeating: 0, count: 65536)
        var seen = [UInt8]()
        while !Self.complete(seen) {
            let n = read(server, &buffer, buffer.count)
            if n <= 0 { break }
            seen += buffer[0..<n]
        }
        if drop {
            // The server did the work; the client is cut off unanswered.
            droppedCount.withLock { $0 += 1 }
        } else {
            Self.write(seen, to: client)
        }
        shutdown(client, Int32(SHUT_RDWR))
    }

    /// Whether `bytes` hold a whole HTTP response with a Content-Length body.
    static func complete(_ bytes: [UInt8]) -> Bool {
        let text = String(decoding: bytes, as: UTF8.self)
        guard let end = text.range(of: "\r\n\r\n") else { return false }
        let head = text[..<end.lowerBound].lowercased()
        guard let line = head.split(separator: "\r\n").first(where: { $0.hasPrefix("content-length:") }),
            let length = Int(line.dropFirst("content-length:".count).trimmingCharacters(in: .whitespaces))
        else { return true }
        return text.utf8.distance(from: end.upperBound.samePosition(in: text.utf8)!, to: text.utf8.endIndex) >= length
    }

    static func write(_ bytes: [UInt8], to target: Int32) {
        var offset = 0
        while offset < bytes.count {
            let written = bytes[offset...].withUnsafeBytes {
                send(target, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL))
            }
            if written <= 0 { return }
            offset += written
        }
    }

    static func pump(from source: Int32, to target: Int32) {
        var buffer = [UInt8](repeating: 0, count: 65536)
        while true {
            let n = read(source, &buffer, buffer.count)
            if n <= 0 { return }
            var offset = 0
            while offset < n {
                let written = buffer[offset..<n].withUnsafeBytes {
                    send(target, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL))
                }
                if written <= 0 { return }
                offset += written
            }
        }
    }
}

public struct ProxyError: Error, CustomStringConvertible {
    public let description: String
    init(_ description: String) { self.description = description }
}
