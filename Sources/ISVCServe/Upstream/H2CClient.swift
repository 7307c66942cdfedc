import HTTPTypes
import NIOConcurrencyHelpers
import NIOCore
import NIOHTTP2
import NIOHTTPTypes
import NIOHTTPTypesHTTP2
import NIOPosix

/// The gateway's HTTP/2 cleartext (prior knowledge) client for replicas behind an HTTP/2 cluster
/// (an h2c revision, a gRPC Service port): one multiplexed connection per replica port, a stream per
/// request, trailers kept (gRPC's status is in them). Knative's queue-proxy and activator forward an
/// HTTP/2 request to the user container this way (`NewProxyAutoTransport`). Failures are
/// `UpstreamHTTPClient.Failure`s, so the gateway answers them as for HTTP/1.1 replicas.
public final class H2CClient: Sendable {
    public struct Answer: Sendable {
        public var head: HTTPResponse
        public var body: ByteBuffer
        public var trailers: HTTPFields?
    }

    typealias Stream = NIOAsyncChannel<HTTPResponsePart, HTTPRequestPart>
    typealias Multiplexer = NIOHTTP2Handler.AsyncStreamMultiplexer<Void>
    struct Connection: Sendable {
        let channel: any Channel
        let multiplexer: Multiplexer
    }

    let group: any EventLoopGroup
    let maxBodyBytes: Int
    let connectTimeout: TimeAmount
    private let connections = NIOLockedValueBox<[Int: EventLoopFuture<Connection>]>([:])

    public init(
        group: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton, maxBodyBytes: Int, connectTimeout: TimeAmount = .seconds(10)
    ) {
        self.group = group
        self.maxBodyBytes = maxBodyBytes
        self.connectTimeout = connectTimeout
    }

    /// The connection to `127.0.0.1:port`, made on first use and forgotten when it closes.
    func connection(port: Int) -> EventLoopFuture<Connection> {
        connections.withLockedValue { connections in
            if let existing = connections[port] { return existing }
            let made = ClientBootstrap(group: group)
                .channelOption(.socketOption(.tcp_nodelay), value: 1)
                .connectTimeout(connectTimeout)
                .connect(host: "127.0.0.1", port: port)
                .flatMap { channel in
                    channel.configureAsyncHTTP2Pipeline(mode: .client) { stream in stream.eventLoop.makeSucceededVoidFuture() }
                        .map { Connection(channel: channel, multiplexer: $0) }
                }
            connections[port] = made
            made.whenComplete { [weak self] result in
                switch result {
                case .success(let c): c.channel.closeFuture.whenComplete { _ in self?.forget(port, made) }
                case .failure: self?.forget(port, made)
                }
            }
            return made
        }
    }

    private func forget(_ port: Int, _ future: EventLoopFuture<Connection>) {
        connections.withLockedValue { if $0[port] === future { $0[port] = nil } }
    }

    /// Sends one request on a new stream and collects the answer within `timeout`.
    public func execute(
        port: Int, head: HTTPRequest, body: ByteBuffer, trailers: HTTPFields? = nil, timeout: Duration
    ) async throws -> Answer {
        let connection: Connection
        do {
            connection = try await self.connection(port: port).get()
        } catch {
            throw UpstreamHTTPClient.Failure.connectFailure("\(error)")
        }
        let stream: Stream
        do {
            stream = try await connection.multiplexer.openStream { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(HTTP2FramePayloadToHTTPClientCodec())
                    return try Stream(wrappingChannelSynchronously: channel)
                }
            }
        } catch {
            throw UpstreamHTTPClient.Failure.reset("\(error)")
        }
        let nanoseconds = timeout.components.seconds * 1_000_000_000 + timeout.components.attoseconds / 1_000_000_000
        let timedOut = NIOLockedValueBox(false)
        let timer = stream.channel.eventLoop.scheduleTask(in: .nanoseconds(max(0, nanoseconds))) { [channel = stream.channel] in
            timedOut.withLockedValue { $0 = true }
            channel.close(promise: nil)
        }
        defer { timer.cancel() }
        do {
            return try await exchange(stream, head: head, body: body, trailers: trailers)
        } catch let failure as UpstreamHTTPClient.Failure {
            throw failure
        } catch {
            if timedOut.withLockedValue({ $0 }) { throw UpstreamHTTPClient.Failure.timeout }
            if Task.isCancelled { throw UpstreamHTTPClient.Failure.cancelled }
            throw UpstreamHTTPClient.Failure.reset("\(error)")
        }
    }

    /// The request goes out in one flush. A server may answer in full before the request has ended
    /// and then reset the stream (RFC 9113 §8.1: a gRPC server does so for a unary call it has read,
    /// a gateway for a request it answers locally): the write then fails, yet the answer already
    /// received is the answer, so a failed write ends the exchange only when no complete answer came.
    func exchange(_ stream: Stream, head: HTTPRequest, body: ByteBuffer, trailers: HTTPFields?) async throws -> Answer {
        let limit = maxBodyBytes
        return try await stream.executeThenClose { inbound, outbound in
            var parts: [HTTPRequestPart] = [.head(head)]
            if body.readableBytes > 0 { parts.append(.body(body)) }
            parts.append(.end(trailers))
            var writeFailure: (any Error)?
            do { try await outbound.write(contentsOf: parts) } catch { writeFailure = error }
            var response: HTTPResponse?
            var collected = ByteBuffer()
            do {
                for try await part in inbound {
                    switch part {
                    case .head(let h) where h.status.kind != .informational: response = h
                    case .head: continue
                    case .body(var chunk):
                        guard collected.readableBytes + chunk.readableBytes <= limit else {
                            throw UpstreamHTTPClient.Failure.responseTooLarge
                        }
                        collected.writeBuffer(&chunk)
                    case .end(let t):
                        guard let response else { throw UpstreamHTTPClient.Failure.reset("the stream ended before response headers") }
                        return Answer(head: response, body: collected, trailers: t)
                    }
                }
            } catch let failure as UpstreamHTTPClient.Failure {
                throw failure
            } catch {
                throw writeFailure ?? error
            }
            throw writeFailure ?? UpstreamHTTPClient.Failure.reset("the stream closed before the response ended")
        }
    }

    /// Closes every connection (at shutdown).
    public func shutdown() {
        let all = connections.withLockedValue { c in
            defer { c = [:] }
            return Array(c.values)
        }
        for future in all { future.whenSuccess { $0.channel.close(promise: nil) } }
    }
}
