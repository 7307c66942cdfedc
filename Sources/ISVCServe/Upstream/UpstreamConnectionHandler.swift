import NIOCore
import NIOHTTP1

/// One upstream connection's request/response exchange; lives on the connection's event loop.
///
/// One timer per connection serves both the exchange's deadline and the idle timeout, and is only
/// moved earlier, never cancelled per request: when it fires it checks the state and re-arms for
/// what is due next. (A scheduled task per request and an idle timer per answer cost the gateway
/// a seventh of its CPU in NIO's timer heap.)
final class UpstreamConnectionHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPClientResponsePart
    typealias OutboundOut = HTTPClientRequestPart

    let maxBodyBytes: Int
    let idleTimeout: TimeAmount
    var context: ChannelHandlerContext?
    var promise: EventLoopPromise<UpstreamHTTPClient.Response>?
    var deadline = NIODeadline.distantFuture
    private var idleSince: NIODeadline?
    private var head: HTTPResponseHead?
    private var body: ByteBuffer?
    private var timer: Scheduled<Void>?
    private var timerAt = NIODeadline.distantFuture
    private var requestKeepAlive = true
    /// The whole request is written; an answer that comes before (a 413 to a large body) ends the
    /// connection, which is mid-request.
    private var requestSent = false
    /// Any byte of the answer seen.
    private var received = false
    /// The connection served an exchange before this one.
    private var reused = false
    private var requestMethod = HTTPMethod.GET
    /// The exchange may hand a streaming answer over at its head.
    private var streaming: UpstreamHTTPClient.Streaming?
    /// The body of the answer handed over, while it flows (`UpstreamConnectionHandler+Stream.swift`).
    var sink: Sink?
    /// The exchange's number on this connection: a stream's callbacks name the exchange they belong to.
    var number = 0
    /// Reading stopped until the stream's consumer catches up.
    var paused = false
    var onIdle: (() -> Void)?
    var onClose: (() -> Void)?

    init(maxBodyBytes: Int, idleTimeout: TimeAmount) {
        self.maxBodyBytes = maxBodyBytes
        self.idleTimeout = idleTimeout
    }

    func handlerAdded(context: ChannelHandlerContext) { self.context = context }

    /// Every way a channel ends passes here (also one that never connected): the references that
    /// tie the handler, its context and its connection together are let go.
    func handlerRemoved(context: ChannelHandlerContext) {
        fail(.reset("connection closed before an answer"), close: false)
        timer?.cancel()
        timer = nil
        onClose?()
        onClose = nil
        onIdle = nil
        self.context = nil
    }

    /// One request to send and how its answer comes back.
    struct Exchange {
        var head: HTTPRequestHead
        var body: ByteBuffer?
        var deadline: NIODeadline
        var reused: Bool
        var streaming: UpstreamHTTPClient.Streaming?
        var promise: EventLoopPromise<UpstreamHTTPClient.Response>
    }

    func start(_ exchange: Exchange) {
        guard let context, context.channel.isActive, promise == nil, sink == nil else {
            exchange.promise.fail(UpstreamHTTPClient.Failure.closedBeforeSend)
            return
        }
        number += 1
        promise = exchange.promise
        deadline = exchange.deadline
        reused = exchange.reused
        streaming = exchange.streaming
        requestMethod = exchange.head.method
        idleSince = nil
        head = nil
        body = nil
        received = false
        requestSent = false
        requestKeepAlive = exchange.head.isKeepAlive
        arm(at: deadline)
        context.write(wrapOutboundOut(.head(exchange.head)), promise: nil)
        if let requestBody = exchange.body, requestBody.readableBytes > 0 {
            context.write(wrapOutboundOut(.body(.byteBuffer(requestBody))), promise: nil)
        }
        // A failed write closes the channel, and channelInactive fails the exchange.
        let written = context.eventLoop.makePromise(of: Void.self)
        written.futureResult.assumeIsolated().whenSuccess { [weak self] in self?.requestSent = true }
        context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: written)
    }

    /// The caller gave up (an outer timeout): the exchange ends and the connection, mid-request, closes.
    func cancel(_ answer: EventLoopFuture<UpstreamHTTPClient.Response>) {
        guard let promise, promise.futureResult === answer else { return }
        fail(.cancelled, close: true)
    }

    /// The timer fires at `at` unless it already fires earlier.
    func arm(at: NIODeadline) {
        guard let context, at < timerAt, at != .distantFuture else { return }
        timer?.cancel()
        timerAt = at
        timer = context.eventLoop.assumeIsolated().scheduleTask(deadline: at) { [weak self] in self?.timerFired() }
    }

    private func timerFired() {
        timer = nil
        timerAt = .distantFuture
        let now = NIODeadline.now()
        if promise != nil || sink != nil {
            if now >= deadline { fail(.timeout, close: true) } else { arm(at: deadline) }
        } else if let idleSince {
            if now >= idleSince + idleTimeout {
                onClose?()
                context?.close(promise: nil)
            } else {
                arm(at: idleSince + idleTimeout)
            }
        }
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        received = true
        switch unwrapInboundIn(data) {
        case .head(let h):
            // 1xx answers (100 Continue) come before the real one.
            if h.status.code >= 100, h.status.code < 200, h.status != .switchingProtocols { return }
            head = h
            if let streaming, let promise, Self.streams(h, method: requestMethod) {
                handOver(h, promise: promise, streaming: streaming, context: context)
            }
        case .body(var part):
            if sink != nil {
                pass(part, context: context)
                return
            }
            guard head != nil else { return }
            if (body?.readableBytes ?? 0) + part.readableBytes > maxBodyBytes {
                fail(.responseTooLarge, close: true)
                return
            }
            if body == nil { body = part } else { body!.writeBuffer(&part) }
        case .end:
            if let sink {
                self.sink = nil
                sink.source.finish()
                endExchange(context: context)
                return
            }
            guard let head, let promise else { return }
            let answer = UpstreamHTTPClient.Response(
                status: Int(head.status.code), headers: head.headers,
                body: body ?? context.channel.allocator.buffer(capacity: 0))
            endExchange(context: context)
            promise.succeed(answer)
        }
    }

    /// The exchange is over: the connection goes back to the pool, or closes. Reused only after a
    /// whole keep-alive exchange; never after 101 (the parser stops there) or an answer that came
    /// before the request was all written.
    private func endExchange(context: ChannelHandlerContext) {
        let keep =
            requestKeepAlive && head?.isKeepAlive == true && head?.status != .switchingProtocols && requestSent
            && context.channel.isActive
        finish()
        if paused { resumeReading(context: context) }
        if keep {
            let now = NIODeadline.now()
            idleSince = now
            arm(at: now + idleTimeout)
            onIdle?()
        } else {
            onClose?()
            context.close(promise: nil)
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        onClose?()
        let failure: UpstreamHTTPClient.Failure =
            received
            ? .reset("connection closed before the whole answer")
            : reused ? .closedBeforeAnswer : .reset("connection closed before an answer")
        fail(failure, close: false)
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: Error) {
        fail(.reset("\(error)"), close: true)
    }

    func finish() {
        promise = nil
        streaming = nil
        deadline = .distantFuture
        head = nil
        body = nil
    }

    func fail(_ failure: UpstreamHTTPClient.Failure, close: Bool) {
        if let promise {
            finish()
            promise.fail(failure)
        } else if let sink {
            self.sink = nil
            finish()
            sink.source.finish(failure)
        }
        if close { context?.close(promise: nil) }
    }
}
