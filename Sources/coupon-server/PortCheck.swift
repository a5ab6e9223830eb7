import NIOCore
import NIOPosix

#if canImport(Glibc)
    import Glibc
#endif

/// Whether `serve` can listen where it was told, asked before anything is created: a port that
/// is taken, or an address this machine does not have, stops the start with a message and leaves
/// the data folder as it was (no database, no admin key). Port 0 (any free one) cannot be taken.
enum PortCheck {
    static func ensureFree(host: String, port: Int) async throws(ServeError) {
        guard port != 0 else { return }
        let channel: any Channel
        do {
            channel = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
                .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
                .bind(host: host, port: port).get()
        } catch let error as IOError where error.errnoCode == EADDRINUSE {
            throw .portInUse(host: host, port: port)
        } catch {
            throw .cannotListen(host: host, port: port, reason: "\(error)")
        }
        do { try await channel.close() } catch {
            throw .cannotListen(host: host, port: port, reason: "the trial listener did not close: \(error)")
        }
    }
}

/// Why `coupon-server serve` did not start.
enum ServeError: Error, CustomStringConvertible {
    case portInUse(host: String, port: Int)
    case cannotListen(host: String, port: Int, reason: String)

    var description: String {
        switch self {
        case .portInUse(let host, let port):
            "port \(port) on \(host) is in use (another coupon-server?); nothing was created. Stop it, or give --port"
        case .cannotListen(let host, let port, let reason):
            "cannot listen on \(host):\(port): \(reason); nothing was created"
        }
    }
}
