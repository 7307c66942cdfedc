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
        /// The whole body; empty when it streams.
        public var body: ByteBuffer
        /// The body as it arrives, for an answer handed over at its head (see `Streaming`).
        public var stream: UpstreamBodyStream? = nil
    }

    /// Asks for an answer that streams (`text/event-stream`, or a body without Content-Length) to be
    /// handed over at its head, its body following as it arrives (`UpstreamBodyStream`); other answers
    /// are collected whole as without it. The exchange's `timeout` bounds the wait for the head;
    /// `bodyDeadline` (nil: none) then bounds the body, as Envoy's route timeout bounds a response
    /// to its end while Knative's revision timeout stops counting once a response has started.
    public struct Streaming: Sendable {
        public var bodyDeadline: NIODeadline?
        public init(bodyDeadline: NIODeadline?) { self.bodyDeadline = bodyDeadline }
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
        /// The caller's task was cancelled (an outer timeout); the connection is closed.
        case cancelled
        /// A pooled connection was found closed before anything was sent (never surfaces: retried once).
        case closedBeforeSend
        /// A pooled connection closed before any byte of the answer (never surfaces for an idempotent
        /// request: retried once on a new connection, as Go's HTTP client does).
        case closedBeforeAnswer
    }

    let group: any EventLoopGroup
    let maxBodyBytes: Int
    /// Idle connections close after this; below the 5 s keep-alive of uvicorn (KServe's Python
    /// servers), so the pool seldom hands out a connection the server is closing.
    let idleTimeout: TimeAmount
    let connectTimeout: TimeAmount
    private struct Pool: Sendable {
        var idle: [Int: [Connection]] = [:]
        var shutDown = false
    }
    private let pool = NIOLockedValueBox(Pool())

    public init(
        group: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton, maxBodyBytes: Int,
        idleTimeout: TimeAmount = .seconds(4), connectTimeout: TimeAmount = .seconds(10)
    ) {
        self.group = group
        self.maxBodyBytes = maxBodyBytes
        self.idleTimeout = idleTimeout
        self.connectTimeout = connectTimeout
    }

    /// Sends one request to `127.0.0.1:port` and collects the answer; `timeout` bounds connect, send
    /// and receive. Cancelling the calling task ends the exchange at once and closes its connection.
    /// With `streaming`, an answer that streams comes back at its head (see `Streaming`).
    public func execute(
        port: Int, head: HTTPRequestHead, body: ByteBuffer?, timeout: Duration, streaming: Streaming? = nil
    ) async throws -> Response {
        guard !pool.withLockedValue({ $0.shutDown }) else { throw Failure.connectFailure("the gateway is shutting down") }
        let deadline = NIODeadline.now() + TimeAmount(timeout)
        if let pooled = checkout(port: port) {
            do {
                return try await exchange(on: pooled, head: head, body: body, deadline: deadline, streaming: streaming)
            } catch Failure.closedBeforeSend {
                // The server closed it while idle and nothing reached it: a new connection takes the request.
            } catch Failure.closedBeforeAnswer {
                // The server closed it as the request went out (its keep-alive ran out first); only
                // an idempotent request is sent again, as it may have been received.
                guard Self.idempotent(head.method) else { throw Failure.reset("connection closed before an answer") }
            }
        }
        let connection = try await connect(port: port, deadline: deadline)
        do {
            return try await exchange(on: connection, head: head, body: body, deadline: deadline, streaming: streaming)
        } catch Failure.closedBeforeSend, Failure.closedBeforeAnswer {
            throw Failure.reset("connection closed before an answer")
        }
    }

    static func idempotent(_ method: HTTPMethod) -> Bool {
        [.GET, .HEAD, .OPTIONS, .TRACE, .PUT, .DELETE].contains(method)
    }

    private func exchange(
        on connection: Connection, head: HTTPRequestHead, body: ByteBuffer?, deadline: NIODeadline, streaming: Streaming?
    ) async throws -> Response {
        let answer = connection.send(head: head, body: body, deadline: deadline, streaming: streaming)
        return try await withTaskCancellationHandler {
            try await answer.get()
        } onCancel: {
            connection.cancel(answer)
        }
    }

    /// Closes the idle connections and refuses new requests; a connection in use closes when its
    /// answer is in.
    public func shutdown() {
        let all = pool.withLockedValue { p in
            p.shutDown = true
            defer { p.idle.removeAll() }
            return p.idle.values.flatMap { $0 }
        }
        for c in all { c.channel.close(promise: nil) }
    }

    /// An idle connection to `port`, one on the calling thread's event loop first.
    private func checkout(port: Int) -> Connection? {
        let current = MultiThreadedEventLoopGroup.currentEventLoop
        return pool.withLockedValue { p -> Connection? in
            guard var list = p.idle[port], !list.isEmpty else { return nil }
            let index = current.flatMap { loop in list.lastIndex { $0.channel.eventLoop === loop } } ?? list.count - 1
            let connection = list.remove(at: index)
            p.idle[port] = list
            return connection
        }
    }

    private func checkin(_ connection: Connection) {
        let kept = pool.withLockedValue { p -> Bool in
            guard !p.shutDown else { return false }
            p.idle[connection.port, default: []].append(connection)
            return true
        }
        if !kept { connection.channel.close(promise: nil) }
    }

    private func forget(_ connection: Connection) {
        pool.withLockedValue { p in p.idle[connection.port]?.removeAll { $0 === connection } }
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
                        // No outbound validation: the path is the client's, as the inbound parser took it
                        // (NIO's validator refuses `{` or `"` in a query string, which Envoy forwards);
                        // CR, LF and NUL never get past the inbound parser and request hygiene.
                        try channel.pipeline.syncOperations.addHTTPClientHandlers(enableOutboundHeaderValidation: false)
                        try channel.pipeline.syncOperations.addHandler(handler)
                        let connection = Connection(
                            port: port, channel: channel, handler: NIOLoopBound(handler, eventLoop: channel.eventLoop))
                        // Cleared when the handler is removed (the connection holds the handler, the handler these).
                        handler.onIdle = { self?.checkin(connection) }
                        handler.onClose = { self?.forget(connection) }
                        made.succeed(connection)
                    }
                }
                .connect(host: "127.0.0.1", port: port).get()
        } catch {
            made.fail(error)
            // The request's own deadline, when it was shorter than the connect timeout, is a timeout.
            if remaining < connectTimeout, NIODeadline.now() >= deadline { throw Failure.timeout }
            throw Failure.connectFailure("\(error)")
        }
        return try await made.futureResult.get()
    }

    final class Connection: Sendable {
        let port: Int
        let channel: Channel
        let handler: NIOLoopBound<UpstreamConnectionHandler>
        /// Whether an answer came on this connection before (a reused one may meet the server's close).
        private let used = NIOLockedValueBox(false)

        init(port: Int, channel: Channel, handler: NIOLoopBound<UpstreamConnectionHandler>) {
            self.port = port
            self.channel = channel
            self.handler = handler
        }

        func send(head: HTTPRequestHead, body: ByteBuffer?, deadline: NIODeadline, streaming: Streaming?) -> EventLoopFuture<Response> {
            let loop = channel.eventLoop
            let promise = loop.makePromise(of: Response.self)
            let reused = used.withLockedValue { u in
                defer { u = true }; return u
            }
            let exchange = UpstreamConnectionHandler.Exchange(
                head: head, body: body, deadline: deadline, reused: reused, streaming: streaming, promise: promise)
            if loop.inEventLoop {
                handler.value.start(exchange)
            } else {
                loop.execute { self.handler.value.start(exchange) }
            }
            return promise.futureResult
        }

        /// Ends the exchange whose answer is `answer`, if it is still the connection's current one
        /// (the connection may serve another request by the time the cancellation arrives).
        func cancel(_ answer: EventLoopFuture<Response>) {
            channel.eventLoop.execute { self.handler.value.cancel(answer) }
        }
    }
}
