import HTTPTypes
import NIOCore
import NIOHTTPTypes

/// Sits after the HTTP decoder of every connection: until the first request header arrives, the
/// connection counts as pending (``PendingConnections``) and has ``ConnectionLimits/headerTimeout``
/// to finish it, else it is answered 408 and closed. After that, Hummingbird's idle timeout
/// governs it. Each handler lives on its channel's event loop.
final class HeaderDeadline: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPRequestPart
    typealias InboundOut = HTTPRequestPart
    typealias OutboundIn = HTTPResponsePart
    typealias OutboundOut = HTTPResponsePart

    private let pending: PendingConnections
    private let timeout: TimeAmount
    private var timer: Scheduled<Void>?
    private var waiting = false
    private var started = false

    init(pending: PendingConnections, timeout: TimeAmount) {
        self.pending = pending
        self.timeout = timeout
    }

    func handlerAdded(context: ChannelHandlerContext) {
        if context.channel.isActive { start(context) }
    }

    func channelActive(context: ChannelHandlerContext) {
        start(context)
        context.fireChannelActive()
    }

    private func start(_ context: ChannelHandlerContext) {
        guard !started else { return }
        started = true
        waiting = true
        pending.add(context.channel)?.close(promise: nil)
        let loopBound = NIOLoopBound((self, context), eventLoop: context.eventLoop)
        timer = context.eventLoop.scheduleTask(in: timeout) {
            let (handler, context) = loopBound.value
            handler.expired(context)
        }
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        if waiting, case .head = unwrapInboundIn(data) { stopWaiting(context.channel) }
        context.fireChannelRead(data)
    }

    func channelInactive(context: ChannelHandlerContext) {
        stopWaiting(context.channel)
        context.fireChannelInactive()
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        stopWaiting(context.channel)
    }

    private func stopWaiting(_ channel: any Channel) {
        timer?.cancel()
        timer = nil
        guard waiting else { return }
        waiting = false
        pending.remove(channel)
    }

    /// No whole header in time: 408 with the API's error body, then close.
    private func expired(_ context: ChannelHandlerContext) {
        guard waiting else { return }
        stopWaiting(context.channel)
        let body = #"{"error":{"code":"request_timeout","message":"the request header did not arrive in time"}}"#
        let head = HTTPResponse(
            status: .requestTimeout,
            headerFields: [
                .contentType: "application/json; charset=utf-8", .contentLength: "\(body.utf8.count)",
                .connection: "close",
            ])
        context.write(wrapOutboundOut(.head(head)), promise: nil)
        context.write(wrapOutboundOut(.body(context.channel.allocator.buffer(string: body))), promise: nil)
        context.writeAndFlush(wrapOutboundOut(.end(nil))).whenComplete { _ in context.close(promise: nil) }
    }
}
