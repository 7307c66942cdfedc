import HTTPTypes
import NIOCore
import NIOHTTP1
import NIOHTTPTypes
import NIOHTTPTypesHTTP1

/// Per client connection, between the HTTP/1 codec and Hummingbird's request loop, what Envoy's
/// HTTP/1 codec and connection manager do that Hummingbird does not:
///
/// - A request the parser refuses is answered as Envoy answers it (its codec's local reply: the
///   reason phrase as a plain-text body, `Connection: close`), then the connection is closed: 431
///   when the headers pass the parser's limit, 400 for the rest (both Content-Length and
///   Transfer-Encoding, two Content-Lengths, a bad chunk size, NUL in a header; also obs-fold and a
///   lone CR, which Envoy would repair and forward). Hummingbird answered an empty 400 to all of
///   them. An error in a body being read fails that read (the gateway answers 400: `readBody`); the
///   connection closes after the answer, and a body error after its request was answered only closes
///   it (Hummingbird wrote a second, unrequested 400 there).
/// - While draining (graceful shutdown), every answer carries `Connection: close` and the
///   connection closes after it, as Envoy and Go's server do: a kept-alive client then opens a new
///   connection for its next request instead of sending it on one the server is about to close.
///   A connection idle when draining begins is closed after a short grace, not at once, so that a
///   request already on its way is answered rather than dropped.
/// - The client's FIN while a request is answered closes the connection (Envoy resets the request):
///   a streamed answer's upstream request ends with it.
final class GatewayConnectionHandler: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPRequestPart
    typealias InboundOut = HTTPRequestPart
    typealias OutboundIn = HTTPResponsePart
    typealias OutboundOut = HTTPResponsePart

    /// Requests read whose answer is not yet written to its end.
    private var unanswered = 0
    /// A request's head read, its end not yet: a parser error now is in its body.
    private var readingBody = false
    /// Graceful shutdown began (Hummingbird's connection handler closes the connection once idle).
    private var draining = false
    /// The connection closes after the answer being written (its request's body was malformed).
    private var closeAfterAnswer = false
    /// A parser error in a request that follows one still being answered: answered after it.
    private var pending: HTTPParserError?
    private var answeredError = false

    init() {}

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head:
            unanswered += 1
            readingBody = true
        case .body:
            break
        case .end:
            readingBody = false
        }
        context.fireChannelRead(data)
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        // A head that parsed but is no HTTPRequest (a method HTTPTypes refuses) is a 400 too.
        guard let parserError = error as? HTTPParserError ?? (error is HTTP1TypeConversionError ? .invalidMethod : nil) else {
            context.fireErrorCaught(error)
            return
        }
        if unanswered == 0 {
            // Between requests (a head the parser refused), or the body of a request already answered.
            if readingBody { context.close(promise: nil) } else { answer(parserError, context: context) }
        } else if readingBody {
            // The request's body: its reader fails and the gateway answers; then the connection closes.
            closeAfterAnswer = true
            context.fireErrorCaught(error)
        } else {
            pending = parserError
        }
    }

    /// How long a connection idle when draining begins stays open: a request already on its way
    /// (a kept-alive client sends its next one as soon as it has the last answer) is answered, with
    /// `Connection: close`, instead of meeting a closed connection.
    static let idleDrainGrace = TimeAmount.milliseconds(250)

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        // The client's FIN while its request is answered (Hummingbird allows half-closure, so the
        // connection would stay open until the answer is written): the client is gone, as Envoy's
        // HTTP/1 connection manager takes it (a remote close resets the requests in progress). Closing
        // now ends a streamed answer's upstream request at once. (An HTTP/2 stream's channel, which
        // this handler also serves on the TLS listener, never gets the event: NIO's stream channels
        // do not fire it.)
        if case ChannelEvent.inputClosed? = event as? ChannelEvent, unanswered > 0 {
            context.close(promise: nil)
            return
        }
        guard event is ChannelShouldQuiesceEvent else {
            context.fireUserInboundEventTriggered(event)
            return
        }
        draining = true
        guard unanswered == 0, !readingBody else {
            // A request in progress: Hummingbird's handler closes the connection after its answer.
            context.fireUserInboundEventTriggered(event)
            return
        }
        // Idle (Hummingbird's handler would close it at once): closed after the grace unless a request
        // came meanwhile; that one's answer closes it (`write`).
        context.eventLoop.assumeIsolated().scheduleTask(in: Self.idleDrainGrace) {
            if self.unanswered == 0, !self.readingBody { context.close(promise: nil) }
        }
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        switch unwrapOutboundIn(data) {
        case .head(var head) where draining || closeAfterAnswer || pending != nil:
            head.headerFields[.connection] = "close"
            context.write(wrapOutboundOut(.head(head)), promise: promise)
        case .head, .body:
            context.write(data, promise: promise)
        case .end:
            unanswered -= 1
            guard unanswered <= 0, draining || closeAfterAnswer || pending != nil else {
                context.write(data, promise: promise)
                return
            }
            context.writeAndFlush(data, promise: promise)
            if let pending {
                answer(pending, context: context)
            } else {
                context.close(promise: nil)
            }
        }
    }

    /// Envoy's local reply for a codec error: status, its reason phrase as a plain-text body, and
    /// `Connection: close`; then the connection is closed.
    private func answer(_ error: HTTPParserError, context: ChannelHandlerContext) {
        guard !answeredError else { return }
        answeredError = true
        let status = Self.status(for: error)
        let text = status.reasonPhrase
        var fields = HTTPFields()
        fields[.contentType] = "text/plain"
        fields[.contentLength] = String(text.utf8.count)
        fields[.connection] = "close"
        context.write(wrapOutboundOut(.head(HTTPResponse(status: status, headerFields: fields))), promise: nil)
        context.write(wrapOutboundOut(.body(context.channel.allocator.buffer(string: text))), promise: nil)
        context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: nil)
        context.close(promise: nil)
    }

    /// 431 for headers past the parser's limit (Envoy: `Request Header Fields Too Large`), 400 otherwise.
    static func status(for error: HTTPParserError) -> HTTPResponse.Status {
        if case .headerOverflow = error { return .init(code: 431, reasonPhrase: "Request Header Fields Too Large") }
        return .badRequest
    }
}
