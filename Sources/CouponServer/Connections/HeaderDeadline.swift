import CouponAPI
import Foundation
import HTTPTypes
import NIOCore
import NIOHTTP1
import NIOHTTPTypes

/// Sits after the HTTP decoder of every connection: until the first request header arrives, the
/// connection counts as pending (``PendingConnections``) and has ``ConnectionLimits/headerTimeout``
/// to finish it, else it is answered 408 and closed. After that, Hummingbird's idle timeout
/// governs it. A header the parser refuses (too large, malformed) is answered here with the API's
/// error body: 431 or 400. Each handler lives on its channel's event loop.
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
        guard !answered else { return }
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

    /// A parser error before any header: answered here, since no request exists for the router
    /// to answer. Later ones (in a body) go on to the request's body stream and its route.
    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        guard let parserError = error as? HTTPParserError, waiting || answered else {
            context.fireErrorCaught(error)
            return
        }
        guard !answered else { return }
        stopWaiting(context.channel)
        if parserError == .headerOverflow {
            answer(
                context, status: .init(code: 431, reasonPhrase: "Request Header Fields Too Large"),
                code: .headersTooLarge, message: "the request's header fields are over the server's limit")
        } else {
            answer(context, status: .badRequest, code: .badRequest, message: "the request is not valid HTTP/1.1")
        }
    }

    /// No whole header in time: 408 with the API's error body, then close.
    private func expired(_ context: ChannelHandlerContext) {
        guard waiting else { return }
        stopWaiting(context.channel)
        answer(
            context, status: .requestTimeout, code: .requestTimeout,
            message: "the request header did not arrive in time")
    }

    private var answered = false

    /// Writes one error response, closes the output, and closes the rest a second later: what the
    /// client sent meanwhile is read and dropped, so the close is not a reset that would lose the
    /// answer in the client's buffer.
    private func answer(_ context: ChannelHandlerContext, status: HTTPResponse.Status, code: ErrorCode, message: String)
    {
        answered = true
        let body = String(
            decoding: (try? JSONEncoder.api.encode(ErrorBody(code: code, message: message))) ?? Data(), as: UTF8.self)
        let head = HTTPResponse(
            status: status,
            headerFields: [
                .contentType: "application/json; charset=utf-8", .contentLength: "\(body.utf8.count)",
                .connection: "close",
            ])
        context.write(wrapOutboundOut(.head(head)), promise: nil)
        context.write(wrapOutboundOut(.body(context.channel.allocator.buffer(string: body))), promise: nil)
        context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: nil)
        context.close(mode: .output, promise: nil)
        let channel = context.channel
        channel.eventLoop.scheduleTask(in: .seconds(1)) { channel.close(promise: nil) }
    }
}
