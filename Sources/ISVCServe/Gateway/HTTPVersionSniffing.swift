import HummingbirdCore
import HummingbirdHTTP2
import Logging
import NIOCore
import NIOHTTP2

/// A gateway listener that speaks HTTP/1.1 and HTTP/2 over cleartext (prior knowledge) on one port,
/// as Envoy's `codec_type: AUTO` does: the first bytes of a connection decide. The HTTP/2
/// connection preface (RFC 9113 §3.4) makes it an HTTP/2 connection (`HTTP2Channel`), anything else
/// HTTP/1.1 (`HTTP1Channel`); both answer with the same responder.
struct CleartextHTTPChannel: ServerChildChannel {
    struct Value: ServerChildChannelValue {
        typealias Negotiated = NIONegotiatedHTTPVersion<HTTP1Channel.Value, HTTP2Channel.Value>
        let negotiated: EventLoopFuture<Negotiated>
        let channel: any Channel
    }

    let http1: HTTP1Channel
    let http2: HTTP2Channel

    init(responder: @escaping HTTPChannelHandler.Responder, http1: HTTP1Channel.Configuration, http2: HTTP2ChannelConfiguration) {
        self.http1 = HTTP1Channel(responder: responder, configuration: http1)
        self.http2 = HTTP2Channel(responder: responder, configuration: http2)
    }

    func setup(channel: any Channel, logger: Logger) -> EventLoopFuture<Value> {
        let promise = channel.eventLoop.makePromise(of: NIONegotiatedHTTPVersion<HTTP1Channel.Value, HTTP2Channel.Value>.self)
        let sniffer = HTTPVersionSniffer { isHTTP2 in
            if isHTTP2 {
                return self.http2.setup(channel: channel, logger: logger).map { .http2($0) }
            }
            return self.http1.setup(channel: channel, logger: logger).map { .http1_1($0) }
        } decided: {
            promise.completeWith($0)
        }
        // The version is always decided: a connection that closes before the sniffer is in place, or
        // before it saw a byte, ends the wait (a later decision is then ignored). Under load a client
        // that connected and left at once closed the channel before setup, and the promise leaked.
        channel.closeFuture.whenComplete { _ in promise.fail(ChannelError.eof) }
        let ready = channel.eventLoop.makeCompletedFuture {
            // Each part of a streamed answer leaves at once, not held by Nagle's algorithm until the
            // client acknowledges the one before (Envoy sets TCP_NODELAY on its connections too).
            try channel.syncOptions?.setOption(ChannelOptions.socketOption(.tcp_nodelay), value: 1)
            try channel.pipeline.syncOperations.addHandler(sniffer)
            return Value(negotiated: promise.futureResult, channel: channel)
        }
        ready.whenFailure { promise.fail($0) }
        return ready
    }

    func handle(value: Value, logger: Logger) async {
        do {
            switch try await value.negotiated.get() {
            case .http1_1(let connection): await http1.handle(value: connection, logger: logger)
            case .http2(let connection): await http2.handle(value: connection, logger: logger)
            }
        } catch {
            logger.debug("connection closed before its HTTP version was known: \(error)")
        }
    }
}

/// Reads a connection's first bytes until they are or are not the HTTP/2 preface, has the pipeline
/// configured for that version, replays what it read into it, and leaves the pipeline.
final class HTTPVersionSniffer: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = ByteBuffer
    typealias InboundOut = ByteBuffer
    typealias Negotiated = NIONegotiatedHTTPVersion<HTTP1Channel.Value, HTTP2Channel.Value>

    static let preface = Array("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n".utf8)

    let configure: (Bool) -> EventLoopFuture<Negotiated>
    let decided: (Result<Negotiated, any Error>) -> Void
    var buffered: ByteBuffer?
    var configuring = false
    /// Draining began before the version was known: the configured pipeline is told after the replay.
    var quiesced = false

    init(configure: @escaping (Bool) -> EventLoopFuture<Negotiated>, decided: @escaping (Result<Negotiated, any Error>) -> Void) {
        self.configure = configure
        self.decided = decided
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        var incoming = unwrapInboundIn(data)
        if buffered == nil { buffered = incoming } else { buffered!.writeBuffer(&incoming) }
        guard !configuring, let bytes = buffered?.readableBytesView else { return }
        let n = min(bytes.count, Self.preface.count)
        let matches = bytes.prefix(n).elementsEqual(Self.preface.prefix(n))
        if matches && bytes.count < Self.preface.count { return }
        configuring = true
        let loopBound = NIOLoopBound((self, context), eventLoop: context.eventLoop)
        configure(matches).whenComplete { result in
            let (handler, context) = loopBound.value
            handler.decided(result)
            guard case .success = result else {
                context.close(promise: nil)
                return
            }
            if let bytes = handler.buffered {
                handler.buffered = nil
                context.fireChannelRead(handler.wrapInboundOut(bytes))
                context.fireChannelReadComplete()
            }
            if handler.quiesced { context.fireUserInboundEventTriggered(ChannelShouldQuiesceEvent()) }
            context.pipeline.syncOperations.removeHandler(context: context, promise: nil)
        }
    }

    func channelReadComplete(context: ChannelHandlerContext) {
        if !configuring { context.read() }
    }

    func channelInactive(context: ChannelHandlerContext) {
        if !configuring { decided(.failure(ChannelError.eof)) }
        context.fireChannelInactive()
    }

    /// A connection whose client half-closes before its first bytes (a TCP probe: connect, then close;
    /// the listener allows remote half-closure, so no channelInactive comes) is closed; one asked to
    /// quiesce before them is closed after the grace GatewayConnectionHandler gives an idle connection,
    /// unless a request comes meanwhile (which then hears of the drain). Left open, such a connection
    /// stayed in CLOSE-WAIT and held a graceful shutdown forever (its handler awaited a version).
    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if !configuring, (event as? ChannelEvent) == .inputClosed {
            context.close(promise: nil)
        } else if !configuring, event is ChannelShouldQuiesceEvent {
            quiesced = true
            context.eventLoop.assumeIsolated().scheduleTask(in: GatewayConnectionHandler.idleDrainGrace) { [weak self] in
                if self?.configuring == false { context.close(promise: nil) }
            }
        } else {
            context.fireUserInboundEventTriggered(event)
        }
    }
}
