import NIOCore
import NIOHTTP1

/// An answer handed over at its head, its body passed on as it arrives (`UpstreamBodyStream`).
extension UpstreamConnectionHandler {
    /// The body's producer side while it flows, and the exchange it belongs to.
    struct Sink {
        let source: UpstreamBodyStream.Parts.Source
        let exchange: Int
    }

    /// A few parts may wait for the consumer; past that the connection stops reading until it takes them.
    static let backPressure = NIOAsyncSequenceProducerBackPressureStrategies.HighLowWatermark(lowWatermark: 2, highWatermark: 8)

    /// Whether an answer streams: server-sent events, or a body whose length the head does not give
    /// (chunked, or ended by the connection's close). Never one without a body (HEAD, 204, 304).
    static func streams(_ head: HTTPResponseHead, method: HTTPMethod) -> Bool {
        let code = head.status.code
        if method == .HEAD || code == 204 || code == 304 || code < 200 { return false }
        guard head.headers.contains(name: "content-length") else { return true }
        return head.headers.first(name: "content-type").map(isEventStream) ?? false
    }

    /// Whether a Content-Type is `text/event-stream` (any letter case, parameters after it), without
    /// allocating: every sized answer's head passes here.
    static func isEventStream(_ type: String) -> Bool {
        let expected = "text/event-stream".utf8
        let utf8 = type.utf8
        guard utf8.count >= expected.count else { return false }
        return utf8.prefix(expected.count).elementsEqual(expected) { ($0 >= 65 && $0 <= 90 ? $0 + 32 : $0) == $1 }
    }

    /// Hands the answer over now; its body goes to the stream as it comes. From here the body's own
    /// deadline (if any) bounds the exchange, not the wait for the head.
    func handOver(
        _ head: HTTPResponseHead, promise: EventLoopPromise<UpstreamHTTPClient.Response>,
        streaming: UpstreamHTTPClient.Streaming, context: ChannelHandlerContext
    ) {
        let exchange = number
        let loop = context.eventLoop
        let weak = NIOLoopBound(WeakHandler(self), eventLoop: loop)
        let control = UpstreamBodyStream.Control(
            onDemand: { loop.execute { weak.value.handler?.demand(exchange) } },
            onEnd: { loop.execute { weak.value.handler?.consumerEnded(exchange) } },
            onLimit: { deadline in loop.execute { weak.value.handler?.limitBody(exchange, to: deadline) } })
        let made = UpstreamBodyStream.Parts.makeSequence(
            elementType: ByteBuffer.self, failureType: (any Error).self, backPressureStrategy: Self.backPressure,
            finishOnDeinit: false, delegate: control)
        sink = Sink(source: made.source, exchange: exchange)
        self.promise = nil
        deadline = streaming.bodyDeadline ?? .distantFuture
        arm(at: deadline)
        let answer = UpstreamHTTPClient.Response(
            status: Int(head.status.code), headers: head.headers, body: context.channel.allocator.buffer(capacity: 0),
            stream: UpstreamBodyStream(parts: made.sequence, control: control))
        promise.succeed(answer)
    }

    /// One part of the body to the stream; reading pauses while the consumer is behind.
    func pass(_ part: ByteBuffer, context: ChannelHandlerContext) {
        guard let sink else { return }
        switch sink.source.yield(part) {
        case .produceMore:
            break
        case .stopProducing:
            guard !paused else { return }
            paused = true
            context.channel.setOption(ChannelOptions.autoRead, value: false).whenFailure { _ in }
        case .dropped:
            // The consumer is gone: the replica is told by the connection's close.
            fail(.cancelled, close: true)
        }
    }

    func resumeReading(context: ChannelHandlerContext) {
        paused = false
        context.channel.setOption(ChannelOptions.autoRead, value: true).whenFailure { _ in }
        context.read()
    }

    /// The consumer wants more of exchange `exchange`.
    func demand(_ exchange: Int) {
        guard let context, sink?.exchange == exchange, paused else { return }
        resumeReading(context: context)
    }

    /// The consumer of exchange `exchange` is done: if the body has not ended, the connection closes
    /// (the client went away, or the answer was dropped), so the replica sees the request end.
    func consumerEnded(_ exchange: Int) {
        guard sink?.exchange == exchange else { return }
        fail(.cancelled, close: true)
    }

    /// An outer deadline for the body of exchange `exchange` (a route timeout of an outer hop).
    func limitBody(_ exchange: Int, to limit: NIODeadline) {
        guard sink?.exchange == exchange, limit < deadline else { return }
        deadline = limit
        arm(at: limit)
    }
}

/// The handler as a stream's callbacks see it: gone once its channel is.
final class WeakHandler {
    weak var handler: UpstreamConnectionHandler?
    init(_ handler: UpstreamConnectionHandler) { self.handler = handler }
}
