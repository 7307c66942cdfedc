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
    private var context: ChannelHandlerContext?
    private var promise: EventLoopPromise<UpstreamHTTPClient.Response>?
    private var deadline = NIODeadline.distantFuture
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

    func start(
        head request: HTTPRequestHead, body requestBody: ByteBuffer?, deadline: NIODeadline, reused: Bool,
        promise: EventLoopPromise<UpstreamHTTPClient.Response>
    ) {
        guard let context, context.channel.isActive, self.promise == nil else {
            promise.fail(UpstreamHTTPClient.Failure.closedBeforeSend)
            return
        }
        self.promise = promise
        self.deadline = deadline
        self.reused = reused
        idleSince = nil
        head = nil
        body = nil
        received = false
        requestSent = false
        requestKeepAlive = request.isKeepAlive
        arm(at: deadline)
        context.write(wrapOutboundOut(.head(request)), promise: nil)
        if let requestBody, requestBody.readableBytes > 0 {
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
    private func arm(at: NIODeadline) {
        guard let context, at < timerAt else { return }
        timer?.cancel()
        timerAt = at
        timer = context.eventLoop.assumeIsolated().scheduleTask(deadline: at) { [weak self] in self?.timerFired() }
    }

    private func timerFired() {
        timer = nil
        timerAt = .distantFuture
        let now = NIODeadline.now()
        if promise != nil {
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
        case .body(var part):
            guard head != nil else { return }
            if (body?.readableBytes ?? 0) + part.readableBytes > maxBodyBytes {
                fail(.responseTooLarge, close: true)
                return
            }
            if body == nil { body = part } else { body!.writeBuffer(&part) }
        case .end:
            guard let head, let promise else { return }
            let answer = UpstreamHTTPClient.Response(
                status: Int(head.status.code), headers: head.headers,
                body: body ?? context.channel.allocator.buffer(capacity: 0))
            finish()
            // Reused only after a whole keep-alive exchange; never after 101 (the parser stops there)
            // or an answer that came before the request was all written.
            if requestKeepAlive, head.isKeepAlive, head.status != .switchingProtocols, requestSent, context.channel.isActive {
                let now = NIODeadline.now()
                idleSince = now
                arm(at: now + idleTimeout)
                onIdle?()
            } else {
                onClose?()
                context.close(promise: nil)
            }
            promise.succeed(answer)
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

    private func finish() {
        promise = nil
        deadline = .distantFuture
        head = nil
        body = nil
    }

    private func fail(_ failure: UpstreamHTTPClient.Failure, close: Bool) {
        if let promise {
            finish()
            promise.fail(failure)
        }
        if close { context?.close(promise: nil) }
    }
}
