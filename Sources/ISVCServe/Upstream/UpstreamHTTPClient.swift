import NIOConcurrencyHelpers
import NIOCore
import NIOHTTP1
import NIOPosix

/// The gateway's HTTP/1.1 client for its replicas, as an Envoy worker holds its upstream
/// connections: keep-alive connections on loopback, pooled per port, taken from the caller's own
/// event loop when one is idle there, so that a request and its forward stay on one thread.
///
/// AsyncHTTPClient did this job before and cost about 40 % of the gateway's CPU (request
/// preparation, URL parsing, tracing, its connection-pool state machine and a thread hop per
/// request); this client is SwiftNIO's HTTP/1 codec with a pool and nothing else.
public final class UpstreamHTTPClient: Sendable {
    public struct Response: Sendable {
        public var status: Int
        public var headers: HTTPHeaders
        public var body: ByteBuffer
    }

    public enum Failure: Error, Sendable, Equatable {
        /// No connection could be made (refused, or not within the connect timeout).
        case connectFailure(String)
        /// The deadline passed before the whole response arrived.
        case timeout
        /// The connection failed or closed before the whole response arrived.
        case reset(String)
        /// The response body passed the gateway's limit.
        case responseTooLarge
        /// A pooled connection was found closed before anything was sent (never surfaces: retried once).
        case closedBeforeSend
    }

    let group: any EventLoopGroup
    let maxBodyBytes: Int
    /// Idle connections close after this; below the 5 s keep-alive of uvicorn (KServe's Python
    /// servers), so the pool seldom hands out a connection the server is closing.
    let idleTimeout: TimeAmount
    let connectTimeout: TimeAmount
    private let idle = NIOLockedValueBox<[Int: [Connection]]>([:])

    public init(group: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton, maxBodyBytes: Int,
                idleTimeout: TimeAmount = .seconds(4), connectTimeout: TimeAmount = .seconds(10)) {
        self.group = group
        self.maxBodyBytes = maxBodyBytes
        self.idleTimeout = idleTimeout
        self.connectTimeout = connectTimeout
    }

    /// Sends one request to `127.0.0.1:port` and collects the answer; `timeout` bounds connect, send and receive.
    public func execute(port: Int, head: HTTPRequestHead, body: ByteBuffer?, timeout: Duration) async throws -> Response {
        let deadline = NIODeadline.now() + TimeAmount(timeout)
        if let pooled = checkout(port: port) {
            do {
                return try await pooled.send(head: head, body: body, deadline: deadline).get()
            } catch Failure.closedBeforeSend {
                // The server closed it while idle; nothing reached it, so a fresh connection takes the request.
            }
        }
        let connection = try await connect(port: port, deadline: deadline)
        return try await connection.send(head: head, body: body, deadline: deadline).get()
    }

    /// Closes the idle connections (those in use close when their answer is in).
    public func shutdown() {
        let all = idle.withLockedValue { pool in
            defer { pool.removeAll() }
            return pool.values.flatMap { $0 }
        }
        for c in all { c.channel.close(promise: nil) }
    }

    /// An idle connection to `port`, one on the calling thread's event loop first.
    private func checkout(port: Int) -> Connection? {
        let current = MultiThreadedEventLoopGroup.currentEventLoop
        return idle.withLockedValue { pool -> Connection? in
            guard var list = pool[port], !list.isEmpty else { return nil }
            let index = current.flatMap { loop in list.lastIndex { $0.channel.eventLoop === loop } } ?? list.count - 1
            let connection = list.remove(at: index)
            pool[port] = list
            return connection
        }
    }

    private func checkin(_ connection: Connection) {
        idle.withLockedValue { $0[connection.port, default: []].append(connection) }
    }

    private func forget(_ connection: Connection) {
        idle.withLockedValue { pool in pool[connection.port]?.removeAll { $0 === connection } }
    }

    private func connect(port: Int, deadline: NIODeadline) async throws -> Connection {
        let loop = MultiThreadedEventLoopGroup.currentEventLoop ?? group.next()
        let remaining = deadline - .now()
        guard remaining > .zero else { throw Failure.timeout }
        let maxBody = maxBodyBytes
        let idleTimeout = idleTimeout
        let made = loop.makePromise(of: Connection.self)
        do {
            _ = try await ClientBootstrap(group: loop)
                .connectTimeout(min(connectTimeout, remaining))
                .channelOption(.socketOption(.tcp_nodelay), value: 1)
                .channelInitializer { [weak self] channel in
                    channel.eventLoop.makeCompletedFuture {
                        let handler = UpstreamConnectionHandler(maxBodyBytes: maxBody, idleTimeout: idleTimeout)
                        try channel.pipeline.syncOperations.addHTTPClientHandlers()
                        try channel.pipeline.syncOperations.addHandler(handler)
                        let connection = Connection(port: port, channel: channel, handler: NIOLoopBound(handler, eventLoop: channel.eventLoop))
                        // Cleared when the channel closes (the connection holds the handler, the handler these).
                        handler.onIdle = { self?.checkin(connection) }
                        handler.onClose = { self?.forget(connection) }
                        made.succeed(connection)
                    }
                }
                .connect(host: "127.0.0.1", port: port).get()
        } catch {
            made.fail(error)
            throw Failure.connectFailure("\(error)")
        }
        return try await made.futureResult.get()
    }

    final class Connection: Sendable {
        let port: Int
        let channel: Channel
        let handler: NIOLoopBound<UpstreamConnectionHandler>

        init(port: Int, channel: Channel, handler: NIOLoopBound<UpstreamConnectionHandler>) {
            self.port = port
            self.channel = channel
            self.handler = handler
        }

        func send(head: HTTPRequestHead, body: ByteBuffer?, deadline: NIODeadline) -> EventLoopFuture<Response> {
            let loop = channel.eventLoop
            let promise = loop.makePromise(of: Response.self)
            if loop.inEventLoop {
                handler.value.start(head: head, body: body, deadline: deadline, promise: promise)
            } else {
                loop.execute { self.handler.value.start(head: head, body: body, deadline: deadline, promise: promise) }
            }
            return promise.futureResult
        }
    }
}

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
    /// Any byte of the answer seen.
    private var received = false
    var onIdle: (() -> Void)?
    var onClose: (() -> Void)?

    init(maxBodyBytes: Int, idleTimeout: TimeAmount) {
        self.maxBodyBytes = maxBodyBytes
        self.idleTimeout = idleTimeout
    }

    func handlerAdded(context: ChannelHandlerContext) { self.context = context }

    func start(head request: HTTPRequestHead, body requestBody: ByteBuffer?, deadline: NIODeadline,
               promise: EventLoopPromise<UpstreamHTTPClient.Response>) {
        guard let context, context.channel.isActive, self.promise == nil else {
            promise.fail(UpstreamHTTPClient.Failure.closedBeforeSend)
            return
        }
        self.promise = promise
        self.deadline = deadline
        idleSince = nil
        head = nil
        body = nil
        received = false
        requestKeepAlive = request.isKeepAlive
        arm(at: deadline)
        context.write(wrapOutboundOut(.head(request)), promise: nil)
        if let requestBody, requestBody.readableBytes > 0 {
            context.write(wrapOutboundOut(.body(.byteBuffer(requestBody))), promise: nil)
        }
        // A failed write closes the channel, and channelInactive fails the exchange.
        context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: nil)
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
            let answer = UpstreamHTTPClient.Response(status: Int(head.status.code), headers: head.headers,
                                                     body: body ?? context.channel.allocator.buffer(capacity: 0))
            finish()
            if requestKeepAlive, head.isKeepAlive, context.channel.isActive {
                let now = NIODeadline.now()
                idleSince = now
                arm(at: now + idleTimeout)
                onIdle?()
            } else {
                context.close(promise: nil)
            }
            promise.succeed(answer)
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        onClose?()
        onClose = nil
        onIdle = nil
        timer?.cancel()
        timer = nil
        fail(received ? .reset("connection closed before the whole answer") : .reset("connection closed before an answer"), close: false)
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
