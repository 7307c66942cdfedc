import HTTPTypes
import NIOCore
import NIOHPACK
import NIOHTTP2
import NIOPosix
import Testing

@testable import ISVCServe

/// The gateway's HTTP/2 client against a server that answers before the request has ended.
@Suite("H2CClient: answers that come before the request ends")
struct H2CClientTests {
    /// Answers each stream in full as soon as its HEADERS arrive (headers, one DATA frame, trailers
    /// ending the stream), then resets it with NO_ERROR, as RFC 9113 §8.1 lets a server do and as a
    /// gRPC server does with a unary call it has read.
    final class EarlyAnswer: ChannelInboundHandler, Sendable {
        typealias InboundIn = HTTP2Frame.FramePayload
        typealias OutboundOut = HTTP2Frame.FramePayload

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            guard case .headers = unwrapInboundIn(data) else { return }
            let head: HPACKHeaders = [":status": "200", "content-type": "application/grpc"]
            context.write(wrapOutboundOut(.headers(.init(headers: head))), promise: nil)
            context.write(wrapOutboundOut(.data(.init(data: .byteBuffer(ByteBuffer(string: "early"))))), promise: nil)
            // The reset once the trailers are on the wire (a reset drops the stream's frames still queued).
            let trailers = context.eventLoop.makePromise(of: Void.self)
            context.writeAndFlush(wrapOutboundOut(.headers(.init(headers: ["grpc-status": "0"], endStream: true))), promise: trailers)
            let loopBound = NIOLoopBound(context, eventLoop: context.eventLoop)
            trailers.futureResult.whenSuccess {
                loopBound.value.writeAndFlush(self.wrapOutboundOut(.rstStream(.noError)), promise: nil)
            }
        }
    }

    @Test("a complete answer followed by RST_STREAM(NO_ERROR) while the request body still waits for flow control is the answer")
    func answerBeforeRequestEnds() async throws {
        let server = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .childChannelInitializer { channel in
                channel.configureHTTP2Pipeline(mode: .server) { stream in
                    stream.pipeline.addHandler(EarlyAnswer())
                }.map { _ in }
            }
            .bind(host: "127.0.0.1", port: 0).get()
        defer { server.close(promise: nil) }
        let client = H2CClient(maxBodyBytes: 1 << 20)
        defer { client.shutdown() }
        // 1 MiB: more than the stream's initial window (64 KiB), so the body is still being sent
        // when the server's answer and reset arrive.
        let body = ByteBuffer(repeating: 7, count: 1 << 20)
        let head = HTTPRequest(method: .post, scheme: "http", authority: "replica", path: "/inference.GRPCInferenceService/ModelInfer")
        for _ in 0..<3 {
            let answer = try await client.execute(port: server.localAddress!.port!, head: head, body: body, timeout: .seconds(30))
            #expect(answer.head.status == .ok)
            #expect(String(buffer: answer.body) == "early")
            #expect(answer.trailers?[HTTPField.Name("grpc-status")!] == "0")
        }
    }
}
