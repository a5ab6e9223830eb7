import HummingbirdCore
import Logging
import NIOCore
import NIOSSL

/// Hummingbird's child channel with TLS in front, taking the TLS context from a
/// ``TLSReloader`` for each connection (HummingbirdTLS's `TLSChannel` fixes its context at start,
/// so it cannot pick up a renewed certificate).
struct ReloadableTLSChannel<Base: ServerChildChannel>: ServerChildChannel {
    typealias Value = Base.Value
    let base: Base
    let reloader: TLSReloader

    func setup(channel: any Channel, logger: Logger) -> EventLoopFuture<Value> {
        channel.eventLoop.makeCompletedFuture {
            try channel.pipeline.syncOperations.addHandler(NIOSSLServerHandler(context: reloader.context))
        }.flatMap {
            base.setup(channel: channel, logger: logger)
        }
    }

    func handle(value: Base.Value, logger: Logger) async {
        await base.handle(value: value, logger: logger)
    }
}

extension ReloadableTLSChannel: HTTPChannelHandler where Base: HTTPChannelHandler {
    var responder: HTTPChannelHandler.Responder { base.responder }
}

extension ServerConfiguration {
    /// HTTP/1.1, over TLS when configured.
    func serverBuilder(_ http1: HTTP1Channel.Configuration) -> HTTPServerBuilder {
        guard let tls else { return .http1(configuration: http1) }
        return HTTPServerBuilder { responder in
            ReloadableTLSChannel(base: HTTP1Channel(responder: responder, configuration: http1), reloader: tls)
        }
    }
}
