import Hummingbird
import HummingbirdCore
import NIOCore

/// Answers passed on as they arrive. An answer from a process replica that streams (server-sent
/// events, or a body without Content-Length) leaves the upstream client at its head; its body goes
/// to the client chunk by chunk, each written and flushed as the replica sends it, through every hop
/// (the local gateway's, the queue-proxy's). Whatever the request holds while its answer flows (the
/// queue-proxy's slot, the circuit breaker's, the in-flight counts, the drain's count) is let go when
/// the body ends, as the Go proxies and Envoy hold them until then. Once its head is passed on the
/// answer is committed: no retry after it (a retry on its status drops it, as Envoy resets it).
/// Other answers are collected whole, as before: the retry, mirror and logger paths read them.
struct Reply: Sendable {
    var response: Response
    /// The body's stream when it is passed on as it arrives.
    var stream: UpstreamBodyStream? = nil
}

/// The request context of the gateway's listeners: Hummingbird's, with the client's channel (an
/// HTTP/2 stream's own channel), whose close ends a streamed answer and its upstream request.
struct GatewayRequestContext: RequestContext {
    var coreContext: CoreRequestContextStorage
    let channel: any Channel

    init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        channel = source.channel
    }
}

extension GatewayServer {
    /// A response body that writes each part of `stream` as it comes (Hummingbird flushes every
    /// write). A failed write (the client is gone) or a failed part (the replica's connection broke,
    /// a route timeout) ends the stream, closes its upstream connection and, thrown, makes
    /// Hummingbird close the client's connection mid-body, as Envoy resets a stream it has begun.
    static func streamedBody(_ stream: UpstreamBodyStream) -> ResponseBody {
        ResponseBody { writer in
            guard let parts = stream.take() else { throw UpstreamHTTPClient.Failure.cancelled }
            for try await part in parts { try await writer.write(part) }
            try await writer.finish(nil)
        }
    }

    /// `work` in one of the replica's queue-proxy slots, held until the answer's body has ended.
    static func inSlot(
        of queue: QueueProxy, timeout: Duration, _ work: () async throws -> UpstreamAnswer
    ) async throws -> UpstreamAnswer {
        try await queue.acquire(timeout: timeout)
        let answer: UpstreamAnswer
        do {
            answer = try await work()
        } catch {
            queue.release()
            throw error
        }
        if let stream = answer.stream { stream.whenDone { queue.release() } } else { queue.release() }
        return answer
    }

    /// How an attempt asks for streaming: the head within the attempt's time (the revision timeout
    /// included), the body within the route's and the per-try timeout only (Knative's timeout
    /// handler stops timing a response once it has started: `knative.dev/pkg/http/handler/timeout.go`).
    static func streaming(_ limit: AttemptLimit) -> UpstreamHTTPClient.Streaming {
        .init(bodyDeadline: limit.deadline.map { NIODeadline.now() + TimeAmount($0 - ContinuousClock.now) })
    }
}
